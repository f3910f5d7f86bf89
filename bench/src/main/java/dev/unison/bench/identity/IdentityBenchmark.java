package dev.unison.bench.identity;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.identity.IdentifierNormalizer;
import dev.unison.canonical.identity.IdentityResolver;
import dev.unison.canonical.identity.IdentityRules;
import dev.unison.canonical.identity.InMemoryIdentityGraph;
import dev.unison.canonical.identity.Observation;
import dev.unison.canonical.identity.Rejection;
import dev.unison.canonical.identity.Resolution;
import dev.unison.bench.Results;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.lang.ref.Reference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Identity resolution on a generated population with known ground truth: throughput of the
 * in-memory path ({@link IdentityResolver} over an {@link InMemoryIdentityGraph}, one thread),
 * heap held by the graph, and pairwise precision/recall over events.
 *
 * <p>A warm-up pass resolves a separate, smaller population (another seed) into its own graph so
 * the JIT has compiled the resolver; then the measured population is generated (not timed), the
 * heap baseline taken, and every event resolved once, in stream order; only that loop is timed.
 * See {@link Population} for what the generator produces and {@link Accuracy} for the metric, and
 * docs/benchmarks.md.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.unison.bench.identity.IdentityBenchmark --persons 200000 --seed 42
 * </pre>
 *
 * Options: {@code --persons} (200000), {@code --seed} (42), {@code --warmup-persons} (a fifth of
 * the persons), {@code --kiosks} (300 shared kiosk devices), {@code --kiosk-loyalty} (0: the share of
 * kiosk logins by loyalty members made with the loyalty id instead of the email, which shows a
 * limit of the weak-link rule), {@code --examples} (3 split persons and mixed profiles listed in
 * the JSON), {@code --out} (bench/results).
 */
public final class IdentityBenchmark {

    static final long TARGET_IDENTIFIERS_PER_SECOND = 100_000;
    static final double TARGET_PRECISION = 0.995;
    static final double TARGET_RECALL = 0.98;
    static final long TARGET_POPULATION = 1_000_000;

    record Settings(int persons, long seed, int warmupPersons, int kiosks, double kioskLoyalty, int examples, Path out,
            String[] args) {
        static Settings parse(String[] args) {
            Map<String, String> a = dev.unison.bench.Options.parse(args,
                    Set.of("persons", "seed", "warmup-persons", "kiosks", "kiosk-loyalty", "examples", "out"));
            int persons = Integer.parseInt(a.getOrDefault("persons", "200000"));
            return new Settings(persons, Long.parseLong(a.getOrDefault("seed", "42")),
                    Integer.parseInt(a.getOrDefault("warmup-persons", String.valueOf(Math.max(1, persons / 5)))),
                    Integer.parseInt(a.getOrDefault("kiosks", "300")), Double.parseDouble(a.getOrDefault("kiosk-loyalty", "0")),
                    Integer.parseInt(a.getOrDefault("examples", "3")),
                    Path.of(a.getOrDefault("out", "bench/results")), args.clone());
        }
    }

    /** What one pass over a population did. */
    static final class Pass {
        long nanos;
        /** CPU time of the resolving thread during the loop (excludes GC threads and time waiting for a core). */
        long cpuNanos;
        /** Collection time and count of all collectors during the loop. */
        long gcMillis;
        long gcCount;
        /** System load average (1 min) just before and just after the loop. */
        double loadBefore;
        double loadAfter;
        long[] outcomes = new long[Resolution.Outcome.values().length];
        long[] rejected = new long[Rejection.Reason.values().length];
        long profilesFolded;
        final Map<String, Long> rejectedByType = new TreeMap<>();
        final Map<String, Long> demotions = new TreeMap<>();
    }

    private final Settings settings;

    IdentityBenchmark(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.parse(args);
        ObjectNode result = new IdentityBenchmark(settings).run();
        Results.write(settings.out(), "identity", result, Report.markdown(result));
        System.exit(0);
    }

