package dev.unison.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.identity.IdentifierNormalizer;
import dev.unison.canonical.identity.IdentityResolver;
import dev.unison.canonical.identity.IdentityRules;
import dev.unison.canonical.identity.InMemoryIdentityGraph;
import dev.unison.canonical.identity.Observation;
import dev.unison.canonical.identity.ScreenedObservation;
import dev.unison.canonical.identity.Resolution;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.ProfileMerge;
import dev.unison.platform.outbox.Outbox;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The SQL identity graph on every supported database: it decides as the in-memory reference
 * does, merges carry transactions and history along and are published, and concurrent events
 * for the same new person end in one profile.
 */
abstract class AbstractIdentityGraphContractIT {

    private static final Instant T = Instant.parse("2026-11-26T10:00:00Z");

    private HikariDataSource dataSource;
    private JdbcTemplate jdbc;
    private IdentityService identity;
    private ProfileDirectory directory;
    private final IdentityResolver resolver = new IdentityResolver(new IdentifierNormalizer("US"), IdentityRules.defaults());

    protected abstract HikariDataSource newDatabase() throws Exception;

    @BeforeEach
    void migrate() throws Exception {
        dataSource = newDatabase();
        dataSource.setMaximumPoolSize(12);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = new JdbcTemplate(dataSource);
        identity = new IdentityService(resolver, jdbc, new DataSourceTransactionManager(dataSource),
                new Outbox(jdbc, Clock.systemUTC(), () -> { }), Clock.systemUTC(), new SimpleMeterRegistry());
        directory = new ProfileDirectory(jdbc, resolver);
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    private static Observation seen(String source, String... typed) {
        List<Identifier> ids = new ArrayList<>();
        for (String t : typed) {
            ids.add(Identifier.parse(t));
        }
        return new Observation(source, T, ids);
    }

    private String profileOf(String typed) {
        return directory.profileOf(Identifier.parse(typed)).map(ProfileDirectory.ProfileView::id).orElse(null);
    }

    @Test
    void decidesAsTheInMemoryReferenceDoes() {
        List<Observation> stream = new ArrayList<>();
        stream.add(seen("pos", "phone:+1 415-555-0100", "loyalty_id:L-000123"));
        stream.add(seen("shopify", "email:Jane.Doe@Example.com ", "channel_customer_id:shopify:demo:1001"));
        stream.add(seen("app", "device_id:APP-1", "email:jane.doe@example.com"));
        stream.add(seen("tiktok-shop", "email:jane.doe@example.com", "phone:(415) 555-0100"));
        for (int i = 0; i < 12; i++) {
            stream.add(seen("kiosk", "device_id:kiosk-7", "email:shopper" + i + "@example.com"));
        }
        stream.add(seen("shopify", "email:test@test.com", "channel_customer_id:shopify:demo:1"));
        stream.add(seen("shopify", "email:test@test.com", "channel_customer_id:shopify:demo:2"));
        stream.add(seen("pos", "loyalty_id:L-2", "email:jane.doe@example.com"));

        InMemoryIdentityGraph reference = new InMemoryIdentityGraph();
        Map<String, String> sqlToRef = new HashMap<>();
        for (Observation o : stream) {
            Resolution inSql = identity.resolve(o);
            Resolution inMemory = resolver.resolve(o, reference);
            assertThat(inSql.outcome()).as(o.toString()).isEqualTo(inMemory.outcome());
            assertThat(inSql.rejected()).as(o.toString()).extracting(r -> r.reason() + " " + r.identifier())
                    .isEqualTo(inMemory.rejected().stream().map(r -> r.reason() + " " + r.identifier()).toList());
            assertThat(inSql.added()).as(o.toString()).isEqualTo(inMemory.added());
            if (inSql.resolved()) {
                String before = sqlToRef.putIfAbsent(inSql.profileId(), reference.current(inMemory.profileId()));
                assertThat(before == null || before.equals(reference.current(inMemory.profileId()))).isTrue();
            }
        }
        String jane = profileOf("email:jane.doe@example.com");
        for (String id : List.of("phone:+14155550100", "loyalty_id:L-000123", "device_id:app-1", "channel_customer_id:shopify:demo:1001")) {
            assertThat(profileOf(id)).as(id).isEqualTo(jane);
        }
        assertThat(profileOf("loyalty_id:L-2")).as("a second loyalty id makes its own profile").isNotEqualTo(jane).isNotNull();
        Set<String> shoppers = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            shoppers.add(profileOf("email:shopper" + i + "@example.com"));
        }
        assertThat(shoppers).hasSize(12);
        assertThat(profileOf("channel_customer_id:shopify:demo:1")).isNotEqualTo(profileOf("channel_customer_id:shopify:demo:2"));
    }

