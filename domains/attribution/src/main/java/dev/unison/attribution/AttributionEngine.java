package dev.unison.attribution;

import dev.unison.attribution.AttributionStore.CampaignSettings;
import dev.unison.attribution.AttributionStore.Candidate;
import dev.unison.attribution.AttributionStore.CreditRow;
import dev.unison.attribution.AttributionStore.DirtyMark;
import dev.unison.attribution.AttributionStore.ExposureToMatch;
import dev.unison.attribution.AttributionStore.NetworkSettings;
import dev.unison.canonical.model.ExposureKind;
import dev.unison.canonical.model.Identifier;
import dev.unison.connectors.kit.identity.Destination;
import dev.unison.connectors.kit.identity.DestinationHashing;
import dev.unison.identity.ProfileDirectory;
import dev.unison.platform.worker.BackgroundWorker;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps the credits current, in two steps.
 * <ol>
 * <li><b>Matching</b> (per shopper): a profile's identifiers give its keys (plain, and each
 *     network's hashed form of its emails and phones); its exposures, carts and orders are the ones
 *     holding those keys or belonging to it in the identity graph, and each records its profile. A
 *     profile is matched again when its identifiers changed (a new email, a merge: the identity
 *     domain's {@link dev.unison.identity.ProfileChangeListener}) or were never matched; otherwise
 *     a new order of it needs no matching (the digest of its keys is kept).</li>
 * <li><b>Crediting</b> (per order): an order's candidate touches are its shopper's exposures in the
 *     longest lookback before it, read in one query per batch of orders; {@link Attributor} picks
 *     the winners under every model, and they replace the order's credits.</li>
 * </ol>
 * What needs which comes from {@code attribution_dirty}, written in the transaction of each change:
 * an order stored (matched if its shopper is new, then credited), an exposure stored (matched by its
 * keys; then the orders of its shopper placed within its campaign's window after it are credited: a
 * late exposure re-credits exactly those), a cart, a profile whose identifiers changed (matched again,
 * all its orders credited), or every order (rules changed; page by page). Doing any of it twice
 * changes nothing. One instance at a time works the queue (the {@code attribution} row of
 * {@code job_lock}, held by a transaction that stays open for the round). A round's steps commit one
 * after the other, new exposures and the orders to credit in slices worked at once
 * ({@code unison.attribution.parallelism}, each slice its own transaction); the queue is updated
 * last, so a round that fails part-way is done again.
 */
public class AttributionEngine extends BackgroundWorker {

    private static final Logger LOG = LoggerFactory.getLogger(AttributionEngine.class);

    /** Shoppers per round of a full pass, at most: their orders and touches are held in memory at once. */
    private static final int FULL_PASS_PAGE = 4_000;

    private final AttributionStore store;
    private final ProfileDirectory directory;
    private final TransactionTemplate tx;
    private final TransactionTemplate work;
    /** Runs a round's slices at once (none when {@code parallelism} is 1); its threads end when idle. */
    private final ThreadPoolExecutor slicer;
    private final AttributionProperties settings;
    private final Clock clock;
    private final MeterRegistry meters;

    public AttributionEngine(AttributionStore store, ProfileDirectory directory, PlatformTransactionManager transactions,
            AttributionProperties settings, Clock clock, MeterRegistry meters) {
        super("attribution-engine", settings.pollInterval(), Duration.ofSeconds(30));
        this.store = store;
        this.directory = directory;
        this.tx = new TransactionTemplate(transactions);
        this.work = new TransactionTemplate(transactions);
        this.work.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        if (settings.parallelism() > 1) {
            AtomicInteger threads = new AtomicInteger();
            this.slicer = new ThreadPoolExecutor(settings.parallelism(), settings.parallelism(), 30, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "attribution-engine-slice-" + threads.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            this.slicer.allowCoreThreadTimeOut(true);
        } else {
            this.slicer = null;
        }
        this.settings = settings;
        this.clock = clock;
        this.meters = meters;
    }

    @Override
    protected boolean runRound() {
        // the lock's transaction stays open for the round; the work commits in transactions of its own, some at once
        Boolean more = tx.execute(status -> {
            if (store.jdbc().queryForList("SELECT name FROM job_lock WHERE name = 'attribution' FOR UPDATE SKIP LOCKED",
                    String.class).isEmpty()) {
                return false; // another instance is attributing
            }
            return round();
        });
        return Boolean.TRUE.equals(more);
    }

    /** Works off every queued item now, on the caller's thread (tests, benchmarks). */
    public void drain() {
        while (runRound()) {
            // each round commits on its own
        }
    }

    /** The rules in force this round: windows per campaign, the hashings in use, the longest lookback. */
    private final class Rules {
        final Map<String, NetworkSettings> networks = new HashMap<>();
        final Map<String, CampaignSettings> campaigns = new HashMap<>();
        final Set<Destination> hashings = new HashSet<>(ExposureKeys.DEFAULT_HASHINGS);
        final int maxDays;
        final int maxClickDays;
        final int maxViewDays;

        Rules() {
            store.networks().forEach(n -> {
                networks.put(n.network(), n);
                hashings.add(Destination.valueOf(n.hashing()));
            });
            store.campaigns().forEach(c -> campaigns.put(c.network() + "\u0000" + c.campaignId(), c));
            int click = settings.defaultWindows().clickDays();
            int view = settings.defaultWindows().viewDays();
            for (NetworkSettings n : networks.values()) {
                click = Math.max(click, orZero(n.clickLookbackDays()));
                view = Math.max(view, orZero(n.viewLookbackDays()));
            }
            for (CampaignSettings c : campaigns.values()) {
                click = Math.max(click, orZero(c.clickLookbackDays()));
                view = Math.max(view, orZero(c.viewLookbackDays()));
            }
            maxClickDays = click;
            maxViewDays = view;
            maxDays = Math.max(click, view);
        }

        LookbackWindows windows(String network, String campaignId) {
            return windowsOf(network, campaignId, networks, campaigns);
        }
    }

    private static int orZero(Integer v) {
        return v == null ? 0 : v;
    }

    /** Records how long each step of a round took ({@code unison_attribution_step_seconds{step}}): where a round's time goes. */
    private <T> T timed(String step, java.util.function.Supplier<T> work) {
        long t0 = System.nanoTime();
        try {
            return work.get();
        } finally {
            meters.timer("unison_attribution_step_seconds", "step", step).record(System.nanoTime() - t0,
                    TimeUnit.NANOSECONDS);
        }
    }

    private void timed(String step, Runnable work) {
        timed(step, () -> {
            work.run();
            return null;
        });
    }

    /**
     * One round, in four steps, each committed before the next reads: (1) the queue and what is
     * cheap or must be serial (new orders, carts, shoppers to match, the next page of a full pass);
     * (2) new exposures, in slices at once; (3) the orders to credit, in slices at once; (4) the
     * queue updated. A failure leaves the queue as it was: every step is safe to do again.
     */
    private boolean round() {
        Plan plan = work.execute(status -> plan());
        if (plan == null) {
            return false;
        }
        Set<String> creditOrders = new TreeSet<>(plan.creditOrders);
        if (!plan.exposureIds.isEmpty()) {
            inSlices(slices(plan.exposureIds), slice -> work.execute(status -> matchExposures(slice, plan.rules)))
                    .forEach(creditOrders::addAll);
        }
        List<Runnable> credits = new ArrayList<>();
        slices(List.copyOf(creditOrders)).forEach(slice -> credits.add(() -> credit(slice, plan.rules)));
        // a full pass's page of shoppers, split by profile into ranges (neighbours on disk)
        slices(plan.page).forEach(range -> credits.add(() -> timed("all",
                () -> creditProfileRange(range.get(0), range.get(range.size() - 1), plan.rules))));
        inSlices(credits, task -> work.execute(status -> {
            task.run();
            return null;
        }));
        work.executeWithoutResult(status -> timed("queue", () -> {
            plan.requeue.forEach(store::requeue);
            if (!plan.page.isEmpty()) {
                store.mark(AttributionStore.Mark.ALL, plan.page.get(plan.page.size() - 1));
            }
            store.deleteMarks(plan.done);
        }));
        meters.counter("unison_attribution_orders_credited_total").increment(creditOrders.size());
        // a full batch means more is queued, unless all of it was orders waiting for their identity verdict
        return !plan.page.isEmpty() || (plan.done.size() == settings.batchSize() && plan.requeue.size() < plan.done.size());
    }

    /** What a round does after its first step. */
    private record Plan(Rules rules, List<Long> done, List<DirtyMark> requeue, List<Long> exposureIds, Set<String> creditOrders,
            List<String> page) {
    }

    /** Step 1: reads the queue, links new orders, matches carts and shoppers; returns the rest of the round (null: idle). */
    private Plan plan() {
        List<DirtyMark> marks = timed("queue", () -> store.nextMarks(settings.batchSize()));
        if (marks.isEmpty()) {
            return null;
        }
        Rules rules = new Rules();
        Set<String> creditOrders = new LinkedHashSet<>();
        Set<String> rematch = new LinkedHashSet<>(); // identifiers changed: match again, credit all their orders
        Set<String> matchIfNew = new LinkedHashSet<>(); // a new order's shopper: match only if never matched with these keys
        List<Long> done = new ArrayList<>(marks.size());
        List<DirtyMark> orderMarks = new ArrayList<>();
        List<Long> exposureIds = new ArrayList<>();
        List<String> cartKeys = new ArrayList<>();
        List<DirtyMark> requeue = new ArrayList<>();
        DirtyMark all = null;
        for (DirtyMark m : marks) {
            switch (m.kind()) {
                case "order" -> orderMarks.add(m);
                case "exposure" -> exposureIds.add(Long.parseLong(m.ref()));
                case "cart" -> cartKeys.add(m.ref());
                // a restart ("") wins over a pass under way: rules changed since that pass began
                case "all" -> all = all == null || m.ref().compareTo(all.ref()) < 0 ? m : all;
                default -> rematch.add(m.ref());
            }
            done.add(m.seq());
        }
        if (!orderMarks.isEmpty()) {
            timed("orders", () -> linkOrders(orderMarks, matchIfNew, creditOrders, requeue));
        }
        if (!cartKeys.isEmpty()) {
            timed("carts", () -> matchCarts(cartKeys));
        }
        Set<String> creditProfiles = timed("profiles", () -> {
            Set<String> changed = match(rematch, true, rules);
            matchIfNew.removeAll(rematch);
            changed.addAll(match(matchIfNew, false, rules));
            return changed;
        });
        timed("profiles", () -> store.ordersOfProfiles(creditProfiles).values()
                .forEach(orders -> orders.forEach(o -> creditOrders.add(o.getKey()))));
        List<String> page = List.of();
        if (all != null) {
            // every order again, one page of shoppers per round
            if (all.ref().isEmpty()) {
                store.clearCreditsOfOrdersWithoutShopper();
            }
            String after = all.ref();
            page = timed("all", () -> store.profilesWithOrdersAfter(after, Math.min(settings.batchSize() * 2, FULL_PASS_PAGE)));
        }
        Collections.sort(exposureIds); // slices of neighbours
        return new Plan(rules, done, requeue, exposureIds, creditOrders, page);
    }

    /** Splits work into at most {@link AttributionProperties#parallelism()} slices of neighbours. */
    private <T> List<List<T>> slices(List<T> items) {
        if (items.isEmpty()) {
            return List.of();
        }
        int n = Math.min(settings.parallelism(), items.size());
        List<List<T>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(items.subList(items.size() * i / n, items.size() * (i + 1) / n));
        }
        return out;
    }

    /** Runs each slice in its own transaction, at once; returns their results once all are done, or the first failure. */
    private <T, R> List<R> inSlices(List<T> slices, Function<T, R> task) {
        if (slices.size() <= 1 || slicer == null) {
            return slices.stream().map(task).toList();
        }
        List<Future<R>> running = slices.stream().map(slice -> slicer.submit(() -> task.apply(slice))).toList();
        List<R> out = new ArrayList<>();
        RuntimeException failure = null;
        for (Future<R> f : running) {
            try {
                out.add(f.get()); // every slice ends before the round does, failed or not
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure == null ? new IllegalStateException("interrupted while attributing", e) : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return out;
    }

    /**
     * New orders meet their shopper (the identity group's verdict); an order whose verdict is not
     * there yet goes back to the end of the queue (in the round's last step).
     */
    private void linkOrders(List<DirtyMark> orderMarks, Set<String> matchIfNew, Set<String> creditOrders,
            List<DirtyMark> requeue) {
        {
            Map<String, Optional<String>> verdicts = directory.profilesOfTransactions(orderMarks.stream().map(DirtyMark::ref).toList());
            Map<String, String> live = directory.liveProfiles(verdicts.values().stream().flatMap(Optional::stream).toList());
            Map<String, String> orderProfiles = new HashMap<>();
            for (DirtyMark m : orderMarks) {
                Optional<String> verdict = verdicts.get(m.ref());
                if (verdict != null) {
                    verdict.map(live::get).ifPresent(p -> {
                        orderProfiles.put(m.ref(), p);
                        matchIfNew.add(p);
                    });
                    creditOrders.add(m.ref()); // no shopper: its credits (none) are cleared, nothing else
                } else if (Duration.between(m.markedAt(), clock.instant()).compareTo(settings.orderLinkWait()) < 0) {
                    // the identity group has not handled this order yet: look again after the rest of the queue
                    requeue.add(m);
                } else {
                    meters.counter("unison_attribution_orders_unlinked_total").increment();
                    LOG.info("order {} never reached the identity group within {}; left unattributed", m.ref(),
                            settings.orderLinkWait());
                }
            }
            store.setOrderProfiles(orderProfiles);
        }
    }

    /** Matches new exposures to shoppers; returns the orders each can count for (placed within its window after it). */
    private Set<String> matchExposures(List<Long> exposureIds, Rules rules) {
        Set<String> creditOrders = new HashSet<>();
        Map<Long, ExposureToMatch> exposures = timed("exposure-keys", () -> store.exposuresToMatch(exposureIds));
        Map<String, String> profileByKey = timed("exposure-holders",
                () -> profilesOfKeys(exposures.values().stream().flatMap(e -> e.keys().stream()).distinct().toList()));
        Map<Long, String> matched = new HashMap<>();
        // an exposure can change only the orders it qualifies for: placed within its own campaign's window after it
        Map<String, List<ExposureToMatch>> exposuresOf = new HashMap<>();
        exposures.values().forEach(e -> e.keys().stream().map(profileByKey::get).filter(p -> p != null).sorted().findFirst()
                .ifPresent(p -> {
                    matched.put(e.id(), p);
                    exposuresOf.computeIfAbsent(p, k -> new ArrayList<>()).add(e);
                }));
        timed("exposure-record", () -> store.setExposureProfiles(matched));
        if (matched.isEmpty()) {
            return creditOrders;
        }
        Instant earliest = exposures.values().stream().filter(e -> matched.containsKey(e.id())).map(ExposureToMatch::exposedAt)
                .min(Instant::compareTo).orElseThrow();
        timed("exposure-orders", () -> store.ordersOfProfiles(exposuresOf.keySet(), earliest)).forEach((profile, orders) -> {
            for (Map.Entry<String, Instant> order : orders) {
                for (ExposureToMatch e : exposuresOf.get(profile)) {
                    LookbackWindows w = rules.windows(e.network(), e.campaignId());
                    int days = ExposureKind.fromWireName(e.kind()) == ExposureKind.CLICK ? w.clickDays() : w.viewDays();
                    if (!order.getValue().isBefore(e.exposedAt())
                            && Duration.between(e.exposedAt(), order.getValue()).compareTo(Duration.ofDays(days)) <= 0) {
                        creditOrders.add(order.getKey());
                        break;
                    }
                }
            }
        });
        return creditOrders;
    }

    private void matchCarts(List<String> cartKeys) {
        Map<String, List<String>> keysByCart = store.keysOfCarts(cartKeys);
        Map<String, String> profileByKey = profilesOfKeys(keysByCart.values().stream().flatMap(List::stream).distinct().toList());
        Map<String, String> matched = new HashMap<>();
        keysByCart.forEach((cart, keys) -> keys.stream().map(profileByKey::get).filter(p -> p != null).sorted().findFirst()
                .ifPresent(p -> matched.put(cart, p)));
        store.setCartProfiles(matched);
    }

    /**
     * The live profile holding each key: the profiles recorded with it when matched (followed to the
     * survivor of a merge since), else the identity graph's holder of the key as an identifier (a
     * shopper not matched yet; a hashed email held as such). Of several, the first by id.
     */
    private Map<String, String> profilesOfKeys(List<String> keys) {
        Map<String, List<String>> recorded = store.profilesHoldingKeys(keys);
        List<Identifier> unknown = keys.stream().filter(k -> !recorded.containsKey(k)).map(Identifier::parse).toList();
        Map<Identifier, String> holders = unknown.isEmpty() ? Map.of() : directory.holders(unknown);
        Set<String> candidates = new HashSet<>(holders.values());
        recorded.values().forEach(candidates::addAll);
        if (candidates.isEmpty()) {
            return Map.of();
        }
        Map<String, String> live = directory.liveProfiles(candidates);
        Map<String, String> out = new HashMap<>();
        for (String key : keys) {
            TreeSet<String> found = new TreeSet<>();
            List<String> held = recorded.get(key);
            if (held != null) {
                held.stream().map(live::get).filter(p -> p != null).forEach(found::add);
            } else {
                Optional.ofNullable(holders.get(Identifier.parse(key))).map(live::get).ifPresent(found::add);
            }
            if (!found.isEmpty()) {
                out.put(key, found.first());
            }
        }
        return out;
    }

    /**
     * Matches profiles: their exposures, carts and orders are found by their keys and the identity
     * graph and record the profile. Without {@code force}, a profile already matched with the same
     * keys is skipped. Returns the profiles whose orders must be credited again.
     */
    private Set<String> match(Set<String> requested, boolean force, Rules rules) {
        if (requested.isEmpty()) {
            return new LinkedHashSet<>();
        }
        Map<String, String> live = directory.liveProfiles(requested);
        Set<String> profiles = new TreeSet<>(live.values());
        Map<String, List<Identifier>> identifiers = directory.identifiersOf(profiles);
        Map<String, Map<String, Identifier>> keysOf = new LinkedHashMap<>();
        Map<String, String> digests = new HashMap<>();
        for (String p : profiles) {
            Map<String, Identifier> keys = ExposureKeys.ofProfile(identifiers.getOrDefault(p, List.of()), rules.hashings);
            keysOf.put(p, keys);
            digests.put(p, DestinationHashing.sha256Hex(String.join("\n", new TreeSet<>(keys.keySet()))));
        }
        if (!force) {
            Map<String, String> stored = store.keyDigests(profiles);
            profiles.removeIf(p -> digests.get(p).equals(stored.get(p)));
            if (profiles.isEmpty()) {
                return new LinkedHashSet<>();
            }
        }
        Map<String, Set<String>> profilesByKey = new HashMap<>();
        Map<String, Set<String>> keysByProfile = new HashMap<>();
        for (String p : profiles) {
            keysOf.get(p).keySet().forEach(key -> profilesByKey.computeIfAbsent(key, k -> new TreeSet<>()).add(p));
            keysByProfile.put(p, keysOf.get(p).keySet());
        }
        store.replaceProfileKeys(keysByProfile);

        Map<Long, String> exposureProfiles = new HashMap<>();
        Map<String, String> cartProfiles = new HashMap<>();
        if (!profilesByKey.isEmpty()) {
            store.exposuresByKeys(profilesByKey.keySet()).forEach((exposure, keys) -> keys.stream()
                    .flatMap(k -> profilesByKey.getOrDefault(k, Set.of()).stream()).sorted().findFirst()
                    .filter(p -> !p.equals(exposure.profileId())).ifPresent(p -> exposureProfiles.put(exposure.id(), p)));
            Map<String, List<String>> keysByCart = new HashMap<>();
            Map<String, String> current = store.cartProfilesByKeys(profilesByKey.keySet(), keysByCart);
            keysByCart.forEach((cart, keys) -> keys.stream().flatMap(k -> profilesByKey.getOrDefault(k, Set.of()).stream())
                    .sorted().findFirst().filter(p -> !p.equals(current.get(cart))).ifPresent(p -> cartProfiles.put(cart, p)));
        }
        store.setExposureProfiles(exposureProfiles);
        store.setCartProfiles(cartProfiles);

        // orders follow the identity graph (after a merge, the survivor's)
        Map<String, String> orderProfiles = new HashMap<>();
        directory.transactionsOf(profiles).forEach((p, ids) -> ids.forEach(id -> orderProfiles.put(id, p)));
        Map<String, AttributionStore.StoredOrder> known = store.orders(orderProfiles.keySet());
        orderProfiles.entrySet().removeIf(o -> !known.containsKey(o.getKey())
                || o.getValue().equals(known.get(o.getKey()).profileId()));
        store.setOrderProfiles(orderProfiles);
        store.putKeyDigests(Map.copyOf(profiles.stream().collect(java.util.stream.Collectors.toMap(p -> p, digests::get))));
        meters.counter("unison_attribution_profiles_matched_total").increment(profiles.size());
        return new LinkedHashSet<>(profiles);
    }

    /** Credits these orders from scratch: their candidate touches, the rules, the winners replace their credits. */
    private void credit(Collection<String> orderIds, Rules rules) {
        List<String> ids = List.copyOf(orderIds);
        for (int from = 0; from < ids.size(); from += 10_000) {
            List<String> page = ids.subList(from, Math.min(ids.size(), from + 10_000));
            Credits credits = new Credits(rules);
            timed("credit-read", () -> store.candidates(page, rules.maxClickDays, rules.maxViewDays, credits::add));
            List<CreditRow> rows = timed("credit-rules", credits::rows);
            timed("credit-write", () -> store.replaceCredits(page, rows));
        }
    }

    /** Credits every order of the profiles from {@code first} to {@code last} (by id) from scratch. */
    private void creditProfileRange(String first, String last, Rules rules) {
        Credits credits = new Credits(rules);
        store.candidatesOfProfiles(first, last, rules.maxClickDays, rules.maxViewDays, credits::add);
        store.replaceCredits(credits.orders.keySet(), credits.rows());
    }

    /** Candidate rows in, credit rows out: one row per qualifying touch, flagged with the last and first touch. */
    private static final class Credits {
        final Rules rules;
        final Map<String, Candidate> orders = new LinkedHashMap<>();
        final Map<String, List<Attributor.Touch>> touches = new HashMap<>();

        Credits(Rules rules) {
            this.rules = rules;
        }

        void add(Candidate c) {
            orders.putIfAbsent(c.orderId(), c);
            if (c.exposure() != null) {
                touches.computeIfAbsent(c.orderId(), k -> new ArrayList<>()).add(new Attributor.Touch(c.exposure(),
                        c.network(), c.campaignId(), ExposureKind.fromWireName(c.kind()), c.exposedAt()));
            }
        }

        List<CreditRow> rows() {
            Function<Attributor.Touch, LookbackWindows> windows = t -> rules.windows(t.network(), t.campaignId());
            List<CreditRow> rows = new ArrayList<>();
            for (Candidate o : orders.values()) {
                List<Attributor.Touch> ts = touches.get(o.orderId());
                if (ts == null || o.profileId() == null) {
                    continue;
                }
                long last = -1;
                long first = -1;
                List<Attributor.Credit> linear = new ArrayList<>();
                for (Attributor.Credit c : Attributor.attribute(o.placedAt(), ts, windows)) {
                    switch (c.model()) {
                        case LAST_TOUCH -> last = c.touch().exposure();
                        case FIRST_TOUCH -> first = c.touch().exposure();
                        case LINEAR -> linear.add(c);
                    }
                }
                for (Attributor.Credit c : linear) {
                    rows.add(new CreditRow(o.orderId(), c.touch().exposure(), o.profileId(), c.touch().network(),
                            c.touch().campaignId(), c.touch().kind().wireName(), c.touch().at(), c.touch().exposure() == last,
                            c.touch().exposure() == first, c.touches(), c.clicks(), c.views(), c.windows().clickDays(),
                            c.windows().viewDays()));
                }
            }
            return rows;
        }
    }

    /** A campaign's windows: its own settings, else its network's, else the hub's defaults. */
    LookbackWindows windowsOf(String network, String campaignId, Map<String, NetworkSettings> networks,
            Map<String, CampaignSettings> campaigns) {
        LookbackWindows w = settings.defaultWindows();
        NetworkSettings n = networks.get(network);
        if (n != null) {
            w = w.with(n.clickLookbackDays(), n.viewLookbackDays());
        }
        CampaignSettings c = campaigns.get(network + "\u0000" + campaignId);
        if (c != null) {
            w = w.with(c.clickLookbackDays(), c.viewLookbackDays());
        }
        return w;
    }

    /** The windows in force for one campaign now. */
    public LookbackWindows windowsOf(String network, String campaignId) {
        return new Rules().windows(network, campaignId);
    }
}
