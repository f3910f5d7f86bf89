package dev.unison.bench.attribution;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.attribution.AttributionEngine;
import dev.unison.attribution.AttributionProperties;
import dev.unison.attribution.AttributionStore;
import dev.unison.bench.Options;
import dev.unison.bench.Results;
import dev.unison.canonical.identity.IdentifierNormalizer;
import dev.unison.canonical.identity.IdentityResolver;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.identity.Destination;
import dev.unison.connectors.kit.identity.DestinationHashing;
import dev.unison.identity.IdentityProperties;
import dev.unison.identity.ProfileDirectory;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * Full attribution at retail scale, beside a naive per-order lookup, in one run: a generated
 * population of {@code --profiles} shoppers (one email each) with {@code --orders} orders (70% in
 * store) and {@code --exposures} exposures (20% clicks, SHA-256 of the email, over {@code --days}
 * days, 100 campaigns on 5 networks) is written straight into the hub's tables (the hub's own
 * migrations, on embedded PostgreSQL with fsync on, or the embedded default's H2 file), exposures
 * already matched to their shoppers as the engine leaves them, then:
 * <ol>
 * <li><b>full attribution</b>: every profile queued, the hub's {@link AttributionEngine} drains the
 *     queue; seconds from the first round to an empty queue;</li>
 * <li><b>late exposures</b>: {@code --late} exposures of the last 14 days arrive for random shoppers
 *     (stored with their keys, queued as the intake queues them); seconds until re-attributed;</li>
 * <li><b>naive</b>: per order, its shopper, the shopper's emails, their hashes, the exposures holding
 *     them, the winning touch, each a query of its own, for {@code --naive} orders; the rate is
 *     extrapolated to all orders (stated as such).</li>
 * </ol>
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.unison.bench.attribution.AttributionBenchmark --db postgres \
 *     --profiles 200000 --orders 1000000 --exposures 10000000
 * </pre>
 */
public final class AttributionBenchmark {

    record Settings(String db, int profiles, int orders, long exposures, int days, int late, int naive, int batch, Path out,
            long seed, Path dataDir, String stopAfter, String sharedBuffers,
            Map<String, String> serverConfig, int parallelism) {
        static Settings parse(String[] args) {
            Map<String, String> a = Options.parse(args, Set.of("db", "profiles", "orders", "exposures", "days", "late", "naive",
                    "batch", "out", "seed", "data-dir", "stop-after", "shared-buffers", "pg", "parallelism"));
            return new Settings(a.getOrDefault("db", "postgres"), Integer.parseInt(a.getOrDefault("profiles", "200000")),
                    Integer.parseInt(a.getOrDefault("orders", "1000000")), Long.parseLong(a.getOrDefault("exposures", "10000000")),
                    Integer.parseInt(a.getOrDefault("days", "90")), Integer.parseInt(a.getOrDefault("late", "100000")),
                    Integer.parseInt(a.getOrDefault("naive", "2000")), Integer.parseInt(a.getOrDefault("batch", "2000")),
                    Path.of(a.getOrDefault("out", "bench/results")), Long.parseLong(a.getOrDefault("seed", "42")),
                    a.containsKey("data-dir") ? Path.of(a.get("data-dir")) : null, a.getOrDefault("stop-after", ""),
                    a.getOrDefault("shared-buffers", "512MB"), serverConfig(a.getOrDefault("pg", "")),
                    Integer.parseInt(a.getOrDefault("parallelism", "2")));
        }

        /** {@code --pg name=value,name=value}: further PostgreSQL settings (stated in the result). */
        static Map<String, String> serverConfig(String list) {
            Map<String, String> out = new java.util.TreeMap<>();
            for (String pair : list.split(",")) {
                if (!pair.isBlank()) {
                    String[] nv = pair.split("=", 2);
                    if (nv.length != 2) {
                        throw new IllegalArgumentException("--pg takes name=value pairs, got '" + pair + "'");
                    }
                    out.put(nv[0].trim(), nv[1].trim());
                }
            }
            return out;
        }

        Settings {
            if (!Set.of("postgres", "h2").contains(db)) {
                throw new IllegalArgumentException("--db takes postgres or h2 (the embedded default), got '" + db + "'");
            }
            if (!Set.of("", "full").contains(stopAfter)) {
                throw new IllegalArgumentException("--stop-after takes full, got '" + stopAfter + "'");
            }
            if (dataDir != null && !db.equals("postgres")) {
                throw new IllegalArgumentException("--data-dir is for --db postgres");
            }
        }
    }

