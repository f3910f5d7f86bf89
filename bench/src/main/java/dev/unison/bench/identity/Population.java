package dev.unison.bench.identity;

import dev.unison.canonical.identity.IdentifierNormalizer;
import dev.unison.canonical.identity.Observation;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * A seeded, deterministic synthetic population of shoppers and the stream of observations
 * (events) they produce, with the ground truth (which person each event belongs to).
 *
 * <p>Every person has one primary email; most a phone; about half a loyalty id (some of those a
 * second email that appears only together with the loyalty id); one or two personal devices; one
 * to three payment tokens; some a Shopify customer id. Events are web orders, TikTok orders, POS
 * sales, app logins, loyalty sign-ups, in-store kiosk logins (a few hundred shared kiosk devices,
 * each used by many persons) and, for 1% of persons, an app login with a work email seen only
 * together with a personal device id (a link the resolver's weak-link rule refuses by design).
 * Raw values carry realistic noise (email case and surrounding whitespace, five phone formats,
 * upper-case device ids, lower-case loyalty ids) and a few percent of events carry a placeholder
 * value ({@code test@test.com}, {@code null}, {@code anonymous}, an all-zero phone or device id)
 * next to their real identifiers. Every event carries at least one real personal identifier of
 * its person, and a person's phone is always seen at least once together with their email or
 * loyalty id (otherwise nothing could link it). Events are shuffled across persons.
 */
final class Population {

    /** The shapes of events; the source is what {@link Observation#source()} says. */
    enum Shape {
        WEB_ORDER("shopify:shopify-demo", "web order {email, phone?, Shopify customer id?}"),
        TIKTOK_ORDER("tiktok-shop", "TikTok order {email, phone?}"),
        POS_SALE("pos", "POS sale {loyalty id and/or phone, payment token}"),
        APP_LOGIN("app", "app login {personal device id, email or loyalty id}"),
        KIOSK_LOGIN("app:kiosk", "in-store kiosk login {shared kiosk device id, email (or loyalty id: --kiosk-loyalty)}"),
        LOYALTY_SIGNUP("loyalty", "loyalty sign-up {loyalty id, email, second email?}"),
        LOYALTY_EMAIL("loyalty", "loyalty account update {loyalty id, second email}"),
        WORK_EMAIL_LOGIN("app", "app login with a work email {personal device id, work email} (unlinkable by design)");

        final String source;
        final String description;

        Shape(String source, String description) {
            this.source = source;
            this.description = description;
        }
    }

    /** Placeholders injected next to real identifiers: what a broken form or a QA script sends. */
    static final List<Identifier> PLACEHOLDERS = List.of(new Identifier(IdentifierType.EMAIL, "test@test.com"),
            new Identifier(IdentifierType.EMAIL, " TEST@test.com"), new Identifier(IdentifierType.EMAIL, "null"),
            new Identifier(IdentifierType.EMAIL, "anonymous"), new Identifier(IdentifierType.PHONE, "0000000000"),
            new Identifier(IdentifierType.DEVICE_ID, "00000000-0000-0000-0000-000000000000"),
            new Identifier(IdentifierType.DEVICE_ID, "anonymous"), new Identifier(IdentifierType.LOYALTY_ID, "null"));

    static final double PHONE_SHARE = 0.85;
    static final double LOYALTY_SHARE = 0.5;
    static final double SECOND_EMAIL_SHARE_OF_LOYALTY = 0.3;
    static final double SHOPIFY_SHARE = 0.4;
    static final double KIOSK_USER_SHARE = 0.15;
    static final double WORK_EMAIL_SHARE = 0.01;
    static final double PLACEHOLDER_SHARE = 0.03;
    static final double REGULAR_EVENTS_MEAN_EXTRA = 2.2; // 1 + Poisson(2.2) orders, sales and logins per person

    private static final String[] FIRST = {"jane", "john", "maria", "wei", "aisha", "carlos", "emma", "liam", "olivia", "noah",
        "sofia", "mateo", "chloe", "ethan", "priya", "arjun", "yuki", "kenji", "fatima", "omar", "lena", "jonas", "ana", "luis",
        "grace", "henry", "zoe", "isaac", "mia", "lucas", "nora", "elijah", "hana", "diego", "amara", "felix", "ines", "theo",
        "ava", "samuel"};
    private static final String[] LAST = {"doe", "smith", "garcia", "chen", "khan", "lopez", "johnson", "brown", "nguyen", "kim",
        "patel", "mueller", "rossi", "silva", "tanaka", "ivanova", "okafor", "cohen", "dubois", "novak", "jensen", "haddad",
        "moreau", "santos", "murphy", "walsh", "costa", "fischer", "yamamoto", "larsen"};
    private static final String[] DOMAINS = {"gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "proton.me",
        "aol.com", "example.org"};
    private static final String[] WORK_DOMAINS = {"acme-corp.com", "globex.io", "initech.com", "umbrella.co", "hooli.dev"};
    private static final int[] AREA_CODES = {415, 212, 312, 617, 206};
    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

    final int persons;
    final long seed;
    final int kiosks;
    /** The events in stream order. */
    final List<Observation> events;
    /** The true person of each event. */
    final int[] personOf;
    /** The {@link Shape} ordinal of each event. */
    final byte[] shapeOf;
    /** Raw identifiers in all events, noise and placeholders included. */
    final long occurrences;
    /** Distinct real identifiers the events carry (personal values and the kiosks used). */
    final long distinctIdentifiers;
    final long[] eventsByShape = new long[Shape.values().length];
    /** What the noise did, for the report. */
    final Map<String, Long> noise = new LinkedHashMap<>();
    final Map<String, Long> placeholders = new LinkedHashMap<>();
    final Map<String, Long> attributes = new LinkedHashMap<>();

    private Population(int persons, long seed, int kiosks, List<Observation> events, int[] personOf, byte[] shapeOf,
            long occurrences, long distinctIdentifiers) {
        this.persons = persons;
        this.seed = seed;
        this.kiosks = kiosks;
        this.events = events;
        this.personOf = personOf;
        this.shapeOf = shapeOf;
        this.occurrences = occurrences;
        this.distinctIdentifiers = distinctIdentifiers;
    }

    int size() {
        return events.size();
    }

    /**
     * Generates the population; the normalizer only checks that every generated phone number is valid.
     *
     * @param kioskLoyaltyShare the share of kiosk logins by loyalty members made with the loyalty id
     *        instead of the email (0 by default; see docs/benchmarks.md for what it shows)
     */
    static Population generate(int persons, long seed, int kiosks, double kioskLoyaltyShare, IdentifierNormalizer normalizer) {
        return new Generator(persons, seed, kiosks, kioskLoyaltyShare, normalizer).run();
    }

    /** One person's values, canonical (noise is added per occurrence). */
    private static final class Person {
        String email;
        String secondEmail;
        String workEmail;
        String phoneDigits; // 10 digits, national
        String loyaltyId;
        String shopifyId;
        String[] devices;
        String[] tokens;
        boolean phoneSeen;
        boolean phoneLinked;
        final Set<String> used = new HashSet<>();
    }

    private static final class Generator {
        private final int persons;
        private final long seed;
        private final int kioskCount;
        private final double kioskLoyaltyShare;
        private final IdentifierNormalizer normalizer;
        private final SplittableRandom rng;
        private final String[] kiosks;
        private final boolean[] kioskUsed;
        private final Set<String> phones = new HashSet<>();
        private final Map<String, Long> noise = new LinkedHashMap<>();
        private final Map<String, Long> placeholders = new LinkedHashMap<>();
        private final Map<String, Long> attributes = new LinkedHashMap<>();

        private final List<List<Identifier>> pendingIds;
        private int[] pendingPerson;
        private byte[] pendingShape;
        private long occurrences;
        private long distinct;
        private long phoneLinkOrders;

        Generator(int persons, long seed, int kiosks, double kioskLoyaltyShare, IdentifierNormalizer normalizer) {
            this.persons = persons;
            this.kioskLoyaltyShare = kioskLoyaltyShare;
            this.seed = seed;
            this.kioskCount = kiosks;
            this.normalizer = normalizer;
            this.rng = new SplittableRandom(seed);
            this.kiosks = new String[kiosks];
            this.kioskUsed = new boolean[kiosks];
            for (int i = 0; i < kiosks; i++) {
                this.kiosks[i] = uuid();
            }
            int capacity = persons * 5;
            this.pendingIds = new ArrayList<>(capacity);
            this.pendingPerson = new int[capacity];
            this.pendingShape = new byte[capacity];
            for (String key : new String[] {"email raw as stored", "email case variant", "email whitespace variant",
                "email case and whitespace variant", "phone (415) 555-0100", "phone +1 415-555-0100", "phone 415.555.0100",
                "phone +14155550100", "phone 1 415 555 0100", "phone 415-555-0100", "device id upper-case",
                "loyalty id lower-case"}) {
                noise.put(key, 0L);
            }
            for (Identifier p : PLACEHOLDERS) {
                placeholders.put(p.type().wireName() + ":'" + p.value() + "'", 0L);
            }
        }

        Population run() {
            long[] attributeCounts = new long[7];
            for (int n = 0; n < persons; n++) {
                Person p = person(n);
                attributeCounts[0] += p.phoneDigits != null ? 1 : 0;
                attributeCounts[1] += p.loyaltyId != null ? 1 : 0;
                attributeCounts[2] += p.secondEmail != null ? 1 : 0;
                attributeCounts[3] += p.shopifyId != null ? 1 : 0;
                attributeCounts[4] += p.workEmail != null ? 1 : 0;
                attributeCounts[5] += p.devices.length;
                attributeCounts[6] += p.tokens.length;
                events(n, p);
                distinct += p.used.size();
            }
            for (boolean used : kioskUsed) {
                distinct += used ? 1 : 0;
            }
            attributes.put("persons", (long) persons);
            attributes.put("with a phone", attributeCounts[0]);
            attributes.put("with a loyalty id", attributeCounts[1]);
            attributes.put("with a second email (seen only with the loyalty id)", attributeCounts[2]);
            attributes.put("with a Shopify customer id", attributeCounts[3]);
            attributes.put("with a work email (seen only with a device id)", attributeCounts[4]);
            attributes.put("personal devices", attributeCounts[5]);
            attributes.put("payment tokens", attributeCounts[6]);
            attributes.put("kiosk devices used", countUsedKiosks());
            attributes.put("TikTok orders added so that a phone seen at the POS is also seen with the email", phoneLinkOrders);

            int total = pendingIds.size();
            int[] order = new int[total];
            for (int i = 0; i < total; i++) {
                order[i] = i;
            }
            for (int i = total - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            List<Observation> events = new ArrayList<>(total);
            int[] personOf = new int[total];
            byte[] shapeOf = new byte[total];
            Shape[] shapes = Shape.values();
            for (int i = 0; i < total; i++) {
                int k = order[i];
                events.add(new Observation(shapes[pendingShape[k]].source, START.plusSeconds(i), pendingIds.get(k)));
                personOf[i] = pendingPerson[k];
                shapeOf[i] = pendingShape[k];
                pendingIds.set(k, null);
            }
            Population population = new Population(persons, seed, kioskCount, events, personOf, shapeOf, occurrences, distinct);
            for (int i = 0; i < total; i++) {
                population.eventsByShape[shapeOf[i]]++;
            }
            population.noise.putAll(noise);
            population.placeholders.putAll(placeholders);
            population.attributes.putAll(attributes);
            return population;
        }

        private long countUsedKiosks() {
            long n = 0;
            for (boolean used : kioskUsed) {
                n += used ? 1 : 0;
            }
            return n;
        }

        private Person person(int n) {
            Person p = new Person();
            String first = FIRST[rng.nextInt(FIRST.length)];
            String last = LAST[rng.nextInt(LAST.length)];
            // the person number in the local part keeps every email unique
            String local = switch (rng.nextInt(4)) {
                case 0 -> first + "." + last + n;
                case 1 -> first + last + n;
                case 2 -> first.charAt(0) + "." + last + n;
                default -> first + "_" + last + n;
            };
            int domain = rng.nextInt(DOMAINS.length);
            p.email = local + "@" + DOMAINS[domain];
            if (rng.nextDouble() < PHONE_SHARE) {
                p.phoneDigits = newPhone();
            }
            if (rng.nextDouble() < LOYALTY_SHARE) {
                p.loyaltyId = "L-" + (100_000_000 + n);
                if (rng.nextDouble() < SECOND_EMAIL_SHARE_OF_LOYALTY) {
                    p.secondEmail = last + "." + first + n + "@" + DOMAINS[(domain + 1 + rng.nextInt(DOMAINS.length - 1)) % DOMAINS.length];
                }
            }
            if (rng.nextDouble() < SHOPIFY_SHARE) {
                p.shopifyId = "shopify:demo:" + (5_000_000 + n);
            }
            if (rng.nextDouble() < WORK_EMAIL_SHARE) {
                p.workEmail = first + "." + last + n + "@" + WORK_DOMAINS[rng.nextInt(WORK_DOMAINS.length)];
            }
            p.devices = new String[rng.nextDouble() < 0.6 ? 1 : 2];
            for (int i = 0; i < p.devices.length; i++) {
                p.devices[i] = uuid();
            }
            double t = rng.nextDouble();
            p.tokens = new String[t < 0.5 ? 1 : t < 0.85 ? 2 : 3];
            for (int i = 0; i < p.tokens.length; i++) {
                p.tokens[i] = "tok_" + Long.toString(rng.nextLong() & Long.MAX_VALUE, 36) + Long.toString(rng.nextInt(1 << 30), 36);
            }
            return p;
        }

        /** A valid, not yet assigned US number (area codes 415/212/312/617/206, exchange 200-999). */
        private String newPhone() {
            while (true) {
                int area = AREA_CODES[rng.nextInt(AREA_CODES.length)];
                int exchange = 200 + rng.nextInt(800);
                int line = rng.nextInt(10_000);
                String digits = area + String.valueOf(exchange) + String.format("%04d", line);
                if (!phones.contains(digits) && valid(digits)) {
                    phones.add(digits);
                    return digits;
                }
            }
        }

        private boolean valid(String digits) {
            try {
                normalizer.normalize(IdentifierType.PHONE, digits);
                return true;
            } catch (IdentifierNormalizer.InvalidIdentifierException e) {
                return false;
            }
        }

        private void events(int n, Person p) {
            int regular = 1 + poisson(REGULAR_EVENTS_MEAN_EXTRA);
            for (int i = 0; i < regular; i++) {
                regularEvent(n, p);
            }
            if (p.loyaltyId != null) {
                boolean both = p.secondEmail != null && rng.nextBoolean();
                emit(n, p, Shape.LOYALTY_SIGNUP, loyalty(p), email(p, p.email), both ? email(p, p.secondEmail) : null);
                if (p.secondEmail != null && (!both || rng.nextDouble() < 0.3)) {
                    emit(n, p, Shape.LOYALTY_EMAIL, loyalty(p), email(p, p.secondEmail));
                }
            }
            if (rng.nextDouble() < KIOSK_USER_SHARE) {
                int visits = rng.nextDouble() < 0.3 ? 2 : 1;
                for (int i = 0; i < visits; i++) {
                    int k = rng.nextInt(kiosks.length);
                    kioskUsed[k] = true;
                    boolean byLoyalty = kioskLoyaltyShare > 0 && p.loyaltyId != null && rng.nextDouble() < kioskLoyaltyShare;
                    emit(n, p, Shape.KIOSK_LOGIN, device(kiosks[k]), byLoyalty ? loyalty(p) : email(p, p.email));
                }
            }
            if (p.workEmail != null) {
                int logins = rng.nextBoolean() ? 2 : 1;
                for (int i = 0; i < logins; i++) {
                    emit(n, p, Shape.WORK_EMAIL_LOGIN, device(p, p.devices[0]), email(p, p.workEmail));
                }
            }
            if (p.phoneSeen && !p.phoneLinked) {
                // nothing else would link the phone (and the POS sales that carry only it) to the person
                phoneLinkOrders++;
                emit(n, p, Shape.TIKTOK_ORDER, email(p, p.email), phone(p));
            }
        }

        private void regularEvent(int n, Person p) {
            boolean pos = p.loyaltyId != null || p.phoneDigits != null;
            int weight = rng.nextInt(pos ? 10 : 7); // web 3, TikTok 2, app 2, POS 3
            if (weight < 3) {
                Identifier phone = p.phoneDigits != null && rng.nextDouble() < 0.6 ? phone(p) : null;
                emit(n, p, Shape.WEB_ORDER, email(p, p.email), phone, p.shopifyId == null ? null : shopify(p));
            } else if (weight < 5) {
                emit(n, p, Shape.TIKTOK_ORDER, email(p, p.email), p.phoneDigits == null ? null : phone(p));
            } else if (weight < 7) {
                String device = p.devices[rng.nextInt(p.devices.length)];
                boolean byLoyalty = p.loyaltyId != null && rng.nextBoolean();
                emit(n, p, Shape.APP_LOGIN, device(p, device), byLoyalty ? loyalty(p) : email(p, p.email));
            } else {
                Identifier token = token(p);
                if (p.loyaltyId == null) {
                    emit(n, p, Shape.POS_SALE, phone(p), token);
                } else if (p.phoneDigits == null) {
                    emit(n, p, Shape.POS_SALE, loyalty(p), token);
                } else {
                    double r = rng.nextDouble();
                    if (r < 0.4) {
                        emit(n, p, Shape.POS_SALE, loyalty(p), token);
                    } else if (r < 0.7) {
                        emit(n, p, Shape.POS_SALE, loyalty(p), phone(p), token);
                    } else {
                        emit(n, p, Shape.POS_SALE, phone(p), token);
                    }
                }
            }
        }

        private void emit(int n, Person p, Shape shape, Identifier... ids) {
            List<Identifier> list = new ArrayList<>(ids.length + 1);
            boolean email = false;
            boolean loyalty = false;
            boolean phone = false;
            for (Identifier id : ids) {
                if (id != null) {
                    list.add(id);
                    email |= id.type() == IdentifierType.EMAIL;
                    loyalty |= id.type() == IdentifierType.LOYALTY_ID;
                    phone |= id.type() == IdentifierType.PHONE;
                }
            }
            if (phone) {
                p.phoneSeen = true;
                p.phoneLinked |= email || loyalty;
            }
            if (rng.nextDouble() < PLACEHOLDER_SHARE) {
                Identifier placeholder = PLACEHOLDERS.get(rng.nextInt(PLACEHOLDERS.size()));
                placeholders.merge(placeholder.type().wireName() + ":'" + placeholder.value() + "'", 1L, Long::sum);
                list.add(rng.nextInt(list.size() + 1), placeholder);
            }
            occurrences += list.size();
            int i = pendingIds.size();
            if (i == pendingPerson.length) {
                pendingPerson = Arrays.copyOf(pendingPerson, i * 3 / 2 + 16);
                pendingShape = Arrays.copyOf(pendingShape, pendingPerson.length);
            }
            pendingIds.add(list);
            pendingPerson[i] = n;
            pendingShape[i] = (byte) shape.ordinal();
        }

        private Identifier email(Person p, String email) {
            p.used.add("email:" + email);
            int r = rng.nextInt(100);
            String raw;
            if (r < 55) {
                raw = email;
                count("email raw as stored");
            } else if (r < 70) {
                raw = capitalized(email);
                count("email case variant");
            } else if (r < 78) {
                raw = email.toUpperCase(java.util.Locale.ROOT);
                count("email case variant");
            } else if (r < 92) {
                raw = whitespace(email);
                count("email whitespace variant");
            } else {
                raw = whitespace(capitalized(email));
                count("email case and whitespace variant");
            }
            return new Identifier(IdentifierType.EMAIL, raw);
        }

        private Identifier phone(Person p) {
            p.used.add("phone:" + p.phoneDigits);
            String d = p.phoneDigits;
            String a = d.substring(0, 3);
            String e = d.substring(3, 6);
            String l = d.substring(6);
            int format = rng.nextInt(6);
            String raw = switch (format) {
                case 0 -> "(" + a + ") " + e + "-" + l;
                case 1 -> "+1 " + a + "-" + e + "-" + l;
                case 2 -> a + "." + e + "." + l;
                case 3 -> "+1" + d;
                case 4 -> "1 " + a + " " + e + " " + l;
                default -> a + "-" + e + "-" + l;
            };
            count(switch (format) {
                case 0 -> "phone (415) 555-0100";
                case 1 -> "phone +1 415-555-0100";
                case 2 -> "phone 415.555.0100";
                case 3 -> "phone +14155550100";
                case 4 -> "phone 1 415 555 0100";
                default -> "phone 415-555-0100";
            });
            return new Identifier(IdentifierType.PHONE, raw);
        }

        private Identifier loyalty(Person p) {
            p.used.add("loyalty:" + p.loyaltyId);
            if (rng.nextDouble() < 0.1) {
                count("loyalty id lower-case");
                return new Identifier(IdentifierType.LOYALTY_ID, p.loyaltyId.toLowerCase(java.util.Locale.ROOT));
            }
            return new Identifier(IdentifierType.LOYALTY_ID, p.loyaltyId);
        }

        private Identifier shopify(Person p) {
            p.used.add(p.shopifyId);
            return new Identifier(IdentifierType.CHANNEL_CUSTOMER_ID, p.shopifyId);
        }

        private Identifier token(Person p) {
            String token = p.tokens[rng.nextInt(p.tokens.length)];
            p.used.add(token);
            return new Identifier(IdentifierType.PAYMENT_TOKEN, token);
        }

        private Identifier device(Person p, String device) {
            p.used.add(device);
            return device(device);
        }

        private Identifier device(String device) {
            if (rng.nextDouble() < 0.2) {
                count("device id upper-case");
                return new Identifier(IdentifierType.DEVICE_ID, device.toUpperCase(java.util.Locale.ROOT));
            }
            return new Identifier(IdentifierType.DEVICE_ID, device);
        }

        private void count(String key) {
            noise.merge(key, 1L, Long::sum);
        }

        private String capitalized(String email) {
            StringBuilder b = new StringBuilder(email.length());
            boolean upper = true;
            for (int i = 0; i < email.length(); i++) {
                char c = email.charAt(i);
                b.append(upper ? Character.toUpperCase(c) : c);
                upper = c == '.' || c == '_' || c == '@';
            }
            return b.toString();
        }

        private String whitespace(String value) {
            return switch (rng.nextInt(4)) {
                case 0 -> " " + value;
                case 1 -> value + " ";
                case 2 -> "\t" + value + "\n";
                default -> "  " + value + "  ";
            };
        }

        private String uuid() {
            return new UUID(rng.nextLong(), rng.nextLong()).toString();
        }

        private int poisson(double mean) {
            double limit = Math.exp(-mean);
            double product = rng.nextDouble();
            int k = 0;
            while (product > limit) {
                product *= rng.nextDouble();
                k++;
            }
            return k;
        }
    }
}