    @Test
    void aMergeCarriesTransactionsAndHistoryAndIsPublished() {
        String pos = identity.resolveTransaction(seen("pos", "phone:+14155550100", "loyalty_id:L-000123"), "store-1", "store")
                .profileId();
        String shop = identity.resolveTransaction(seen("shopify", "email:jane.doe@example.com"), "shop-1", "shopify").profileId();
        identity.resolveTransaction(seen("pos", "payment_token:tok_x"), "store-2", "store");
        identity.resolveTransaction(seen("pos", "email:null"), "store-3", "store");
        Resolution merge = identity.resolveTransaction(seen("tiktok-shop", "email:jane.doe@example.com", "phone:+14155550100"),
                "tt-1", "tiktok-shop");

        assertThat(merge.outcome()).isEqualTo(Resolution.Outcome.MERGED);
        assertThat(merge.profileId()).isEqualTo(pos);
        ProfileDirectory.ProfileView viaMergedId = directory.profile(shop).orElseThrow();
        assertThat(viaMergedId.id()).as("the merged id still means this person").isEqualTo(pos);
        assertThat(viaMergedId.requestedId()).isEqualTo(shop);
        assertThat(viaMergedId.orders().count()).isEqualTo(3);
        assertThat(viaMergedId.orders().byChannel()).containsEntry("store", 1L).containsEntry("shopify", 1L)
                .containsEntry("tiktok-shop", 1L);
        assertThat(viaMergedId.merges()).singleElement().satisfies(m -> {
            assertThat(m.mergedId()).isEqualTo(shop);
            assertThat(m.linkedBy()).contains("email:jane.doe@example.com", "phone:+14155550100");
        });
        CanonicalEvent event = CanonicalEvent.fromStructuredJson(jdbc.queryForObject(
                "SELECT payload FROM outbox_event WHERE event_type = ?", String.class, EventType.PROFILE_MERGED.typeName()));
        ProfileMerge published = event.dataAs(ProfileMerge.class);
        assertThat(published.survivorId()).isEqualTo(pos);
        assertThat(published.mergedIds()).containsExactly(shop);

        ProfileDirectory.IdentityMetrics metrics = directory.metrics();
        assertThat(metrics.unit()).isEqualTo("transactions");
        assertThat(metrics.overall().transactions()).isEqualTo(5);
        assertThat(metrics.overall().linked()).as("store-2 only a card token (nobody known), store-3 only a blocked value")
                .isEqualTo(3);
        assertThat(metrics.channels().get("store").rate()).isEqualTo(1.0 / 3);
    }

