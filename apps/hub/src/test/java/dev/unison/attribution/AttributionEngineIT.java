package dev.unison.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.unison.canonical.model.AdExposure;
import dev.unison.canonical.model.ExposureKind;
import dev.unison.connectors.kit.identity.DestinationHashing;
import dev.unison.hub.support.TestDatabases;
import dev.unison.canonical.identity.IdentifierNormalizer;
import dev.unison.identity.IdentityProperties;
import dev.unison.canonical.identity.IdentityResolver;
import dev.unison.identity.ProfileDirectory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The engine's incremental work equals a recomputation from nothing, on H2 and on PostgreSQL, with
 * its rounds worked in parallel slices: late exposures (clicks and impressions of campaigns with
 * windows of their own) re-credit only the orders they can count for, and the credits they leave are
 * exactly those of crediting every order again serially.
 */
class AttributionEngineIT {

    static final int PROFILES = 80;
    static final int ORDERS = 600;
    static final int EXPOSURES = 3_000;
    static final int LATE = 400;

    @TempDir
    Path dir;

    @Test
    void lateExposuresOnH2LeaveWhatAFullRecomputationLeaves() {
        try (HikariDataSource ds = TestDatabases.h2(dir)) {
            lateExposuresLeaveWhatAFullRecomputationLeaves(ds);
        }
    }

    @Test
    void lateExposuresOnPostgresLeaveWhatAFullRecomputationLeaves() {
        try (HikariDataSource ds = TestDatabases.postgres()) {
            lateExposuresLeaveWhatAFullRecomputationLeaves(ds);
        }
    }

    private void lateExposuresLeaveWhatAFullRecomputationLeaves(DataSource ds) {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        AttributionStore store = new AttributionStore(jdbc, Clock.systemUTC());
        Instant end = Instant.now().truncatedTo(ChronoUnit.DAYS);
        Random random = new Random(7);
        populate(jdbc, store, end, random);
        // campaigns with windows of their own: a 0-day view window (impressions never count), a long one
        store.putCampaign(new AttributionStore.CampaignSettings("net-1", "C-1", "adv", "no views", 7, 0, Instant.now()));
        store.putCampaign(new AttributionStore.CampaignSettings("net-2", "C-2", "adv", "long", 20, 5, Instant.now()));

        AttributionEngine parallel = engine(store, jdbc, ds, 3);
        AttributionEngine serial = engine(store, jdbc, ds, 1);
        store.markProfiles(jdbc.queryForList("SELECT profile_id FROM identity_profile", String.class));
        parallel.drain();
        store.markAllOrders();
        parallel.drain();
        List<String> before = credits(jdbc);
        assertThat(before).as("credits before the late exposures").isNotEmpty();

        for (int i = 0; i < LATE; i++) {
            exposure(store, "late-" + i, random, end);
        }
        parallel.drain();
        List<String> incremental = credits(jdbc);
        assertThat(incremental).as("the late exposures changed credits").isNotEqualTo(before);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ad_exposure WHERE profile_id IS NULL", Long.class))
                .as("every exposure found its shopper").isZero();

        jdbc.update("DELETE FROM attribution_credit");
        store.markAllOrders();
        serial.drain();
        assertThat(credits(jdbc)).as("a serial recomputation of every order").containsExactlyElementsOf(incremental);
    }

    private static AttributionEngine engine(AttributionStore store, JdbcTemplate jdbc, DataSource ds, int parallelism) {
        IdentityResolver resolver = new IdentityResolver(new IdentifierNormalizer("US"),
                new IdentityProperties(null, null, null, null, null, null, null, false, null, null).rules());
        // small rounds, so the work spans many of them
        AttributionProperties settings = new AttributionProperties(14, 1, 10, Duration.ofSeconds(1), 150, Duration.ofHours(1), 30,
                Map.of(), parallelism);
        return new AttributionEngine(store, new ProfileDirectory(jdbc, resolver), new DataSourceTransactionManager(ds), settings,
                Clock.systemUTC(), new SimpleMeterRegistry());
    }

    /** Shoppers with one email each, their orders (the identity graph's transactions too), exposures over 30 days. */
    private static void populate(JdbcTemplate jdbc, AttributionStore store, Instant end, Random random) {
        Timestamp t0 = Timestamp.from(end.minus(30, ChronoUnit.DAYS));
        List<Object[]> profiles = new ArrayList<>();
        List<Object[]> identifiers = new ArrayList<>();
        for (int p = 0; p < PROFILES; p++) {
            profiles.add(new Object[] {"p" + p, p, t0, t0});
            identifiers.add(new Object[] {"email:" + email(p), email(p), "p" + p, t0, t0});
        }
        jdbc.batchUpdate("INSERT INTO identity_profile (profile_id, age, merge_count, created_at, updated_at) VALUES (?, ?, 0, ?, ?)",
                profiles);
        jdbc.batchUpdate("INSERT INTO identity_identifier (match_key, type, shown_value, profile_id, source, last_source, "
                + "first_seen, last_seen) VALUES (?, 'email', ?, ?, 'test', 'test', ?, ?)", identifiers);
        List<Object[]> transactions = new ArrayList<>();
        List<Object[]> orders = new ArrayList<>();
        for (int o = 0; o < ORDERS; o++) {
            String profile = "p" + random.nextInt(PROFILES);
            Timestamp placed = Timestamp.from(end.minus(random.nextInt(30 * 24 * 60), ChronoUnit.MINUTES));
            boolean store7 = random.nextInt(10) < 7;
            transactions.add(new Object[] {"o" + o, store7 ? "store" : "shopify", profile, placed});
            orders.add(new Object[] {"o" + o, store7 ? "store" : "shopify", store7 ? "store" : "online", placed,
                    10 + random.nextInt(190), placed, profile});
        }
        jdbc.batchUpdate("INSERT INTO identity_transaction (transaction_id, channel, profile_id, occurred_at) VALUES (?, ?, ?, ?)",
                transactions);
        jdbc.batchUpdate("INSERT INTO attribution_order (order_id, channel, placed_in, placed_at, currency, total, cancelled, "
                + "version, profile_id) VALUES (?, ?, ?, ?, 'USD', ?, FALSE, ?, ?)", orders);
        for (int i = 0; i < EXPOSURES; i++) {
            exposure(store, "x-" + i, random, end);
        }
    }

    private static void exposure(AttributionStore store, String id, Random random, Instant end) {
        int p = random.nextInt(PROFILES);
        int campaign = random.nextInt(4);
        AdExposure e = new AdExposure(id, "net-" + campaign, "adv", "C-" + campaign, null,
                random.nextInt(4) == 0 ? ExposureKind.CLICK : ExposureKind.IMPRESSION,
                end.minus(random.nextInt(30 * 24 * 60), ChronoUnit.MINUTES), List.of());
        store.storeExposure("/test", e, List.of("hashed_email:" + DestinationHashing.sha256Hex(email(p))));
    }

    private static String email(int p) {
        return "s" + p + "@test.example";
    }

    /** Every credit row, as text, in a fixed order. */
    private static List<String> credits(JdbcTemplate jdbc) {
        return jdbc.query("SELECT c.order_id, e.exposure_id, c.profile_id, c.last_touch, c.first_touch, c.touches, c.clicks, "
                + "c.views FROM attribution_credit c JOIN ad_exposure e ON e.id = c.exposure ORDER BY c.order_id, e.exposure_id",
                (rs, i) -> String.join("|", rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), rs.getString(8)));
    }
}
