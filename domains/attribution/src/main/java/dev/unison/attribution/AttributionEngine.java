package dev.unison.attribution;

import dev.unison.attribution.AttributionStore.CampaignSettings;
import dev.unison.attribution.AttributionStore.Candidate;
import dev.unison.attribution.AttributionStore.CreditRow;
import dev.unison.attribution.AttributionStore.DirtyMark;
import dev.unison.attribution.AttributionStore.NetworkSettings;
import dev.unison.attribution.AttributionStore.StoredExposure;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.PlatformTransactionManager;
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
 * keys; then the orders of its shopper placed within the lookback after it are credited: a late
 * exposure re-credits exactly those), a cart, a profile whose identifiers changed (matched again,
 * all its orders credited), or every order (rules changed; page by page). Doing any of it twice
 * changes nothing. One instance at a time works the queue (the {@code attribution} row of
 * {@code job_lock}); each round is one transaction.
 */
public class AttributionEngine extends BackgroundWorker {

    private static final Logger LOG = LoggerFactory.getLogger(AttributionEngine.class);

    private final AttributionStore store;
    private final ProfileDirectory directory;
    private final TransactionTemplate tx;
    private final AttributionProperties settings;
    private final Clock clock;
    private final MeterRegistry meters;

    public AttributionEngine(AttributionStore store, ProfileDirectory directory, PlatformTransactionManager transactions,
            AttributionProperties settings, Clock clock, MeterRegistry meters) {
        super("attribution-engine", settings.pollInterval(), Duration.ofSeconds(30));
        this.store = store;
        this.directory = directory;
        this.tx = new TransactionTemplate(transactions);
        this.settings = settings;
        this.clock = clock;
        this.meters = meters;
    }

