package dev.unison.canonical.identity;

import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Deterministic identity resolution over an {@link IdentityGraph}, after Segment Unify's flat
 * matching (Identity Resolution Onboarding): look up the profiles holding any identifier of the
 * observation; none → a new profile; one → add to it; several → merge into the oldest. Before
 * anything is written the guards of {@link IdentityRules} are checked; when one would break, the
 * observation's weakest identifier is demoted (used neither to match nor stored) and matching is
 * retried, so a doubtful link splits rather than fuses.
 *
 * <p>Two guards go beyond per-type limits. <b>Weak link</b>: a profile may only gain a value of a
 * type it already holds (for channel customer ids: of a channel account it already holds) when
 * the observation reached it through an identifier at least as strong as that type. <b>Shared
 * link</b>: a profile that stands for a person (holds an identifying identifier) and is reached
 * only through shareable identifiers (device ids, payment tokens, click ids) gains nothing but more
 * of them; a profile of shared identifiers alone (an anonymous app device) may still become a
 * person's on login. A shared kiosk device seen with 50 shoppers' emails
 * or loyalty cards therefore stays one device on the first shopper's profile instead of fusing 50
 * shoppers, while a loyalty card seen with a second email (a stronger link) adds that email.
 */
public final class IdentityResolver {

    private final IdentifierNormalizer normalizer;
    private final IdentityRules rules;
    private final Comparator<Candidate> strongestFirst;

    public IdentityResolver(IdentifierNormalizer normalizer, IdentityRules rules) {
        this.normalizer = normalizer;
        this.rules = rules;
        this.strongestFirst = Comparator.comparingInt((Candidate c) -> rules.rank(c.identifier().type()))
                .thenComparing(Candidate::matchKey);
    }

    public IdentityRules rules() {
        return rules;
    }

    public IdentifierNormalizer normalizer() {
        return normalizer;
    }

    /** Resolves one observation against the graph (the caller provides the transaction, if any). */
    public Resolution resolve(Observation observation, IdentityGraph graph) {
        return resolve(screen(observation), graph);
    }

    /** Resolves an observation screened before (see {@link #screen(Observation)}). */
    public Resolution resolve(ScreenedObservation screened, IdentityGraph graph) {
        Observation observation = screened.observation();
        List<Rejection> rejected = new ArrayList<>(screened.rejected());
        List<Candidate> active = screened.candidates();
        while (!active.isEmpty()) {
            List<String> keys = new ArrayList<>(active.size());
            for (Candidate c : active) {
                keys.add(c.matchKey());
            }
            List<ProfileState> profiles = graph.profilesHolding(keys);
            if (profiles.isEmpty()) {
                List<Candidate> kept = withinLimits(active, rejected);
                String id = graph.create(kept, observation);
                return new Resolution(id, Resolution.Outcome.CREATED, List.of(), identifiers(kept), identifiers(kept), rejected);
            }
            String violation = violation(active, profiles);
            if (violation == null) {
                return apply(active, profiles, observation, graph, rejected);
            }
            Candidate weakest = active.get(active.size() - 1);
            rejected.add(new Rejection(weakest.identifier(), Rejection.Reason.DEMOTED, violation));
            active = active.subList(0, active.size() - 1);
        }
        return new Resolution(null, Resolution.Outcome.UNRESOLVED, List.of(), List.of(), List.of(), rejected);
    }

    /**
     * The outcome without looking at any graph when the observation has no usable identifier (all
     * missing, invalid or blocked), else empty: lets a caller skip a lookup (and a transaction)
     * for the many till sales that carry no identifier at all.
     */
    public Optional<Resolution> unresolvable(ScreenedObservation screened) {
        return screened.candidates().isEmpty()
                ? Optional.of(new Resolution(null, Resolution.Outcome.UNRESOLVED, List.of(), List.of(), List.of(),
                        screened.rejected()))
                : Optional.empty();
    }

    /**
     * The match keys resolution would look up for this observation (normalized, unblocked, without
     * duplicates): lets a caller resolving many observations at once load every profile they can
     * reach in one read before resolving them one by one.
     */
    public List<String> matchKeys(Observation observation) {
        return screen(observation).matchKeys();
    }

