package dev.unison.attribution;

import dev.unison.attribution.AttributionStore.CampaignSettings;
import dev.unison.attribution.AttributionStore.CreditRow;
import dev.unison.attribution.AttributionStore.DirtyMark;
import dev.unison.attribution.AttributionStore.NetworkSettings;
import dev.unison.attribution.AttributionStore.StoredExposure;
import dev.unison.attribution.AttributionStore.StoredOrder;
import dev.unison.canonical.model.ExposureKind;
import dev.unison.canonical.model.Identifier;
import dev.unison.connectors.kit.identity.Destination;
import dev.unison.identity.ProfileDirectory;
import dev.unison.platform.worker.BackgroundWorker;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps the credits current. Every change that can move an order's credit queues work in
 * {@code attribution_dirty} in the transaction that makes it: an order stored, an exposure stored,
 * a profile whose identifiers changed (a new email, a merge: {@link dev.unison.identity.ProfileChangeListener}),
 * a campaign's windows changed. A round takes the oldest work, finds the profiles it touches
 * (an order through the identity group's verdict, an exposure through its match keys), and
 * attributes those profiles again from scratch: their identifiers give their keys, the keys their
 * exposures, the identity graph their orders, {@link Attributor} the credits, which replace the
 * old ones of those orders in the same transaction. So a late exposure, a merge or a new email
 * re-attributes exactly the orders of the profiles concerned, and doing it twice changes nothing.
 * One instance at a time works the queue (the {@code attribution} row of {@code job_lock}).
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

    /** Works off every queued item now, on the caller's thread (tests, the recompute operation's callers). */
    public void drain() {
        while (runRound()) {
            // each round commits on its own
        }
    }

    private boolean round() {
        List<DirtyMark> marks = store.nextMarks(settings.batchSize());
        if (marks.isEmpty()) {
            return false;
        }
        Set<String> profiles = new LinkedHashSet<>();
        List<Long> done = new ArrayList<>(marks.size());
        List<DirtyMark> orderMarks = new ArrayList<>();
        List<Long> exposureIds = new ArrayList<>();
        List<String> cartKeys = new ArrayList<>();
        for (DirtyMark m : marks) {
            switch (m.kind()) {
                case "order" -> orderMarks.add(m);
                case "exposure" -> exposureIds.add(Long.parseLong(m.ref()));
                case "cart" -> cartKeys.add(m.ref());
                default -> profiles.add(m.ref());
            }
            done.add(m.seq());
        }
        int waiting = 0;
        if (!orderMarks.isEmpty()) {
            Map<String, Optional<String>> verdicts = directory.profilesOfTransactions(orderMarks.stream().map(DirtyMark::ref).toList());
            for (DirtyMark m : orderMarks) {
                Optional<String> verdict = verdicts.get(m.ref());
                if (verdict != null) {
                    verdict.ifPresent(profiles::add); // empty: nobody known bought it, nothing to attribute
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
        }
        if (!exposureIds.isEmpty()) {
            profiles.addAll(profilesMatching(store.keysOfExposures(exposureIds).values().stream().flatMap(List::stream).toList()));
        }
        if (!cartKeys.isEmpty()) {
            profiles.addAll(profilesMatching(store.keysOfCarts(cartKeys).values().stream().flatMap(List::stream).toList()));
        }
        attribute(profiles);
        store.deleteMarks(done);
        meters.counter("unison_attribution_profiles_attributed_total").increment(profiles.size());
        // a full batch means more is queued, unless all of it was orders waiting for their identity verdict
        return marks.size() == settings.batchSize() && waiting < marks.size();
    }

    /** The live profiles holding any of these keys (hashed keys through the index of profiles' hashed forms). */
    private Set<String> profilesMatching(List<String> keys) {
        Set<Identifier> identifiers = new HashSet<>();
        List<String> hashed = new ArrayList<>();
        for (String key : keys) {
            if (ExposureKeys.isHashed(key)) {
                hashed.add(key);
            }
            identifiers.add(Identifier.parse(key)); // a hashed email may also be held as such by a profile
        }
        if (!hashed.isEmpty()) {
            store.identifiersOfHashedKeys(hashed).values().forEach(ids -> ids.forEach(i -> identifiers.add(Identifier.parse(i))));
        }
        if (identifiers.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(directory.liveProfiles(directory.holders(identifiers).values()).values());
    }

    /** Attributes these profiles again from scratch: their orders' credits are replaced. */
    void attribute(Set<String> requested) {
        if (requested.isEmpty()) {
            return;
        }
        Map<String, String> live = directory.liveProfiles(requested);
        Set<String> profiles = new LinkedHashSet<>(live.values());
        // a profile merged away holds no orders now; its old credits go, the survivor's are recomputed
        Set<String> gone = new HashSet<>(requested);
        gone.removeAll(profiles);

        List<NetworkSettings> networks = store.networks();
        Map<String, CampaignSettings> campaigns = new HashMap<>();
        store.campaigns().forEach(c -> campaigns.put(c.network() + "\u0000" + c.campaignId(), c));
        Map<String, NetworkSettings> byNetwork = new HashMap<>();
        networks.forEach(n -> byNetwork.put(n.network(), n));
        Set<Destination> hashings = new HashSet<>(ExposureKeys.DEFAULT_HASHINGS);
        networks.forEach(n -> hashings.add(Destination.valueOf(n.hashing())));
        Function<Attributor.Touch, LookbackWindows> windows = t -> windowsOf(t.network(), t.campaignId(), byNetwork, campaigns);

        Map<String, List<Identifier>> identifiers = directory.identifiersOf(profiles);
        Map<String, String> hashedToIdentifier = new HashMap<>();
        Map<String, Set<String>> profilesByKey = new HashMap<>();
        for (String p : profiles) {
            ExposureKeys.ofProfile(identifiers.getOrDefault(p, List.of()), hashings).forEach((key, id) -> {
                profilesByKey.computeIfAbsent(key, k -> new HashSet<>()).add(p);
                if (ExposureKeys.isHashed(key)) {
                    hashedToIdentifier.put(key, ExposureKeys.key(id));
                }
            });
        }
        store.rememberHashedKeys(hashedToIdentifier);

        Map<String, List<Attributor.Touch>> touches = new HashMap<>();
        Map<Long, String> matched = new HashMap<>();
        if (!profilesByKey.isEmpty()) {
            store.exposuresByKeys(profilesByKey.keySet()).forEach((exposure, keys) -> {
                Set<String> holders = new HashSet<>();
                keys.forEach(k -> holders.addAll(profilesByKey.getOrDefault(k, Set.of())));
                for (String p : holders) {
                    touches.computeIfAbsent(p, x -> new ArrayList<>()).add(touch(exposure));
                }
                String first = holders.stream().sorted().findFirst().orElse(null);
                if (first != null && !first.equals(exposure.profileId())) {
                    matched.put(exposure.id(), first);
                }
            });
        }

        // carts: where a shopper's journey began (the cross-channel conversion rate)
        if (!profilesByKey.isEmpty()) {
            Map<String, List<String>> keysByCart = new HashMap<>();
            Map<String, String> current = store.cartProfilesByKeys(profilesByKey.keySet(), keysByCart);
            Map<String, String> cartProfiles = new HashMap<>();
            keysByCart.forEach((cart, keys) -> keys.stream().flatMap(k -> profilesByKey.getOrDefault(k, Set.of()).stream())
                    .sorted().findFirst().filter(p -> !p.equals(current.get(cart))).ifPresent(p -> cartProfiles.put(cart, p)));
            store.setCartProfiles(cartProfiles);
        }

        Map<String, List<String>> transactions = directory.transactionsOf(profiles);
        List<String> orderIds = transactions.values().stream().flatMap(List::stream).toList();
        Map<String, StoredOrder> orders = store.orders(orderIds);
        Map<String, String> orderProfiles = new HashMap<>();
        transactions.forEach((p, ids) -> ids.stream().filter(orders::containsKey).forEach(id -> orderProfiles.put(id, p)));
        store.setOrderProfiles(orderProfiles);
        List<CreditRow> credits = new ArrayList<>();
        for (String p : profiles) {
            List<Attributor.Touch> ts = touches.getOrDefault(p, List.of());
            if (ts.isEmpty()) {
                continue;
            }
            for (String orderId : transactions.getOrDefault(p, List.of())) {
                StoredOrder o = orders.get(orderId);
                if (o == null) {
                    continue; // not in attribution yet: its own mark will bring it here
                }
                for (Attributor.Credit c : Attributor.attribute(o.placedAt(), ts, windows)) {
                    credits.add(new CreditRow(orderId, c.model(), c.touch().exposure(), p, c.touch().network(),
                            c.touch().campaignId(), c.touch().kind().wireName(), c.touch().at(), c.touches(), c.reason()));
                }
            }
        }
        Set<String> cleared = new HashSet<>(profiles);
        cleared.addAll(gone);
        store.replaceCredits(orders.keySet(), cleared, credits);
        store.setExposureProfiles(matched);
    }

    private static Attributor.Touch touch(StoredExposure e) {
        return new Attributor.Touch(e.id(), e.network(), e.campaignId(), ExposureKind.fromWireName(e.kind()), e.exposedAt());
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
        Map<String, NetworkSettings> networks = new HashMap<>();
        store.networks().forEach(n -> networks.put(n.network(), n));
        Map<String, CampaignSettings> campaigns = new HashMap<>();
        store.campaigns().forEach(c -> campaigns.put(c.network() + "\u0000" + c.campaignId(), c));
        return windowsOf(network, campaignId, networks, campaigns);
    }
}