    @Override
    protected boolean runRound() {
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

    private boolean round() {
        List<DirtyMark> marks = store.nextMarks(settings.batchSize());
        if (marks.isEmpty()) {
            return false;
        }
        Rules rules = new Rules();
        Set<String> creditOrders = new LinkedHashSet<>();
        Set<String> rematch = new LinkedHashSet<>(); // identifiers changed: match again, credit all their orders
        Set<String> matchIfNew = new LinkedHashSet<>(); // a new order's shopper: match only if never matched with these keys
        List<Long> done = new ArrayList<>(marks.size());
        List<DirtyMark> orderMarks = new ArrayList<>();
        List<Long> exposureIds = new ArrayList<>();
        List<String> cartKeys = new ArrayList<>();
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
        int waiting = 0;
        if (!orderMarks.isEmpty()) {
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
                    store.requeue(m);
                    waiting++;
                } else {
                    meters.counter("unison_attribution_orders_unlinked_total").increment();
                    LOG.info("order {} never reached the identity group within {}; left unattributed", m.ref(),
                            settings.orderLinkWait());
                }
            }
            store.setOrderProfiles(orderProfiles);
        }
        if (!exposureIds.isEmpty()) {
            matchExposures(exposureIds, rules, creditOrders);
        }
        if (!cartKeys.isEmpty()) {
            matchCarts(cartKeys);
        }
        Set<String> creditProfiles = match(rematch, true, rules);
        matchIfNew.removeAll(rematch);
        creditProfiles.addAll(match(matchIfNew, false, rules));
        store.ordersOfProfiles(creditProfiles).values().forEach(orders -> orders.forEach(o -> creditOrders.add(o.getKey())));
        boolean more = false;
        if (all != null) {
            // every order again, one page of shoppers per round, their orders read by profile range (neighbours on disk)
            if (all.ref().isEmpty()) {
                store.clearCreditsOfOrdersWithoutShopper();
            }
            List<String> page = store.profilesWithOrdersAfter(all.ref(), settings.batchSize() * 2);
            if (!page.isEmpty()) {
                creditProfileRange(page.get(0), page.get(page.size() - 1), rules);
                store.mark(AttributionStore.Mark.ALL, page.get(page.size() - 1));
                more = true;
            }
        }
        credit(creditOrders, rules);
        store.deleteMarks(done);
        meters.counter("unison_attribution_orders_credited_total").increment(creditOrders.size());
        // a full batch means more is queued, unless all of it was orders waiting for their identity verdict
        return more || (marks.size() == settings.batchSize() && waiting < marks.size());
    }

    /** Matches new exposures to shoppers; the orders each can earn (placed within the lookback after it) are credited. */
    private void matchExposures(List<Long> exposureIds, Rules rules, Set<String> creditOrders) {
        Map<Long, List<String>> keysByExposure = store.keysOfExposures(exposureIds);
        Map<String, String> profileByKey = profilesOfKeys(keysByExposure.values().stream().flatMap(List::stream).distinct().toList());
        Map<Long, String> matched = new HashMap<>();
        keysByExposure.forEach((exposure, keys) -> keys.stream().map(profileByKey::get).filter(p -> p != null).sorted()
                .findFirst().ifPresent(p -> matched.put(exposure, p)));
        store.setExposureProfiles(matched);
        if (matched.isEmpty()) {
            return;
        }
        Map<String, List<Instant>> exposedAt = new HashMap<>();
        for (StoredExposure e : store.exposures(matched.keySet())) {
            exposedAt.computeIfAbsent(matched.get(e.id()), p -> new ArrayList<>()).add(e.exposedAt());
        }
        Duration lookback = Duration.ofDays(rules.maxDays);
        store.ordersOfProfiles(exposedAt.keySet()).forEach((profile, orders) -> {
            for (Map.Entry<String, Instant> order : orders) {
                for (Instant at : exposedAt.get(profile)) {
                    if (!order.getValue().isBefore(at) && Duration.between(at, order.getValue()).compareTo(lookback) <= 0) {
                        creditOrders.add(order.getKey());
                        break;
                    }
                }
            }
        });
    }

    private void matchCarts(List<String> cartKeys) {
        Map<String, List<String>> keysByCart = store.keysOfCarts(cartKeys);
        Map<String, String> profileByKey = profilesOfKeys(keysByCart.values().stream().flatMap(List::stream).distinct().toList());
        Map<String, String> matched = new HashMap<>();
        keysByCart.forEach((cart, keys) -> keys.stream().map(profileByKey::get).filter(p -> p != null).sorted().findFirst()
                .ifPresent(p -> matched.put(cart, p)));
        store.setCartProfiles(matched);
    }

    /** The live profile holding each key (hashed keys through the index of profiles' hashed forms). */
    private Map<String, String> profilesOfKeys(List<String> keys) {
        Map<String, Identifier> identifierOfKey = new HashMap<>();
        List<String> hashed = new ArrayList<>();
        for (String key : keys) {
            if (ExposureKeys.isHashed(key)) {
                hashed.add(key);
            }
            identifierOfKey.put(key, Identifier.parse(key)); // a hashed email may also be held as such by a profile
        }
        Map<String, List<String>> plainOfHashed = hashed.isEmpty() ? Map.of() : store.identifiersOfHashedKeys(hashed);
        Set<Identifier> all = new HashSet<>(identifierOfKey.values());
        plainOfHashed.values().forEach(ids -> ids.forEach(i -> all.add(Identifier.parse(i))));
        if (all.isEmpty()) {
            return Map.of();
        }
        Map<Identifier, String> holders = directory.holders(all);
        Map<String, String> live = directory.liveProfiles(holders.values());
        Map<String, String> out = new HashMap<>();
        for (String key : keys) {
            TreeSet<String> found = new TreeSet<>();
            Optional.ofNullable(holders.get(identifierOfKey.get(key))).map(live::get).ifPresent(found::add);
            for (String plain : plainOfHashed.getOrDefault(key, List.of())) {
                Optional.ofNullable(holders.get(Identifier.parse(plain))).map(live::get).ifPresent(found::add);
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
        Map<String, String> hashedToIdentifier = new HashMap<>();
        Map<String, Set<String>> profilesByKey = new HashMap<>();
        for (String p : profiles) {
            keysOf.get(p).forEach((key, id) -> {
                profilesByKey.computeIfAbsent(key, k -> new TreeSet<>()).add(p);
                if (ExposureKeys.isHashed(key)) {
                    hashedToIdentifier.put(key, ExposureKeys.key(id));
                }
            });
        }
        store.rememberHashedKeys(hashedToIdentifier);

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
    private void credit(Set<String> orderIds, Rules rules) {
        List<String> ids = List.copyOf(orderIds);
        for (int from = 0; from < ids.size(); from += 10_000) {
            List<String> page = ids.subList(from, Math.min(ids.size(), from + 10_000));
            Credits credits = new Credits(rules);
            store.candidates(page, rules.maxClickDays, rules.maxViewDays, credits::add);
            store.replaceCredits(page, credits.rows());
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