    static final int CAMPAIGNS = 100;
    static final int NETWORKS = 5;

    public static void main(String[] args) throws Exception {
        Settings s = Settings.parse(args);
        EmbeddedPostgres postgres = null;
        Path h2dir = null;
        DataSource ds;
        if (s.db().equals("postgres")) {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on").setServerConfig("full_page_writes", "on")
                    .setServerConfig("max_wal_size", "4GB").setServerConfig("shared_buffers", s.sharedBuffers())
                    .setServerConfig("work_mem", "64MB")
                    .setDataDirectory(s.dataDir() == null ? null : s.dataDir().resolve("pgdata").toFile())
                    .setCleanDataDirectory(s.dataDir() == null);
            s.serverConfig().forEach(builder::setServerConfig);
            postgres = builder.start();
            ds = pool(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "");
        } else {
            h2dir = Files.createTempDirectory("unison-attribution-bench-");
            ds = pool("jdbc:h2:file:" + h2dir.resolve("unison") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;"
                    + "DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;QUERY_CACHE_SIZE=64", "sa", "");
        }
        try {
            run(s, ds);
        } finally {
            ((HikariDataSource) ds).close();
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    /** A connection pool as the hub has one: the engine holds its lock on one connection and works on others. */
    static DataSource pool(String url, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(8);
        return new HikariDataSource(config);
    }

    static void run(Settings s, DataSource ds) throws Exception {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        boolean pg = s.db().equals("postgres");
        Instant end = Instant.now().truncatedTo(ChronoUnit.DAYS);
        Instant start = end.minus(s.days(), ChronoUnit.DAYS);
        // --data-dir keeps the database: a run stopped after the full pass is resumed at the late exposures (for trying
        // changes to that phase without loading and matching again; a resumed run's other figures are not measured)
        Path fullDone = s.dataDir() == null ? null : s.dataDir().resolve("full-done");
        boolean resumed = fullDone != null && Files.exists(fullDone);
        long t0 = System.nanoTime();
        if (!resumed) {
            generate(jdbc, s, pg, start);
        }
        double loadSeconds = resumed ? Double.NaN : seconds(t0);
        System.out.printf("loaded %d profiles, %d orders, %d exposures in %.1f s%n", s.profiles(), s.orders(), s.exposures(),
                loadSeconds);

        IdentityResolver resolver = new IdentityResolver(new IdentifierNormalizer("US"),
                new IdentityProperties(null, null, null, null, null, null, null, false, null, null).rules());
        ProfileDirectory directory = new ProfileDirectory(jdbc, resolver);
        AttributionStore store = new AttributionStore(jdbc, Clock.systemUTC());
        AttributionProperties props = new AttributionProperties(14, 1, 10, Duration.ofSeconds(1), s.batch(), Duration.ofHours(1),
                30, Map.of(), s.parallelism());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AttributionEngine engine = new AttributionEngine(store, directory, new DataSourceTransactionManager(ds), props,
                Clock.systemUTC(), meters);

        double matchSeconds = Double.NaN;
        double fullSeconds = Double.NaN;
        Map<String, Double> fullSteps = Map.of();
        if (!resumed) {
        // 0. matching: every shopper's keys (and hashed forms) meet the exposures, as the orders' arrival does over time
        jdbc.update("INSERT INTO attribution_dirty (kind, ref, marked_at) SELECT 'profile', profile_id, ? FROM identity_profile",
                OffsetDateTime.now(ZoneOffset.UTC));
        t0 = System.nanoTime();
        engine.drain();
        matchSeconds = seconds(t0);
        jdbc.update("DELETE FROM attribution_credit");
        System.out.printf("matching every shopper: %.1f s%n", matchSeconds);

        // 1. full attribution: every order credited from scratch (what a change of rules asks for)
        new AttributionStore(jdbc, Clock.systemUTC()).markAllOrders();
        Map<String, Double> beforeFull = stepSeconds(meters);
        t0 = System.nanoTime();
        engine.drain();
        fullSeconds = seconds(t0);
        fullSteps = minus(stepSeconds(meters), beforeFull);
        System.out.printf("full attribution by step: %s%n", fullSteps);
        }
        long credits = jdbc.queryForObject("SELECT COUNT(*) FROM attribution_credit", Long.class);
        long attributed = jdbc.queryForObject("SELECT COUNT(DISTINCT order_id) FROM attribution_credit WHERE last_touch = TRUE",
                Long.class);
        System.out.printf("full attribution: %.1f s, %d orders attributed, %d credit rows%n", fullSeconds, attributed, credits);
        if (s.stopAfter().equals("full")) {
            if (fullDone != null) {
                Files.writeString(fullDone, "loaded, matched and fully attributed\n");
            }
            return;
        }

        // 2. late exposures
        Random random = new Random(s.seed() + 1);
        long firstLate = jdbc.queryForObject("SELECT COALESCE(MAX(id), 0) FROM ad_exposure", Long.class) + 1;
        List<Object[]> late = new ArrayList<>();
        List<Object[]> lateKeys = new ArrayList<>();
        for (int i = 0; i < s.late(); i++) {
            int p = random.nextInt(s.profiles());
            long id = firstLate + i;
            late.add(new Object[] {id, "late-" + i, "net-" + (i % NETWORKS), "C-" + (i % CAMPAIGNS), random.nextInt(5) == 0 ? "click"
                    : "impression", OffsetDateTime.ofInstant(end.minus(random.nextInt(14 * 24 * 60), ChronoUnit.MINUTES), ZoneOffset.UTC),
                    OffsetDateTime.now(ZoneOffset.UTC)});
            lateKeys.add(new Object[] {"hashed_email:" + DestinationHashing.sha256Hex(email(p)), id});
        }
        jdbc.batchUpdate("INSERT INTO ad_exposure (id, owner, exposure_id, network, campaign_id, kind, exposed_at, received_at) "
                + "VALUES (?, '/bench', ?, ?, ?, ?, ?, ?)", late);
        jdbc.batchUpdate("INSERT INTO ad_exposure_key (match_key, exposure) VALUES (?, ?)", lateKeys);
        jdbc.update("INSERT INTO attribution_dirty (kind, ref, marked_at) SELECT 'exposure', CAST(id AS VARCHAR(40)), ? "
                + "FROM ad_exposure WHERE id >= ?", OffsetDateTime.now(ZoneOffset.UTC), firstLate);
        Map<String, Double> before = stepSeconds(meters);
        double creditedBefore = meters.counter("unison_attribution_orders_credited_total").count();
        t0 = System.nanoTime();
        engine.drain();
        double lateSeconds = seconds(t0);
        Map<String, Double> lateSteps = minus(stepSeconds(meters), before);
        long lateOrders = (long) (meters.counter("unison_attribution_orders_credited_total").count() - creditedBefore);
        System.out.printf("late exposures: %d re-attributed in %.1f s (%d orders credited again); by step: %s%n", s.late(),
                lateSeconds, lateOrders, lateSteps);

        // 3. naive per-order lookup
        t0 = System.nanoTime();
        int naiveAttributed = naive(jdbc, s, random);
        double naiveSeconds = seconds(t0);
        double naivePerOrder = naiveSeconds / s.naive();
        System.out.printf("naive: %d orders in %.1f s (%.2f ms each; all %d orders: %.0f s extrapolated), %d attributed%n",
                s.naive(), naiveSeconds, naivePerOrder * 1000, s.orders(), naivePerOrder * s.orders(), naiveAttributed);

        ObjectNode result = CanonicalJson.mapper().createObjectNode();
        result.put("db", s.db()).put("profiles", s.profiles()).put("orders", s.orders()).put("exposures", s.exposures())
                .put("days", s.days()).put("batch", s.batch()).put("parallelism", s.parallelism()).put("sharedBuffers", s.sharedBuffers()).putPOJO("postgresSettings", s.serverConfig()).put("loadSeconds", loadSeconds).put("matchSeconds", matchSeconds).put("fullSeconds", fullSeconds)
                .put("ordersAttributed", attributed).put("creditRows", credits).put("lateExposures", s.late())
                .put("lateSeconds", lateSeconds).put("lateOrdersCredited", lateOrders)
                .putPOJO("fullSecondsByStep", fullSteps).putPOJO("lateSecondsByStep", lateSteps).put("naiveOrders", s.naive()).put("naiveSeconds", naiveSeconds)
                .put("naiveExtrapolatedSeconds", naivePerOrder * s.orders())
                .put("cores", Runtime.getRuntime().availableProcessors()).put("resumed", resumed);
        String md = "# Attribution benchmark (" + s.db() + ")\n\n"
                + "| profiles | orders | exposures | matching every shopper | full attribution | late exposures | naive per-order |\n"
                + "|---|---|---|---|---|---|---|\n"
                + String.format("| %,d | %,d | %,d | %.1f s | %.1f s (%,d orders attributed) | %,d in %.1f s | %.2f ms/order, %,.0f s for all (extrapolated from %,d) |%n",
                        s.profiles(), s.orders(), s.exposures(), matchSeconds, fullSeconds, attributed, s.late(), lateSeconds,
                        naivePerOrder * 1000, naivePerOrder * s.orders(), s.naive())
                + "\nSeconds by step of the engine's rounds (`unison_attribution_step_seconds`): full attribution " + fullSteps
                + "; late exposures (" + lateOrders + " orders credited again) " + lateSteps + "\n";
        Results.write(s.out(), "attribution-" + s.db(), result, md);
    }

    static String email(int profile) {
        return "s" + profile + "@bench.example";
    }

    static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /** The population, written with set-based SQL (generate_series / SYSTEM_RANGE); pseudo-random by arithmetic. */
    /** Seconds spent so far in each step of the engine's rounds. */
    static Map<String, Double> stepSeconds(SimpleMeterRegistry meters) {
        Map<String, Double> out = new java.util.TreeMap<>();
        meters.find("unison_attribution_step_seconds").timers()
                .forEach(t -> out.put(t.getId().getTag("step"), t.totalTime(java.util.concurrent.TimeUnit.SECONDS)));
        return out;
    }

    static Map<String, Double> minus(Map<String, Double> after, Map<String, Double> before) {
        Map<String, Double> out = new java.util.TreeMap<>();
        after.forEach((k, v) -> out.put(k, Math.round((v - before.getOrDefault(k, 0.0)) * 100) / 100.0));
        return out;
    }

    static void generate(JdbcTemplate jdbc, Settings s, boolean pg, Instant start) {
        String series = pg ? "generate_series(CAST(0 AS BIGINT), %d - 1) AS g(i)" : "SYSTEM_RANGE(0, %d - 1) g";
        String i = pg ? "g.i" : "g.\"X\"";
        String sha = pg ? "encode(sha256(convert_to(%s, 'UTF8')), 'hex')" : "LOWER(RAWTOHEX(HASH('SHA-256', STRINGTOUTF8(%s))))";
        OffsetDateTime t = OffsetDateTime.ofInstant(start, ZoneOffset.UTC);
        long span = (long) s.days() * 86_400;
        jdbc.update("INSERT INTO identity_profile (profile_id, age, merge_count, created_at, updated_at) SELECT 'p' || " + i
                + ", " + i + ", 0, ?, ? FROM " + series.formatted(s.profiles()), t, t);
        jdbc.update("INSERT INTO identity_identifier (match_key, type, shown_value, profile_id, source, last_source, first_seen, "
                + "last_seen) SELECT 'email:s' || " + i + " || '@bench.example', 'email', 's' || " + i + " || '@bench.example', "
                + "'p' || " + i + ", 'bench', 'bench', ?, ? FROM " + series.formatted(s.profiles()), t, t);
        // order j: shopper (j * 7919) mod profiles, placed at a pseudo-random second of the period, 70% in store
        String profileOf = "MOD(" + i + " * 7919, " + s.profiles() + ")";
        String placed = pg ? "CAST(? AS timestamptz) + MOD(" + i + " * 104729, " + span + ") * INTERVAL '1 second'"
                : "DATEADD(SECOND, MOD(" + i + " * 104729, " + span + "), CAST(? AS TIMESTAMP WITH TIME ZONE))";
        jdbc.update("INSERT INTO identity_transaction (transaction_id, channel, profile_id, occurred_at) SELECT 'o' || " + i
                + ", CASE WHEN MOD(" + i + ", 10) < 7 THEN 'store' ELSE 'shopify' END, 'p' || " + profileOf + ", " + placed
                + " FROM " + series.formatted(s.orders()), t);
        jdbc.update("INSERT INTO attribution_order (order_id, channel, placed_in, placed_at, currency, total, cancelled, version, "
                + "profile_id) SELECT 'o' || " + i + ", CASE WHEN MOD(" + i + ", 10) < 7 THEN 'store' ELSE 'shopify' END, "
                + "CASE WHEN MOD(" + i + ", 10) < 7 THEN 'store' ELSE 'online' END, " + placed + ", 'USD', 10 + MOD(" + i
                + " * 31, 190), FALSE, ?, 'p' || " + profileOf + " FROM " + series.formatted(s.orders()), t, t);
        // exposure k: shopper (k * 104723) mod profiles, campaign k mod 100 on network (k mod 100) mod 5, 20% clicks
        String exposedProfile = "MOD(" + i + " * 104723, " + s.profiles() + ")";
        String exposedAt = pg ? "CAST(? AS timestamptz) + MOD(" + i + " * 7907, " + span + ") * INTERVAL '1 second'"
                : "DATEADD(SECOND, MOD(" + i + " * 7907, " + span + "), CAST(? AS TIMESTAMP WITH TIME ZONE))";
        long chunk = 1_000_000;
        for (long from = 0; from < s.exposures(); from += chunk) {
            long n = Math.min(chunk, s.exposures() - from);
            String range = pg ? "generate_series(CAST(" + from + " AS BIGINT), " + (from + n - 1) + ") AS g(i)"
                    : "SYSTEM_RANGE(" + from + ", " + (from + n - 1) + ") g";
            // profile_id: matched, as the engine leaves an exposure once it has looked at it (the late ones below are not)
            jdbc.update("INSERT INTO ad_exposure (id, owner, exposure_id, network, advertiser_id, campaign_id, kind, exposed_at, "
                    + "received_at, profile_id) SELECT " + i + " + 1, '/bench', 'x' || " + i + ", 'net-' || MOD(MOD(" + i + ", "
                    + CAMPAIGNS + "), " + NETWORKS + "), 'adv-' || MOD(" + i + ", " + CAMPAIGNS + "), 'C-' || MOD(" + i + ", "
                    + CAMPAIGNS + "), CASE WHEN MOD(" + i + ", 5) = 0 THEN 'click' ELSE 'impression' END, " + exposedAt + ", ?, "
                    + "'p' || " + exposedProfile + " FROM " + range, t, t);
            jdbc.update("INSERT INTO ad_exposure_key (match_key, exposure) SELECT 'hashed_email:' || " + sha.formatted(
                    "'s' || " + exposedProfile + " || '@bench.example'") + ", " + i + " + 1 FROM " + range);
            System.out.printf("  exposures %,d of %,d%n", from + n, s.exposures());
        }
        jdbc.execute("ANALYZE");
    }

    /** Per order, one query per step, as a first integration would: returns the number attributed (last touch). */
    static int naive(JdbcTemplate jdbc, Settings s, Random random) {
        int attributed = 0;
        for (int n = 0; n < s.naive(); n++) {
            String order = "o" + random.nextInt(s.orders());
            Instant placedAt = ((OffsetDateTime) jdbc.queryForObject("SELECT placed_at FROM attribution_order WHERE order_id = ?",
                    OffsetDateTime.class, order)).toInstant();
            List<String> profile = jdbc.queryForList("SELECT profile_id FROM identity_transaction WHERE transaction_id = ?",
                    String.class, order);
            if (profile.isEmpty()) {
                continue;
            }
            List<String> emails = jdbc.queryForList("SELECT shown_value FROM identity_identifier WHERE profile_id = ? AND type = 'email'",
                    String.class, profile.get(0));
            Instant best = null;
            boolean bestClick = false;
            for (String email : emails) {
                String key = "hashed_email:" + DestinationHashing.hashedForm(Destination.META,
                        new dev.unison.canonical.model.Identifier(dev.unison.canonical.model.IdentifierType.EMAIL, email)).orElseThrow();
                for (Map<String, Object> e : jdbc.queryForList("SELECT e.kind, e.exposed_at FROM ad_exposure_key k JOIN ad_exposure e "
                        + "ON e.id = k.exposure WHERE k.match_key = ?", key)) {
                    Object raw = e.get("exposed_at");
                    Instant at = raw instanceof OffsetDateTime odt ? odt.toInstant() : ((java.sql.Timestamp) raw).toInstant();
                    boolean click = "click".equals(e.get("kind"));
                    if (at.isAfter(placedAt) || Duration.between(at, placedAt).compareTo(Duration.ofDays(click ? 14 : 1)) > 0) {
                        continue;
                    }
                    if (best == null || (click && !bestClick) || (click == bestClick && at.isAfter(best))) {
                        best = at;
                        bestClick = click;
                    }
                }
            }
            if (best != null) {
                attributed++;
            }
        }
        return attributed;
    }
}
