package dev.unison.identity;

import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.Order;
import dev.unison.identity.ProfileDirectory;
import java.util.List;
import java.util.Map;

/**
 * What a caller without {@code pii:read} sees of email addresses and phone numbers: enough to tell
 * two apart on a screen ({@code j***@example.com}, {@code +1********00}), not enough to contact the
 * person. Profiles show them masked in place; orders list them apart (see {@link #order}).
 */
public final class PiiMask {

    private PiiMask() {
    }

    static boolean isContact(String wireType) {
        return IdentifierType.EMAIL.wireName().equals(wireType) || IdentifierType.PHONE.wireName().equals(wireType);
    }

    static String mask(String wireType, String value) {
        if (value == null) {
            return null;
        }
        if (IdentifierType.EMAIL.wireName().equals(wireType)) {
            int at = value.lastIndexOf('@');
            return at <= 0 ? "***" : value.charAt(0) + "***" + value.substring(at);
        }
        if (IdentifierType.PHONE.wireName().equals(wireType)) {
            int keep = Math.min(2, Math.max(0, value.length() - 4));
            String prefix = value.startsWith("+") && value.length() > 2 ? value.substring(0, 2) : "";
            return prefix + "*".repeat(Math.max(0, value.length() - prefix.length() - keep)) + value.substring(value.length() - keep);
        }
        return value;
    }

    /**
     * The order without its email and phone identifiers, so it stays a valid canonical order (a masked
     * phone is not a phone number); {@link #maskedContacts} shows them masked beside it.
     */
    public static Order order(Order order) {
        List<Identifier> identifiers = order.identifiers().stream().filter(i -> !isContact(i.type().wireName())).toList();
        return new Order(order.id(), order.channel(), order.externalId(), order.status(), order.placedAt(),
                order.placedAtLocation(), order.fulfilledFromLocation(), order.profileId(), identifiers, order.lines(),
                order.total(), order.placedIn(), order.updatedAt(), order.cartId());
    }

    public static List<Map<String, String>> maskedContacts(Order order) {
        return order.identifiers().stream().filter(i -> isContact(i.type().wireName()))
                .map(i -> Map.of("type", i.type().wireName(), "value", mask(i.type().wireName(), i.value()))).toList();
    }

    static ProfileDirectory.ProfileView profile(ProfileDirectory.ProfileView view) {
        List<ProfileDirectory.IdentifierView> identifiers = view.identifiers().stream()
                .map(i -> isContact(i.type()) ? new ProfileDirectory.IdentifierView(i.type(), mask(i.type(), i.value()),
                        i.source(), i.lastSource(), i.firstSeen(), i.lastSeen()) : i)
                .toList();
        return new ProfileDirectory.ProfileView(view.id(), view.requestedId(), view.createdAt(), view.updatedAt(), identifiers,
                view.channelAccounts(), view.orders(), view.merges());
    }
}