    @Test
    void concurrentEventsForTheSameNewPersonEndInOneProfile() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            for (int person = 0; person < 25; person++) {
                String email = "email:p" + person + "@example.com";
                String phone = "phone:+1415555" + String.format("%04d", 1000 + person);
                String loyalty = "loyalty_id:L-" + person;
                List<Observation> atOnce = List.of(
                        seen("shopify", email, "channel_customer_id:shopify:demo:" + (1000 + person)),
                        seen("tiktok-shop", email, phone),
                        seen("pos", phone, loyalty),
                        seen("app", "device_id:dev-" + person, loyalty),
                        seen("shopify", email),
                        seen("api", email, loyalty));
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Resolution>> results = new ArrayList<>();
                for (Observation o : atOnce) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return identity.resolve(o);
                    }));
                }
                start.countDown();
                for (Future<Resolution> r : results) {
                    assertThat(r.get().resolved()).isTrue();
                }
                String one = profileOf(email);
                assertThat(List.of(phone, loyalty, "device_id:dev-" + person, "channel_customer_id:shopify:demo:" + (1000 + person)))
                        .as("person %d", person).allSatisfy(id -> assertThat(profileOf(id)).as(id).isEqualTo(one));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM identity_profile WHERE merged_into IS NULL", Long.class))
                .as("one live profile per person").isEqualTo(25);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM identity_profile p WHERE merged_into IS NULL AND NOT EXISTS "
                + "(SELECT 1 FROM identity_identifier i WHERE i.profile_id = p.profile_id)", Long.class))
                .as("no empty profile left behind by a lost race").isZero();
    }

    /** A seeded stream of sightings: persons seen through subsets of their identifiers, shared kiosks and placeholders. */
    private static List<Observation> population(long seed, int persons, int sightings) {
        java.util.Random random = new java.util.Random(seed);
        List<Observation> stream = new ArrayList<>();
        for (int i = 0; i < sightings; i++) {
            int p = random.nextInt(persons);
            List<String> own = new ArrayList<>(List.of("email:person" + p + "@example.com",
                    "phone:+1415555" + String.format("%04d", 1000 + p), "loyalty_id:L-" + p,
                    "email:person" + p + ".work@example.com"));
            java.util.Collections.shuffle(own, random);
            // every sighting carries a personal identifier (a device alone, like a kiosk, is nobody's)
            List<String> typed = new ArrayList<>(own.subList(0, 1 + random.nextInt(2)));
            if (random.nextInt(3) == 0) {
                typed.add("device_id:dev-" + p);
            }
            if (random.nextInt(10) == 0) {
                typed.add("device_id:kiosk-" + random.nextInt(3)); // shared by everyone who uses it
            }
            if (random.nextInt(20) == 0) {
                typed.add("email:test@test.com"); // a placeholder beside the real identifiers
            }
            stream.add(new Observation("src-" + random.nextInt(4), T.plusSeconds(i), typed.stream().map(Identifier::parse).toList()));
        }
        return stream;
    }

    @Test
    void aBatchDecidesAsOneAtATimeAndAsTheInMemoryReference() {
        List<Observation> stream = population(7, 80, 700);
        InMemoryIdentityGraph reference = new InMemoryIdentityGraph();
        List<Resolution> inSql = new ArrayList<>();
        for (Observation o : stream.subList(0, 150)) { // stored profiles first, one at a time
            inSql.add(identity.resolve(o));
        }
        for (int from = 150; from < stream.size(); from += 110) { // then batches that reach, extend and merge them
            inSql.addAll(identity.resolveAll(screened(stream.subList(from, Math.min(stream.size(), from + 110)))));
        }
        Map<String, String> sqlToRef = new HashMap<>();
        int merges = 0;
        for (int i = 0; i < stream.size(); i++) {
            Observation o = stream.get(i);
            Resolution inMemory = resolver.resolve(o, reference);
            Resolution sql = inSql.get(i);
            assertThat(sql.outcome()).as("%d %s", i, o).isEqualTo(inMemory.outcome());
            assertThat(sql.rejected()).as(o.toString()).extracting(r -> r.reason() + " " + r.identifier())
                    .isEqualTo(inMemory.rejected().stream().map(r -> r.reason() + " " + r.identifier()).toList());
            assertThat(sql.added()).as(o.toString()).isEqualTo(inMemory.added());
            assertThat(sql.merged()).hasSameSizeAs(inMemory.merged());
            merges += sql.merged().size();
        }
        assertThat(merges).as("the stream exercises merges").isGreaterThan(10);
        // the same partition: every identifier the reference holds is in the SQL profile that stands for the same reference profile
        Set<String> keys = new HashSet<>();
        stream.forEach(o -> keys.addAll(resolver.matchKeys(o)));
        for (String key : keys) {
            String ref = reference.profileOf(key);
            String sql = jdbc.queryForList("SELECT profile_id FROM identity_identifier WHERE match_key = ?", String.class, key)
                    .stream().findFirst().orElse(null);
            assertThat(sql == null).as(key).isEqualTo(ref == null);
            if (ref != null) {
                String before = sqlToRef.putIfAbsent(sql, ref);
                assertThat(before == null ? ref : before).as("SQL profile %s holds identifiers of two reference profiles", sql)
                        .isEqualTo(ref);
            }
        }
        assertThat(new HashSet<>(sqlToRef.values())).as("one SQL profile per reference profile").hasSize(sqlToRef.size());
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM identity_profile WHERE merged_into IS NULL", Long.class))
                .isEqualTo((long) reference.profileCount());
        // every merged id still means its person, and each merge is in the history and published
        List<String> mergedIds = jdbc.queryForList("SELECT profile_id FROM identity_profile WHERE merged_into IS NOT NULL", String.class);
        assertThat(mergedIds).hasSize(merges);
        for (String merged : mergedIds) {
            ProfileDirectory.ProfileView view = directory.profile(merged).orElseThrow();
            assertThat(jdbc.queryForObject("SELECT merged_into IS NULL FROM identity_profile WHERE profile_id = ?", Boolean.class,
                    view.id())).as("%s points at a live survivor", merged).isTrue();
        }
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM identity_merge", Long.class)).isEqualTo((long) merges);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE event_type = ?", Long.class,
                EventType.PROFILE_MERGED.typeName())).isEqualTo(inSql.stream().filter(r -> r.outcome() == Resolution.Outcome.MERGED)
                        .count());
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM identity_profile p WHERE merged_into IS NULL AND NOT EXISTS "
                + "(SELECT 1 FROM identity_identifier i WHERE i.profile_id = p.profile_id)", Long.class)).isZero();
    }

    @Test
    void batchesOfSeveralInstancesOnTheSamePersonsEndInOneProfilePerPerson() throws Exception {
        List<Observation> stream = population(11, 40, 900);
        List<IdentityService> instances = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // each its own turn lock, as three hubs on one database
            instances.add(new IdentityService(resolver, jdbc, new DataSourceTransactionManager(dataSource),
                    new Outbox(jdbc, Clock.systemUTC(), () -> { }), Clock.systemUTC(), new SimpleMeterRegistry()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                IdentityService instance = instances.get(i);
                int offset = i;
                running.add(pool.submit(() -> {
                    start.await();
                    for (int from = offset * 100; from < stream.size(); from += 300) {
                        instance.resolveAll(screened(stream.subList(from, Math.min(stream.size(), from + 100))));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> r : running) {
                r.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // the order the batches interleaved in decides where a person's identifiers meet (as it would
        // one at a time); what must hold in any order: every identifier stored once, no person mixed with another
        Set<String> keys = new HashSet<>();
        stream.forEach(o -> keys.addAll(resolver.matchKeys(o)));
        keys.removeIf(k -> k.contains("kiosk-"));
        Map<String, String> personOfProfile = new HashMap<>();
        for (String key : keys) {
            List<String> holders = jdbc.queryForList("SELECT profile_id FROM identity_identifier WHERE match_key = ?", String.class, key);
            assertThat(holders).as(key).hasSize(1);
            String person = key.replaceAll("(?i)^.*?(person|L-|dev-|\\+1415555)(\\d+).*$", "$2");
            if (key.startsWith("phone:")) {
                person = String.valueOf(Integer.parseInt(person) - 1000);
            }
            String before = personOfProfile.putIfAbsent(holders.get(0), person);
            assertThat(before == null ? person : before).as("profile %s mixes persons (%s)", holders.get(0), key).isEqualTo(person);
        }
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM identity_profile WHERE merged_into IS NOT NULL AND merged_into IN "
                + "(SELECT profile_id FROM identity_profile WHERE merged_into IS NOT NULL)", Long.class))
                .as("every merged id points at a live survivor").isZero();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM identity_profile p WHERE merged_into IS NULL AND NOT EXISTS "
                + "(SELECT 1 FROM identity_identifier i WHERE i.profile_id = p.profile_id)", Long.class))
                .as("no empty profile left behind by a lost race").isZero();
    }

    private List<ScreenedObservation> screened(List<Observation> observations) {
        return observations.stream().map(resolver::screen).toList();
    }
}