    ObjectNode run() throws InterruptedException {
        long started = System.nanoTime();
        IdentifierNormalizer normalizer = new IdentifierNormalizer("US");
        IdentityRules rules = IdentityRules.defaults();
        IdentityResolver resolver = new IdentityResolver(normalizer, rules);
        ObjectNode result = CanonicalJson.mapper().createObjectNode();
        settings(result, rules);

        // warm-up: a separate, smaller population into its own graph, then dropped
        Population warm = Population.generate(settings.warmupPersons(), settings.seed() + 1, settings.kiosks(),
                settings.kioskLoyalty(), normalizer);
        Pass warmPass = resolveAll(resolver, warm, new String[warm.size()],
                new InMemoryIdentityGraph((int) warm.distinctIdentifiers));
        result.putObject("warmup").put("persons", warm.persons).put("seed", warm.seed).put("events", warm.size())
                .put("identifierOccurrences", warm.occurrences).put("seconds", round(warmPass.nanos / 1e9, 3))
                .put("identifiersPerSecond", Math.round(warm.occurrences / (warmPass.nanos / 1e9)));
        System.err.printf("warm-up: %,d events, %,d identifiers in %.2f s%n", warm.size(), warm.occurrences, warmPass.nanos / 1e9);
        warm = null;

        long generationStart = System.nanoTime();
        Population population = Population.generate(settings.persons(), settings.seed(), settings.kiosks(),
                settings.kioskLoyalty(), normalizer);
        double generationSeconds = (System.nanoTime() - generationStart) / 1e9;
        System.err.printf("generated: %,d persons, %,d events, %,d identifiers in %.2f s%n", population.persons,
                population.size(), population.occurrences, generationSeconds);
        String[] resolvedAs = new String[population.size()];

        // heap baseline: the population (events and truth) and the result array exist, the graph does not
        long baseline = usedHeapAfterGc();
        InMemoryIdentityGraph graph = new InMemoryIdentityGraph((int) population.distinctIdentifiers);
        Pass pass = resolveAll(resolver, population, resolvedAs, graph);
        long afterRun = usedHeapAfterGc();
        int graphProfiles = graph.profileCount();
        int graphIdentifiers = graph.identifierCount();
        System.err.printf("resolved: %,d events in %.2f s%n", population.size(), pass.nanos / 1e9);

        String[] live = new String[resolvedAs.length];
        for (int i = 0; i < live.length; i++) {
            live[i] = resolvedAs[i] == null ? null : graph.current(resolvedAs[i]);
        }
        Accuracy accuracy = Accuracy.compute(population.personOf, live, population.shapeOf, population.persons,
                settings.examples());
        Reference.reachabilityFence(graph);

        population(result, population, generationSeconds);
        double seconds = pass.nanos / 1e9;
        double identifiersPerSecond = population.occurrences / seconds;
        result.putObject("throughput").put("seconds", round(seconds, 3))
                .put("identifiersPerSecond", Math.round(identifiersPerSecond))
                .put("eventsPerSecond", Math.round(population.size() / seconds))
                .put("microsecondsPerEvent", round(pass.nanos / 1e3 / population.size(), 2))
                .put("resolverThreadCpuSeconds", round(pass.cpuNanos / 1e9, 3))
                .put("identifiersPerResolverCpuSecond", Math.round(population.occurrences / (pass.cpuNanos / 1e9)))
                .put("gcSeconds", round(pass.gcMillis / 1e3, 3)).put("gcCollections", pass.gcCount)
                .put("loadAverageBefore", round(pass.loadBefore, 2)).put("loadAverageAfter", round(pass.loadAfter, 2));
        long graphBytes = afterRun - baseline;
        long maxHeap = Runtime.getRuntime().maxMemory();
        result.putObject("heap").put("baselineMb", mb(baseline)).put("afterRunMb", mb(afterRun)).put("graphMb", mb(graphBytes))
                .put("graphProfiles", graphProfiles).put("graphIdentifiers", graphIdentifiers)
                .put("bytesPerIdentifier", graphIdentifiers == 0 ? 0 : graphBytes / graphIdentifiers)
                .put("maxHeapMb", mb(maxHeap));
        accuracy(result, accuracy, population, graphProfiles);
        resolver(result, pass);
        targets(result, population, identifiersPerSecond, accuracy);
        examples(result, population, resolvedAs, live, accuracy);
        normalizationBreakdown(result, population, normalizer, rules);
        result.put("totalSeconds", round((System.nanoTime() - started) / 1e9, 1));
        return result;
    }