    /**
     * Normalizes and screens an observation's identifiers once, for a caller that needs its match
     * keys or its invalid identifiers before resolving it: {@link #resolve(ScreenedObservation,
     * IdentityGraph)} then does not normalize them again.
     */
    public ScreenedObservation screen(Observation observation) {
        List<Rejection> rejected = new ArrayList<>();
        List<Candidate> candidates = candidates(observation, rejected);
        return new ScreenedObservation(observation, candidates, rejected);
    }

    /**
     * One identifier as a caller sent it, checked at an input door (an API) the way resolution will
     * treat it: a placeholder is returned as sent, so that resolution reports it as blocked (with
     * why) while the rest of the sighting is stored — placeholders are often not valid values of
     * their type ({@code 0000000000} is no phone number) and must not fail the whole request; any
     * other value is returned normalized.
     *
     * @throws IdentifierNormalizer.InvalidIdentifierException only for a value that is neither a
     *         placeholder nor valid
     */
    public Identifier screen(IdentifierType type, String raw) {
        if (raw != null && rules.isBlocked(new Identifier(type, raw.strip()))) {
            return new Identifier(type, raw);
        }
        return normalizer.normalize(type, raw);
    }

    /** Normalizes, drops invalid and blocked values and duplicates; strongest first. */
    List<Candidate> candidates(Observation observation, List<Rejection> rejected) {
        List<Candidate> candidates = new ArrayList<>(observation.identifiers().size());
        Set<String> seen = new HashSet<>();
        for (Identifier raw : observation.identifiers()) {
            Optional<String> placeholder = raw.value() == null ? Optional.empty()
                    : rules.blockedBecause(new Identifier(raw.type(), raw.value().strip()));
            if (placeholder.isPresent()) {
                rejected.add(new Rejection(raw, Rejection.Reason.BLOCKED, placeholder.get()));
                continue;
            }
            Identifier normalized;
            try {
                normalized = normalizer.normalize(raw);
            } catch (IdentifierNormalizer.InvalidIdentifierException e) {
                rejected.add(new Rejection(raw, Rejection.Reason.INVALID, e.getMessage()));
                continue;
            }
            placeholder = rules.blockedBecause(normalized);
            if (placeholder.isPresent()) {
                rejected.add(new Rejection(normalized, Rejection.Reason.BLOCKED, placeholder.get()));
                continue;
            }
            String key = rules.matchKey(normalized);
            if (seen.add(key)) {
                candidates.add(new Candidate(normalized, key));
            }
        }
        candidates.sort(strongestFirst);
        return candidates;
    }

    /** For a brand-new profile: an observation carrying more values of a type than allowed keeps the strongest-ordered ones. */
    private List<Candidate> withinLimits(List<Candidate> active, List<Rejection> rejected) {
        Map<IdentifierType, Integer> counts = new EnumMap<>(IdentifierType.class);
        List<Candidate> kept = new ArrayList<>(active.size());
        for (Candidate c : active) {
            IdentifierType type = c.identifier().type();
            int n = counts.merge(type, 1, Integer::sum);
            if (n > rules.limit(type) || kept.size() >= rules.maxIdentifiersPerProfile()) {
                rejected.add(new Rejection(c.identifier(), Rejection.Reason.DEMOTED,
                        "limit of " + rules.limit(type) + " " + type.wireName() + " per profile"));
            } else {
                kept.add(c);
            }
        }
        return kept;
    }

