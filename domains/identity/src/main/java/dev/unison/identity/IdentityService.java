package dev.unison.identity;

import dev.unison.connectors.kit.log.LogSafe;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.identity.IdentityResolver;
import dev.unison.canonical.identity.Observation;
import dev.unison.canonical.identity.Rejection;
import dev.unison.canonical.identity.Resolution;
import dev.unison.canonical.identity.ScreenedObservation;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.CustomerAccount;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.ProfileMerge;
import dev.unison.platform.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Resolves observations into profiles in SQL: one transaction of its own per observation (so a
 * retry after a lost race never rolls back the caller's work), retried when a concurrent
 * observation created or merged the same profiles first. A merge is published as
 * {@code commerce.profile.merged.v1} through the outbox in the same transaction.
 */
public class IdentityService {

    private static final Logger LOG = LoggerFactory.getLogger(IdentityService.class);
    private static final URI SOURCE = URI.create("/hub/identity");
    private static final int MAX_ATTEMPTS = 10;
    /** How long a batch waits for the batches ahead of it before it is refused (503: send it again). */
    private static final java.time.Duration BATCH_TURN_WAIT = java.time.Duration.ofSeconds(20);

    private final IdentityResolver resolver;
    private final JdbcIdentityGraph graph;
    private final JdbcTemplate jdbc;
    private final Outbox outbox;
    private final TransactionTemplate ownTransaction;
    private final Clock clock;
    private final MeterRegistry meters;
    private final List<ProfileChangeListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public IdentityService(IdentityResolver resolver, JdbcTemplate jdbc, PlatformTransactionManager transactions, Outbox outbox,
            Clock clock, MeterRegistry meters) {
        this.resolver = resolver;
        this.graph = new JdbcIdentityGraph(jdbc, clock);
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.ownTransaction = new TransactionTemplate(transactions);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.clock = clock;
        this.meters = meters;
    }

    /** Adds a listener told of every profile whose identifiers changed, in the changing transaction. */
    public void addListener(ProfileChangeListener listener) {
        listeners.add(listener);
    }

    /** Tells the listeners which of these resolutions changed a profile's identifiers (new ones, or a merge). */
    private void tellListeners(List<Resolution> resolutions) {
        if (listeners.isEmpty()) {
            return;
        }
        java.util.Set<String> changed = new java.util.LinkedHashSet<>();
        for (Resolution r : resolutions) {
            if (r.outcome() == Resolution.Outcome.MERGED || r.outcome() == Resolution.Outcome.ATTACHED) {
                changed.add(r.profileId());
            }
        }
        if (!changed.isEmpty()) {
            listeners.forEach(l -> l.profilesChanged(changed));
        }
    }

    public IdentityResolver resolver() {
        return resolver;
    }

    /** Resolves identifiers seen together (a partner's link, a customer record). */
    public Resolution resolve(Observation observation) {
        return resolve(resolver.screen(observation), null, null);
    }

    /** Resolves identifiers screened before ({@link IdentityResolver#screen(Observation)}): they are not normalized again. */
    public Resolution resolve(ScreenedObservation screened) {
        return resolve(screened, null, null);
    }

    /**
     * Resolves many sightings in one transaction, in the order given, with the same rules as
     * {@link #resolve(Observation)} one by one: every profile they can reach is read and locked
     * once ({@link StagedIdentityGraph}), the sightings are resolved against that copy, and the
     * changes are written in a few batched statements (a backfill's path). Batches of one hub
     * instance take turns (they would only make each other retry); batches of several instances
     * lock in the same profile-id order as single sightings and repeat after a lost race.
     */
    public List<Resolution> resolveAll(List<ScreenedObservation> observations) {
        try {
            // bounded: a burst of batches must not hold the request threads every other door shares
            if (!batchTurn.tryLock(BATCH_TURN_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new org.springframework.dao.CannotAcquireLockException("other identity batches are being resolved; "
                        + "waited " + BATCH_TURN_WAIT.toSeconds() + " s for a turn");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.springframework.dao.CannotAcquireLockException("interrupted while waiting for a turn", e);
        }
        try {
            return retryingLostRaces("identity batch", () -> {
                List<Resolution> resolutions = ownTransaction.execute(status -> resolveStaged(observations));
                resolutions.forEach(r -> count(r, null, false));
                meters.counter("unison_identity_batches_total").increment();
                return resolutions;
            });
        } finally {
            batchTurn.unlock();
        }
    }

    /**
     * The batch path inside the current transaction: every profile the sightings can reach read
     * and locked once, the sightings resolved in order against that copy, the changes written in a
     * few batched statements.
     */
    private List<Resolution> resolveStaged(List<ScreenedObservation> observations) {
        if (postgres()) {
            // every read of a batch is by key or profile id, and an index serves it; but
            // statistics gathered while the identity tables were small (a fresh hub being
            // backfilled) made the planner scan them whole, and cached plans kept doing so
            // as the tables grew: batch latency went from 0.3 s to 5 s over the first 80,000
            // identifiers. Plans from this batch's values, no sequential scans, for this
            // transaction only (PostgreSQL "Query Planning" settings, SET LOCAL).
            jdbc.execute("SET LOCAL plan_cache_mode = force_custom_plan");
            jdbc.execute("SET LOCAL enable_seqscan = off");
        }
        java.util.Set<String> keys = new java.util.LinkedHashSet<>();
        observations.forEach(o -> keys.addAll(o.matchKeys()));
        StagedIdentityGraph staged = StagedIdentityGraph.load(jdbc, keys, clock.instant(), postgres());
        List<Resolution> out = new ArrayList<>(observations.size());
        for (ScreenedObservation observation : observations) {
            out.add(resolver.resolve(observation, staged));
        }
        staged.flush(jdbc);
        tellListeners(out);
        for (int i = 0; i < out.size(); i++) {
            Resolution r = out.get(i);
            if (r.outcome() == Resolution.Outcome.MERGED) {
                appendMerge(r, observations.get(i).observation().source());
            }
        }
        return out;
    }

    /**
     * The intake of single sightings from the partner API ({@code POST /api/v1/identities}):
     * sightings sent at the same moment are resolved together, in arrival order, by the batch path
     * in one transaction, with the same rules as one at a time. One transaction per sighting was
     * most of a sighting's cost (a commit, and the same profiles read again by every request). A
     * group that loses a race with another writer is resolved again one sighting at a time, each
     * retrying its lost races as a single sighting always has.
     * Refuses with {@link dev.unison.connectors.kit.spi.Overloaded} (503) once the oldest sighting
     * waiting has waited longer than {@code maxQueueWait}.
     */
    public dev.unison.platform.jdbc.GroupCommit<ScreenedObservation, Resolution> sightingIntake(java.time.Duration maxQueueWait) {
        return new dev.unison.platform.jdbc.GroupCommit<>("identities", ownTransaction, group -> {
            List<Resolution> resolutions = resolveStaged(group);
            resolutions.forEach(r -> count(r, null, false));
            return resolutions;
        }, this::resolve, ProfileApiRoutes.MAX_SIGHTINGS, 1, maxQueueWait, meters);
    }

    private Boolean postgres;

    private boolean postgres() {
        if (postgres == null) {
            postgres = Boolean.TRUE.equals(jdbc.execute((java.sql.Connection c) ->
                    c.getMetaData().getDatabaseProductName().startsWith("PostgreSQL")));
        }
        return postgres;
    }

    private final java.util.concurrent.locks.ReentrantLock batchTurn = new java.util.concurrent.locks.ReentrantLock(true);

    private void appendMerge(Resolution r, String source) {
        ProfileMerge merge = new ProfileMerge(r.profileId(), r.merged(), r.used(), source, clock.instant());
        outbox.append("events", CanonicalEvent.of("profile-merge:" + r.merged().get(0), EventType.PROFILE_MERGED,
                SOURCE, CanonicalJson.toTree(merge), merge.mergedAt()));
    }

    /**
     * Resolves a transaction's identifiers and records the transaction under its profile (or
     * under none), once per transaction id: the identity resolution rate counts it.
     */
    public Resolution resolveTransaction(Observation observation, String transactionId, String channel) {
        return resolve(resolver.screen(observation), transactionId, channel);
    }

    /** The bus side: orders of every channel (incl. till sales) and channel customer records. */
    public void observe(CanonicalEvent event) {
        String source = event.source().toString();
        if (event.type() == EventType.ORDER_PLACED || event.type() == EventType.ORDER_UPDATED) {
            Order order = event.dataAs(Order.class);
            resolveTransaction(new Observation(source(order.channel(), source), order.placedAt() == null ? event.time()
                    : order.placedAt(), order.identifiers()), order.id(), order.channel());
        } else if (event.type() == EventType.CUSTOMER_UPSERTED) {
            CustomerAccount account = event.dataAs(CustomerAccount.class);
            List<Identifier> ids = new ArrayList<>(account.identifiers());
            ids.add(new Identifier(IdentifierType.CHANNEL_CUSTOMER_ID, account.id()));
            resolve(new Observation(source(account.channel(), source), account.updatedAt() == null ? event.time()
                    : account.updatedAt(), ids));
        }
    }

    private static String source(String channel, String eventSource) {
        String s = channel + " " + eventSource;
        return s.length() <= 128 ? s : s.substring(0, 128);
    }

    private Resolution resolve(ScreenedObservation screened, String transactionId, String channel) {
        Observation observation = screened.observation();
        Optional<Resolution> nothingToResolve = resolver.unresolvable(screened);
        if (nothingToResolve.isPresent()) {
            // no lookup, no race: the transaction is recorded as unlinked in the caller's transaction
            boolean first = transactionId != null && link(transactionId, channel, null, observation.at());
            count(nothingToResolve.get(), first ? channel : null, false);
            return nothingToResolve.get();
        }
        return retryingLostRaces("identity", () -> {
            boolean[] firstAndKnown = new boolean[2];
            Resolution resolution = ownTransaction.execute(status -> {
                Resolution r = resolver.resolve(screened, graph);
                if (transactionId != null) {
                    firstAndKnown[0] = link(transactionId, channel, r.profileId(), observation.at());
                    firstAndKnown[1] = firstAndKnown[0] && known(r.profileId());
                }
                if (r.outcome() == Resolution.Outcome.MERGED) {
                    appendMerge(r, observation.source());
                }
                tellListeners(List.of(r));
                return r;
            });
            count(resolution, firstAndKnown[0] ? channel : null, firstAndKnown[1]);
            return resolution;
        });
    }

    /**
     * Runs {@code work} (its own transaction) again when it lost a race: another observation
     * created, extended or merged the same profiles first, so it looks again. Anything else (a
     * value too long, the database gone) fails at once, not ten times.
     */
    private <T> T retryingLostRaces(String what, java.util.function.Supplier<T> work) {
        for (int attempt = 1;; attempt++) {
            try {
                return work.get();
            } catch (DataAccessException failure) {
                if (!lostRace(failure) || attempt >= MAX_ATTEMPTS) {
                    throw failure;
                }
                meters.counter("unison_identity_retries_total").increment();
                LOG.debug("{} race on attempt {} ({}); retrying", what, attempt, LogSafe.of(failure.getMessage(), 1000));
                sleepQuietly(ThreadLocalRandom.current().nextInt(1, 5 * attempt));
            }
        }
    }

    /**
     * Records the transaction under its profile, once; true when this call recorded it, so the
     * counter counts transactions, not redeliveries or order updates. (An update that brings the
     * first identifier links the recorded transaction; the counter keeps its first verdict, the
     * API's rate, computed from the table, shows the link.)
     */
    private boolean link(String transactionId, String channel, String profileId, Instant at) {
        int inserted = jdbc.update("INSERT INTO identity_transaction (transaction_id, channel, profile_id, occurred_at) "
                + "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", transactionId, channel, profileId, JdbcIdentityGraph.ts(at));
        if (inserted == 0 && profileId != null
                && jdbc.update("UPDATE identity_transaction SET profile_id = ? WHERE transaction_id = ? AND profile_id IS NULL",
                        profileId, transactionId) > 0) {
            // a transaction recorded with nobody now has a shopper: what derives from the profile's transactions looks again
            listeners.forEach(l -> l.profilesChanged(List.of(profileId)));
        }
        return inserted == 1;
    }

    /** A known profile stands for a person: it holds an identifier that is not of a shared type. */
    private boolean known(String profileId) {
        if (profileId == null) {
            return false;
        }
        List<String> shared = new ArrayList<>();
        for (IdentifierType type : IdentifierType.values()) {
            if (resolver.rules().shared(type)) {
                shared.add(type.wireName());
            }
        }
        List<Object> args = new ArrayList<>(shared);
        args.add(0, profileId);
        return !jdbc.queryForList("SELECT 1 FROM identity_identifier WHERE profile_id = ?"
                + (shared.isEmpty() ? "" : " AND type NOT IN (" + JdbcIdentityGraph.marks(shared.size()) + ")")
                + " FETCH FIRST 1 ROWS ONLY", args.toArray()).isEmpty();
    }

    /** Whether a failure is a lost race worth repeating: a duplicate identifier, a lock or deadlock, H2's concurrent update. */
    static boolean lostRace(DataAccessException failure) {
        if (failure instanceof DuplicateKeyException || failure instanceof ConcurrencyFailureException
                || failure instanceof TransientDataAccessException) {
            return true;
        }
        Throwable cause = failure.getMostSpecificCause();
        // H2 90131: "concurrent update in table" (MVStore row conflict); Spring has no code for it
        return cause instanceof java.sql.SQLException sql && sql.getErrorCode() == 90131;
    }

    /** @param channel the channel of a transaction recorded for the first time by this call, else null */
    private void count(Resolution r, String channel, boolean known) {
        meters.counter("unison_identity_resolutions_total", "outcome", r.outcome().name().toLowerCase(Locale.ROOT))
                .increment();
        for (Rejection rej : r.rejected()) {
            meters.counter("unison_identity_identifiers_rejected_total", "type", rej.identifier().type().wireName(), "reason",
                    rej.reason().wireName()).increment();
        }
        if (r.outcome() == Resolution.Outcome.MERGED) {
            meters.counter("unison_identity_merges_total").increment(r.merged().size());
        }
        if (channel != null) {
            meters.counter("unison_identity_transactions_total", "channel", channel, "resolved", Boolean.toString(known))
                    .increment();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying identity resolution", e);
        }
    }
}