    /** Resolves every event once, in stream order, single-threaded; only this loop is timed. */
    static Pass resolveAll(IdentityResolver resolver, Population population, String[] resolvedAs, InMemoryIdentityGraph graph) {
        Pass pass = new Pass();
        List<Observation> events = population.events;
        int n = events.size();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long gcMillis = gcMillis();
        long gcCount = gcCount();
        pass.loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        long cpu = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Resolution r = resolver.resolve(events.get(i), graph);
            resolvedAs[i] = r.profileId();
            pass.outcomes[r.outcome().ordinal()]++;
            pass.profilesFolded += r.merged().size();
            List<Rejection> rejected = r.rejected();
            for (int k = 0; k < rejected.size(); k++) {
                tally(pass, rejected.get(k));
            }
        }
        pass.nanos = System.nanoTime() - start;
        pass.cpuNanos = threads.getCurrentThreadCpuTime() - cpu;
        pass.gcMillis = gcMillis() - gcMillis;
        pass.gcCount = gcCount() - gcCount;
        pass.loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return pass;
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    private static long gcCount() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionCount());
        }
        return sum;
    }

    private static void tally(Pass pass, Rejection rejection) {
        pass.rejected[rejection.reason().ordinal()]++;
        String type = rejection.identifier().type().wireName();
        pass.rejectedByType.merge(rejection.reason().wireName() + " " + type, 1L, Long::sum);
        if (rejection.reason() == Rejection.Reason.DEMOTED) {
            String detail = rejection.detail();
            if (detail.startsWith("profile ")) {
                detail = "profile <id>" + detail.substring(detail.indexOf(' ', 8));
            }
            pass.demotions.merge(type + ": " + detail, 1L, Long::sum);
        }
    }

    private void settings(ObjectNode result, IdentityRules rules) {
        List<String> jvmArguments = ManagementFactory.getRuntimeMXBean().getInputArguments();
        StringBuilder command = new StringBuilder("java ");
        for (String a : jvmArguments) {
            command.append(a).append(' ');
        }
        command.append("-cp bench/target/benchmarks.jar ").append(IdentityBenchmark.class.getName());
        for (String a : settings.args()) {
            command.append(' ').append(a);
        }
        List<String> collectors = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            collectors.add(gc.getName());
        }
        ObjectNode s = result.putObject("settings");
        s.put("command", command.toString()).put("persons", settings.persons()).put("seed", settings.seed())
                .put("warmupPersons", settings.warmupPersons()).put("kiosks", settings.kiosks())
                .put("kioskLoyaltyShare", settings.kioskLoyalty())
                .put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
                .put("jvmArguments", String.join(" ", jvmArguments)).put("gc", String.join(", ", collectors))
                .put("cores", Runtime.getRuntime().availableProcessors())
                .put("maxHeapMb", mb(Runtime.getRuntime().maxMemory())).put("phoneRegion", "US")
                .put("rules", rules.toString()).put("threads", 1).put("graph", "InMemoryIdentityGraph");
    }

    private static void population(ObjectNode result, Population population, double generationSeconds) {
        ObjectNode p = result.putObject("population");
        p.put("persons", population.persons).put("seed", population.seed).put("events", population.size())
                .put("identifierOccurrences", population.occurrences)
                .put("distinctRealIdentifiers", population.distinctIdentifiers)
                .put("generationSeconds", round(generationSeconds, 2));
        ObjectNode shapes = p.putObject("eventsByShape");
        for (Population.Shape shape : Population.Shape.values()) {
            shapes.putObject(shape.name().toLowerCase()).put("events", population.eventsByShape[shape.ordinal()])
                    .put("source", shape.source).put("shape", shape.description);
        }
        ObjectNode attributes = p.putObject("attributes");
        population.attributes.forEach(attributes::put);
        ObjectNode noise = p.putObject("noise");
        population.noise.forEach(noise::put);
        ObjectNode placeholders = p.putObject("placeholdersInjected");
        population.placeholders.forEach(placeholders::put);
    }

    private static void accuracy(ObjectNode result, Accuracy a, Population population, int graphProfiles) {
        ObjectNode node = result.putObject("accuracy");
        node.put("precision", round(a.precision(), 6)).put("recall", round(a.recall(), 6))
                .put("truePairs", a.truePairs).put("predictedPairs", a.predictedPairs)
                .put("truePositivePairs", a.truePositivePairs).put("events", a.events).put("eventsUnresolved", a.unresolved)
                .put("truePersons", population.persons).put("profilesWithEvents", a.profiles)
                .put("liveProfilesInGraph", graphProfiles).put("personsSplitAcrossProfiles", a.personsSplit)
                .put("personsSplitWithWorkEmail", a.personsSplitWithWorkEmail)
                .put("profilesMixingPersons", a.profilesMixed)
                .put("designedUnlinkablePairs", a.designedUnlinkablePairs)
                .put("designedUnlinkableShareOfTruePairs", a.truePairs == 0 ? 0 : round((double) a.designedUnlinkablePairs / a.truePairs, 6));
    }

    private static void resolver(ObjectNode result, Pass pass) {
        ObjectNode r = result.putObject("resolver");
        ObjectNode outcomes = r.putObject("outcomes");
        for (Resolution.Outcome o : Resolution.Outcome.values()) {
            outcomes.put(o.name().toLowerCase(), pass.outcomes[o.ordinal()]);
        }
        r.put("profilesCreated", pass.outcomes[Resolution.Outcome.CREATED.ordinal()]).put("profilesFoldedByMerges", pass.profilesFolded);
        ObjectNode rejected = r.putObject("rejected");
        for (Rejection.Reason reason : Rejection.Reason.values()) {
            rejected.put(reason.wireName(), pass.rejected[reason.ordinal()]);
        }
        ObjectNode byType = r.putObject("rejectedByReasonAndType");
        pass.rejectedByType.forEach(byType::put);
        ObjectNode demotions = r.putObject("demotions");
        pass.demotions.forEach(demotions::put);
    }

    private static void targets(ObjectNode result, Population population, double identifiersPerSecond, Accuracy a) {
        ArrayNode targets = result.putArray("targets");
        targets.addObject().put("name", "identifiers/s, in memory, one thread").put("measured", Math.round(identifiersPerSecond))
                .put("target", String.format(Locale.ROOT, "≥ %,d", TARGET_IDENTIFIERS_PER_SECOND)).put("pass", identifiersPerSecond >= TARGET_IDENTIFIERS_PER_SECOND);
        targets.addObject().put("name", "pairwise precision").put("measured", round(a.precision(), 6))
                .put("target", "≥ " + TARGET_PRECISION).put("pass", a.precision() >= TARGET_PRECISION);
        targets.addObject().put("name", "pairwise recall").put("measured", round(a.recall(), 6))
                .put("target", "≥ " + TARGET_RECALL).put("pass", a.recall() >= TARGET_RECALL);
        targets.addObject().put("name", "population (identifier occurrences)").put("measured", population.occurrences)
                .put("target", String.format(Locale.ROOT, "≥ %,d", TARGET_POPULATION)).put("pass", population.occurrences >= TARGET_POPULATION);
    }

    /**
     * Where the resolver's time goes, in part: every raw identifier normalized and checked against
     * the block list again, one pass per type, timed in CPU time of this thread (so that another
     * process on the machine does not inflate it); the second of two rounds is reported (the first
     * compiles these loops); not part of the targets.
     */
    private static void normalizationBreakdown(ObjectNode result, Population population, IdentifierNormalizer normalizer,
            IdentityRules rules) {
        normalizationRound(result.putObject("normalizationOnly"), population, normalizer, rules);
        normalizationRound(result.putObject("normalizationOnly"), population, normalizer, rules);
    }

    private static void normalizationRound(ObjectNode n, Population population, IdentifierNormalizer normalizer,
            IdentityRules rules) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ObjectNode byType = n.putObject("byType");
        long sink = 0;
        long totalCpu = 0;
        IdentifierType[] types = IdentifierType.values();
        for (int t = types.length - 1; t >= 0; t--) {
            IdentifierType type = types[t];
            long count = 0;
            long cpu = threads.getCurrentThreadCpuTime();
            for (Observation event : population.events) {
                List<Identifier> ids = event.identifiers();
                for (int k = 0; k < ids.size(); k++) {
                    Identifier raw = ids.get(k);
                    if (raw.type() != type) {
                        continue;
                    }
                    count++;
                    try {
                        Identifier normalized = normalizer.normalize(raw);
                        sink += rules.isBlocked(normalized) ? 1 : normalized.value().length();
                    } catch (IdentifierNormalizer.InvalidIdentifierException e) {
                        sink++;
                    }
                }
            }
            cpu = threads.getCurrentThreadCpuTime() - cpu;
            if (count > 0) {
                totalCpu += cpu;
                byType.putObject(type.wireName()).put("identifiers", count).put("cpuSeconds", round(cpu / 1e9, 3))
                        .put("microsecondsPerIdentifier", round(cpu / 1e3 / count, 2));
            }
        }
        n.put("cpuSeconds", round(totalCpu / 1e9, 3)).put("checksum", sink);
    }

    /** A few split persons and mixed profiles, event by event, to see why. */
    private static void examples(ObjectNode result, Population population, String[] resolvedAs, String[] live, Accuracy a) {
        ObjectNode examples = result.putObject("examples");
        ArrayNode split = examples.putArray("splitPersons");
        for (int person : a.splitExamples) {
            ObjectNode p = split.addObject().put("person", person);
            ArrayNode events = p.putArray("events");
            for (int i = 0; i < population.size(); i++) {
                if (population.personOf[i] == person) {
                    event(events, population, resolvedAs, live, i);
                }
            }
        }
        ArrayNode mixed = examples.putArray("mixedProfiles");
        for (int person : a.mixedExamples) {
            String profile = null;
            for (int i = 0; i < population.size() && profile == null; i++) {
                if (population.personOf[i] == person && live[i] != null) {
                    // the first profile of this person that holds another person's events
                    for (int j = 0; j < population.size(); j++) {
                        if (live[i].equals(live[j]) && population.personOf[j] != person) {
                            profile = live[i];
                            break;
                        }
                    }
                }
            }
            ObjectNode m = mixed.addObject().put("profile", profile);
            ArrayNode events = m.putArray("events");
            for (int i = 0; i < population.size() && events.size() < 30; i++) {
                if (profile != null && profile.equals(live[i])) {
                    event(events, population, resolvedAs, live, i);
                }
            }
        }
    }

    private static void event(ArrayNode events, Population population, String[] resolvedAs, String[] live, int i) {
        ObjectNode e = events.addObject().put("index", i).put("person", population.personOf[i])
                .put("shape", Population.Shape.values()[population.shapeOf[i]].name().toLowerCase());
        ArrayNode ids = e.putArray("identifiers");
        for (Identifier id : population.events.get(i).identifiers()) {
            ids.add(id.type().wireName() + ":" + id.value());
        }
        e.put("resolvedAs", resolvedAs[i]).put("liveProfile", live[i]);
    }

    static long usedHeapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static double mb(long bytes) {
        return round(bytes / (1024.0 * 1024.0), 1);
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