    /** Why linking the observation to these profiles would break a guard, or null when it would not. */
    private String violation(List<Candidate> active, List<ProfileState> profiles) {
        Map<String, IdentifierType> union = new HashMap<>();
        int merges = 0;
        for (ProfileState p : profiles) {
            union.putAll(p.identifiers());
            merges += p.mergeCount();
        }
        for (Candidate c : active) {
            union.putIfAbsent(c.matchKey(), c.identifier().type());
        }
        if (profiles.size() > 1 && merges + profiles.size() - 1 > rules.maxMergesPerProfile()) {
            return "cap of " + rules.maxMergesPerProfile() + " merges per profile";
        }
        if (union.size() > rules.maxIdentifiersPerProfile()) {
            return "cap of " + rules.maxIdentifiersPerProfile() + " identifiers per profile";
        }
        Map<IdentifierType, Integer> counts = new EnumMap<>(IdentifierType.class);
        for (IdentifierType type : union.values()) {
            counts.merge(type, 1, Integer::sum);
        }
        for (Map.Entry<IdentifierType, Integer> e : counts.entrySet()) {
            // only growth beyond the limit counts: a profile stored under a looser limit stays reachable
            if (e.getValue() > rules.limit(e.getKey()) && e.getValue() > largestHeld(profiles, e.getKey())) {
                return "limit of " + rules.limit(e.getKey()) + " " + e.getKey().wireName() + " per profile";
            }
        }
        String first = null;
        int firstRank = Integer.MAX_VALUE;
        String firstKey = null;
        for (ProfileState p : profiles) {
            int link = Integer.MAX_VALUE; // the strongest identifier of the observation this profile holds
            boolean identifyingLink = false;
            IdentifierType sharedLink = null;
            for (Candidate c : active) {
                if (p.identifiers().containsKey(c.matchKey())) {
                    IdentifierType type = c.identifier().type();
                    link = Math.min(link, rules.rank(type));
                    if (rules.shared(type)) {
                        sharedLink = type;
                    } else {
                        identifyingLink = true;
                    }
                }
            }
            for (Map.Entry<String, IdentifierType> e : union.entrySet()) {
                IdentifierType type = e.getValue();
                if (p.identifiers().containsKey(e.getKey())) {
                    continue;
                }
                String why = null;
                if (!identifyingLink && !rules.shared(type) && holdsIdentifying(p)) {
                    why = "profile " + p.id() + " is reached only through a shared identifier (" + sharedLink.wireName()
                            + ") and would gain a new identifier (" + type.wireName() + ")";
                } else if (rules.rank(type) < link && p.holdsAnotherIn(e.getKey(), type)) {
                    why = "profile " + p.id() + " already holds another " + IdentityRules.slot(e.getKey(), type)
                            + " and is linked only through a weaker identifier";
                }
                // report the strongest offending identifier, so the reason does not depend on map order
                int rank = rules.rank(type);
                if (why != null && (rank < firstRank || (rank == firstRank && e.getKey().compareTo(firstKey) < 0))) {
                    first = why;
                    firstRank = rank;
                    firstKey = e.getKey();
                }
            }
            if (first != null) {
                return first;
            }
        }
        return null;
    }

    private static int largestHeld(List<ProfileState> profiles, IdentifierType type) {
        int most = 0;
        for (ProfileState p : profiles) {
            most = Math.max(most, p.count(type));
        }
        return most;
    }

    /** Whether a profile already stands for a person (holds more than shared identifiers). */
    private boolean holdsIdentifying(ProfileState p) {
        for (IdentifierType type : p.identifiers().values()) {
            if (!rules.shared(type)) {
                return true;
            }
        }
        return false;
    }

    private Resolution apply(List<Candidate> active, List<ProfileState> profiles, Observation observation, IdentityGraph graph,
            List<Rejection> rejected) {
        List<Candidate> added = new ArrayList<>();
        for (Candidate c : active) {
            boolean held = false;
            for (ProfileState p : profiles) {
                if (p.identifiers().containsKey(c.matchKey())) {
                    held = true;
                    break;
                }
            }
            if (!held) {
                added.add(c);
            }
        }
        if (profiles.size() == 1) {
            ProfileState only = profiles.get(0);
            graph.attach(only.id(), added, active, observation);
            return new Resolution(only.id(), added.isEmpty() ? Resolution.Outcome.MATCHED : Resolution.Outcome.ATTACHED,
                    List.of(), identifiers(active), identifiers(added), rejected);
        }
        List<ProfileState> oldestFirst = new ArrayList<>(profiles);
        oldestFirst.sort(Comparator.comparingLong(ProfileState::age).thenComparing(ProfileState::id));
        String survivor = oldestFirst.get(0).id();
        List<String> merged = new ArrayList<>(oldestFirst.size() - 1);
        for (int i = 1; i < oldestFirst.size(); i++) {
            merged.add(oldestFirst.get(i).id());
        }
        graph.merge(survivor, merged, added, active, observation);
        return new Resolution(survivor, Resolution.Outcome.MERGED, merged, identifiers(active), identifiers(added), rejected);
    }

    private static List<Identifier> identifiers(List<Candidate> candidates) {
        List<Identifier> ids = new ArrayList<>(candidates.size());
        for (Candidate c : candidates) {
            ids.add(c.identifier());
        }
        return ids;
    }
}
