package dev.unison.attribution;

import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.connectors.kit.identity.Destination;
import dev.unison.connectors.kit.identity.DestinationHashing;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Match keys ({@code <type>:<value>}) on both sides of a match: what an exposure carries, and what
 * a profile can be recognised by, including the hashed forms of its emails and phones under each
 * network's normalization (the kit's {@link DestinationHashing}). A hashed email from a network that
 * hashes as Amazon does meets the Amazon form of the profile's email, and so on.
 */
public final class ExposureKeys {

    /**
     * Hashing forms always computed: the hub's own (SHA-256 hex of the normalized email, the
     * {@code hashed_email} definition) with the phone both with and without its {@code +}, which is
     * what {@link Destination#TIKTOK} and {@link Destination#META} produce.
     */
    public static final Set<Destination> DEFAULT_HASHINGS = Set.of(Destination.META, Destination.TIKTOK);

    private ExposureKeys() {
    }

    public static String key(Identifier id) {
        return id.toString();
    }

    /**
     * An exposure's keys: hashed values as sent (hex lowercased), other identifiers normalized as
     * identity resolution normalizes them; an identifier that cannot be normalized is left out.
     */
    public static List<String> ofExposure(Collection<Identifier> identifiers, UnaryOperator<Identifier> normalize) {
        List<String> keys = new ArrayList<>();
        for (Identifier id : identifiers) {
            if (id.type() == IdentifierType.HASHED_EMAIL || id.type() == IdentifierType.HASHED_PHONE) {
                keys.add(id.type().wireName() + ":" + id.value().trim().toLowerCase(Locale.ROOT));
            } else {
                try {
                    keys.add(key(normalize.apply(id)));
                } catch (IllegalArgumentException invalid) {
                    // not a usable identifier: the exposure keeps its others
                }
            }
        }
        return keys.stream().distinct().toList();
    }

    /**
     * A profile's keys: each identifier as stored, plus for emails and phones their hashed form under
     * every hashing in use, mapped to the identifier they came from.
     */
    public static Map<String, Identifier> ofProfile(Collection<Identifier> identifiers, Collection<Destination> hashings) {
        Map<String, Identifier> keys = new LinkedHashMap<>();
        for (Identifier id : identifiers) {
            keys.put(key(id), id);
            if (id.type() != IdentifierType.EMAIL && id.type() != IdentifierType.PHONE) {
                continue;
            }
            String prefix = id.type() == IdentifierType.EMAIL ? "hashed_email:" : "hashed_phone:";
            for (Destination d : hashings) {
                try {
                    DestinationHashing.hashedForm(d, id).ifPresent(h -> keys.put(prefix + h, id));
                } catch (IllegalArgumentException notNormalized) {
                    // stored before today's normalization: no hashed form, matched by its plain value only
                }
            }
        }
        return keys;
    }

    /** Whether a key is a hashed email or phone (found through the hashed-key index, not the identity graph). */
    public static boolean isHashed(String key) {
        return key.startsWith("hashed_email:") || key.startsWith("hashed_phone:");
    }
}
