package dev.unison.hub.config;

import dev.unison.canonical.identity.IdentityRules;
import dev.unison.canonical.identity.RelayEmails;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.hub.inventory.InventoryNetwork;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** Settings under {@code unison.*}; documented in docs/configuration.md. */
@ConfigurationProperties(prefix = "unison")
public record UnisonProperties(String dataDir, Bus bus, Outbox outbox, String mappingsLocation,
        String bootstrapApiKey, String routesLocation, String connectionsLocation,
        Inventory inventory, Identity identity, Storage storage, Api api, Retention retention, Inbox inbox) {

    public UnisonProperties {
        inbox = inbox == null ? new Inbox(null, null, null) : inbox;
        retention = retention == null ? new Retention(null, null, null, null, null) : retention;
        storage = storage == null ? new Storage(null, null, null) : storage;
        api = api == null ? new Api(null, null, null) : api;
        inventory = inventory == null ? new Inventory(null, null) : inventory;
        identity = identity == null ? new Identity(null, null, null, null, null, null, null, false, null, null) : identity;
    }

    /**
     * Identity resolution: phone default region and the guards (docs/identity.md). Unset lists
     * take the defaults of {@link IdentityRules}; set ones replace them.
     */
    public record Identity(String defaultRegion, List<String> blockedValues, List<String> blockedPatterns,
            Map<IdentifierType, Integer> limits, List<IdentifierType> priority, Integer maxMergesPerProfile,
            Integer maxIdentifiersPerProfile, boolean gmailDotInsensitive, Set<IdentifierType> sharedTypes,
            List<String> relayEmailDomains) {
        public Identity {
            defaultRegion = defaultRegion == null ? "US" : defaultRegion;
        }

        /** Email domains whose addresses are channel identifiers; unset: TikTok Shop's ({@link RelayEmails#DEFAULT_DOMAINS}). */
        public RelayEmails relayEmails() {
            return new RelayEmails(relayEmailDomains == null ? RelayEmails.DEFAULT_DOMAINS : relayEmailDomains);
        }

        public IdentityRules rules() {
            return new IdentityRules(Set.copyOf(blockedValues == null ? IdentityRules.DEFAULT_BLOCKED_VALUES : blockedValues),
                    IdentityRules.compile(blockedPatterns == null ? IdentityRules.DEFAULT_BLOCKED_PATTERNS : blockedPatterns),
                    limits == null ? Map.of() : limits, priority == null ? IdentityRules.DEFAULT_PRIORITY : priority,
                    maxMergesPerProfile == null ? 100 : maxMergesPerProfile,
                    maxIdentifiersPerProfile == null ? 1000 : maxIdentifiersPerProfile, gmailDotInsensitive,
                    sharedTypes);
        }
    }

    /** The stock network: locations with the channels they serve, safety stock per channel. */
    public record Inventory(List<InventoryNetwork.LocationSettings> locations, Map<String, Long> safetyStock) {
        public Inventory {
            locations = locations == null ? List.of() : locations;
            safetyStock = safetyStock == null ? Map.of() : safetyStock;
        }
    }

    public enum BusType { ARTEMIS, KAFKA }

    public record Bus(BusType type, String kafkaBrokers, Duration sendTimeout) {
        public Bus {
            type = type == null ? BusType.ARTEMIS : type;
            sendTimeout = sendTimeout == null ? Duration.ofSeconds(30) : sendTimeout;
        }
    }

    /**
     * {@link dev.unison.hub.inbox.InboxDispatcher}: connections mapped at once by this instance
     * ({@code threads}), how long an instance keeps a connection without renewing its lease, and how
     * often it looks for due deliveries besides being woken by new ones.
     */
    public record Inbox(Integer threads, Duration lease, Duration pollInterval) {
        public Inbox {
            threads = threads == null ? 4 : threads;
            lease = lease == null ? Duration.ofSeconds(30) : lease;
            pollInterval = pollInterval == null ? Duration.ofMillis(200) : pollInterval;
            if (pollInterval.isNegative() || pollInterval.isZero()) {
                throw new IllegalArgumentException("unison.inbox.poll-interval must be positive, got " + pollInterval);
            }
        }
    }

    public record Outbox(boolean relayEnabled, int batchSize, Duration pollInterval, Duration maxBackoff,
            Duration retention, Duration shardLease) {
        public Outbox {
            shardLease = shardLease == null ? Duration.ofSeconds(15) : shardLease;
            if (batchSize <= 0 || batchSize > 10_000) {
                throw new IllegalArgumentException("unison.outbox.batch-size must be 1..10000, got " + batchSize);
            }
        }
    }

    /**
     * The partner API's HTTP edge (docs/security.md "HTTP edge"): per-partner rate limit,
     * failed-authentication throttling, request-body deadline.
     */
    public record Api(RateLimit rateLimit, AuthThrottle authThrottle, Edge edge) {
        public Api {
            rateLimit = rateLimit == null ? new RateLimit(null, null, null) : rateLimit;
            authThrottle = authThrottle == null ? new AuthThrottle(null, null, null) : authThrottle;
            edge = edge == null ? new Edge(null, null, null) : edge;
        }
    }

    /** Token bucket per partner: refill rate and capacity; 0 requests per second turns it off. */
    public record RateLimit(Double requestsPerSecond, Integer burst, Map<String, PartnerRate> partners) {
        public RateLimit {
            requestsPerSecond = requestsPerSecond == null ? 2000.0 : requestsPerSecond;
            burst = burst == null ? (int) Math.max(1, Math.ceil(requestsPerSecond * 2)) : burst;
            partners = partners == null ? Map.of() : partners;
            if (requestsPerSecond < 0 || burst < 1) {
                throw new IllegalArgumentException("unison.api.rate-limit: requests-per-second >= 0 and burst >= 1, got "
                        + requestsPerSecond + " / " + burst);
            }
        }
    }

    /** A partner's own rate (by partner name); an unset burst is twice the rate. */
    public record PartnerRate(double requestsPerSecond, Integer burst) {
        public PartnerRate {
            burst = burst == null ? (int) Math.max(1, Math.ceil(requestsPerSecond * 2)) : burst;
        }
    }

    /** Invalid keys from one address: {@code maxFailures} within {@code failureWindow} block it for {@code blockDuration}; 0 = off. */
    public record AuthThrottle(Integer maxFailures, Duration failureWindow, Duration blockDuration) {
        public AuthThrottle {
            maxFailures = maxFailures == null ? 20 : maxFailures;
            failureWindow = failureWindow == null ? Duration.ofMinutes(1) : failureWindow;
            blockDuration = blockDuration == null ? Duration.ofMinutes(1) : blockDuration;
        }
    }

    /**
     * Request bodies: all of it within {@code bodyReadTimeout} (else 408); health says DEGRADED while
     * at least {@code slowBodyAlert} bodies have been arriving for longer than {@code slowBodyAfter}.
     */
    public record Edge(Duration bodyReadTimeout, Duration slowBodyAfter, Integer slowBodyAlert) {
        public Edge {
            bodyReadTimeout = bodyReadTimeout == null ? Duration.ofSeconds(30) : bodyReadTimeout;
            slowBodyAfter = slowBodyAfter == null ? Duration.ofSeconds(2) : slowBodyAfter;
            slowBodyAlert = slowBodyAlert == null ? 10 : slowBodyAlert;
            if (bodyReadTimeout.isNegative() || bodyReadTimeout.isZero()) {
                throw new IllegalArgumentException("unison.api.edge.body-read-timeout must be positive, got " + bodyReadTimeout);
            }
        }
    }

    /**
     * The embedded H2 database: how often its file is forced to disk ({@link dev.unison.hub.jdbc.H2PeriodicSync};
     * zero turns the periodic sync off), and how it is kept compact while the hub runs.
     */
    public record Storage(Duration h2SyncInterval, H2Compaction h2Compaction, Monitor monitor) {
        public Storage {
            h2SyncInterval = h2SyncInterval == null ? Duration.ofSeconds(1) : h2SyncInterval;
            if (h2SyncInterval.isNegative()) {
                throw new IllegalArgumentException("unison.storage.h2-sync-interval must be 0 (off) or positive, got "
                        + h2SyncInterval);
            }
            h2Compaction = h2Compaction == null ? new H2Compaction(null, null, null, null, null, null) : h2Compaction;
            monitor = monitor == null ? new Monitor(null, null, null, null) : monitor;
        }
    }

    /**
     * {@link dev.unison.hub.retention.RetentionSweeper}: how often it runs, rows per delete, and how
     * long inbox rows, dead letters and finished reservations are kept (published outbox events:
     * {@code unison.outbox.retention}).
     */
    public record Retention(Duration sweepInterval, Integer batchSize, Duration inbox, Duration deadLetters,
            Duration reservations) {
        public Retention {
            sweepInterval = sweepInterval == null ? Duration.ofMinutes(10) : sweepInterval;
            batchSize = batchSize == null ? 5_000 : batchSize;
            inbox = inbox == null ? Duration.ofDays(7) : inbox;
            deadLetters = deadLetters == null ? Duration.ofDays(30) : deadLetters;
            reservations = reservations == null ? Duration.ofDays(7) : reservations;
        }
    }

    /** {@link dev.unison.hub.storage.StorageMonitor}: how often the data directory is measured and when it warns. */
    public record Monitor(Duration interval, Duration growthWindow, DataSize warnFreeBelow, Duration warnFullWithin) {
        public Monitor {
            interval = interval == null ? Duration.ofMinutes(1) : interval;
            growthWindow = growthWindow == null ? Duration.ofMinutes(10) : growthWindow;
            warnFreeBelow = warnFreeBelow == null ? DataSize.ofGigabytes(1) : warnFreeBelow;
            warnFullWithin = warnFullWithin == null ? Duration.ofHours(24) : warnFullWithin;
        }
    }

    /**
     * {@link dev.unison.hub.jdbc.H2Compaction}: a round every {@code interval} (zero turns it off)
     * rewrites or moves at most {@code budget} of the file while less than {@code targetFillRate}
     * percent of it is live; space that holds nothing live is reused after {@code retention}
     * (H2's 45 s when the periodic sync is off). Once the store has been quiet for {@code quietAfter}
     * (zero: never), rounds aim at {@code quietTargetFillRate} instead.
     */
    public record H2Compaction(Duration interval, Integer targetFillRate, DataSize budget, Duration retention,
            Duration quietAfter, Integer quietTargetFillRate) {
        public H2Compaction {
            interval = interval == null ? Duration.ofSeconds(1) : interval;
            targetFillRate = targetFillRate == null ? 50 : targetFillRate;
            quietAfter = quietAfter == null ? Duration.ofSeconds(60) : quietAfter;
            quietTargetFillRate = quietTargetFillRate == null ? 90 : quietTargetFillRate;
            budget = budget == null ? DataSize.ofMegabytes(4) : budget;
            retention = retention == null ? Duration.ofSeconds(10) : retention;
            if (interval.isNegative()) {
                throw new IllegalArgumentException("unison.storage.h2-compaction.interval must be 0 (off) or positive, got "
                        + interval);
            }
        }
    }
}
