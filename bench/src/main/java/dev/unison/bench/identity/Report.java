package dev.unison.bench.identity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** The identity benchmark's result as Markdown. */
final class Report {

    private Report() {
    }

    static String markdown(JsonNode r) {
        JsonNode s = r.get("settings");
        JsonNode p = r.get("population");
        JsonNode t = r.get("throughput");
        JsonNode h = r.get("heap");
        JsonNode a = r.get("accuracy");
        JsonNode res = r.get("resolver");
        JsonNode w = r.get("warmup");
        StringBuilder md = new StringBuilder();
        md.append("## Identity resolution: ").append(n(p.get("persons"))).append(" persons, ").append(n(p.get("events")))
                .append(" events, ").append(n(p.get("identifierOccurrences"))).append(" identifiers (seed ")
                .append(s.get("seed").asText()).append(")\n\n");
        md.append("`").append(s.get("command").asText()).append("`\n\n");
        md.append(s.get("jvm").asText()).append(" (").append(s.get("gc").asText()).append("), ").append(s.get("cores").asInt())
                .append(" cores, max heap ").append(n(h.get("maxHeapMb"))).append(" MB; one resolver thread, ")
                .append(s.get("graph").asText()).append(", IdentityRules.defaults(), phone region ")
                .append(s.get("phoneRegion").asText()).append("; ").append(s.get("kiosks").asInt()).append(" kiosk devices");
        if (s.path("kioskLoyaltyShare").asDouble() > 0) {
            md.append(", ").append(pct(s.get("kioskLoyaltyShare").asDouble()))
                    .append(" of loyalty members' kiosk logins made with the loyalty id");
        }
        md.append(". Warm-up first: ").append(n(w.get("events"))).append(" events of ").append(n(w.get("persons")))
                .append(" other persons (seed ").append(w.get("seed").asText()).append(").\n\n");

        md.append("| | measured | target | |\n|---|---|---|---|\n");
        for (JsonNode target : r.get("targets")) {
            md.append("| ").append(target.get("name").asText()).append(" | ").append(value(target.get("measured"))).append(" | ")
                    .append(target.get("target").asText()).append(" | ")
                    .append(target.get("pass").asBoolean() ? "**pass**" : "**FAIL**").append(" |\n");
        }
        md.append("| events/s | ").append(n(t.get("eventsPerSecond"))).append(" | | |\n");
        md.append("| heap held by the graph | ").append(n(h.get("graphMb"))).append(" MB | | |\n\n");

        md.append("| Throughput and heap | |\n|---|---|\n");
        md.append("| timed loop | ").append(n(p.get("events"))).append(" events in ").append(t.get("seconds").asText())
                .append(" s (").append(t.get("microsecondsPerEvent").asText()).append(" µs/event) |\n");
        md.append("| resolver thread CPU in the loop | ").append(t.get("resolverThreadCpuSeconds").asText()).append(" s (")
                .append(n(t.get("identifiersPerResolverCpuSecond"))).append(" identifiers per CPU second) |\n");
        md.append("| GC in the loop | ").append(t.get("gcSeconds").asText()).append(" s in ").append(n(t.get("gcCollections")))
                .append(" collections |\n");
        md.append("| system load average (1 min) before / after the loop | ").append(t.get("loadAverageBefore").asText())
                .append(" / ").append(t.get("loadAverageAfter").asText()).append(" |\n");
        JsonNode norm = r.path("normalizationOnly");
        if (!norm.isMissingNode()) {
            md.append("| normalization + block list alone, all identifiers again after the run (not in the targets) | ")
                    .append(norm.get("cpuSeconds").asText()).append(" s CPU; CPU µs per identifier: ");
            norm.get("byType").fields().forEachRemaining(e -> md.append(e.getKey()).append(' ')
                    .append(e.getValue().get("microsecondsPerIdentifier").asText()).append(" (× ")
                    .append(n(e.getValue().get("identifiers"))).append("), "));
            md.setLength(md.length() - 2);
            md.append(" |\n");
        }
        md.append("| heap used after GC: baseline (events generated, no graph) / after the run (graph reachable) | ")
                .append(n(h.get("baselineMb"))).append(" MB / ").append(n(h.get("afterRunMb"))).append(" MB of ")
                .append(n(h.get("maxHeapMb"))).append(" MB max |\n");
        md.append("| graph | ").append(n(h.get("graphMb"))).append(" MB: ").append(n(h.get("graphProfiles")))
                .append(" live profiles, ").append(n(h.get("graphIdentifiers"))).append(" identifiers (")
                .append(n(h.get("bytesPerIdentifier"))).append(" B per identifier); the events carry ")
                .append(n(p.get("distinctRealIdentifiers"))).append(" distinct real identifiers |\n\n");

        md.append("| Accuracy (pairs of events; an unresolved event is a singleton) | |\n|---|---|\n");
        md.append("| true pairs / predicted pairs / true positive pairs | ").append(n(a.get("truePairs"))).append(" / ")
                .append(n(a.get("predictedPairs"))).append(" / ").append(n(a.get("truePositivePairs"))).append(" |\n");
        md.append("| true persons / profiles the events ended in | ").append(n(a.get("truePersons"))).append(" / ")
                .append(n(a.get("profilesWithEvents"))).append(" |\n");
        md.append("| persons split across profiles (of which with a work-email login) | ")
                .append(n(a.get("personsSplitAcrossProfiles"))).append(" (").append(n(a.get("personsSplitWithWorkEmail")))
                .append(") |\n");
        md.append("| profiles mixing persons | ").append(n(a.get("profilesMixingPersons"))).append(" |\n");
        md.append("| events unresolved | ").append(n(a.get("eventsUnresolved"))).append(" |\n");
        md.append("| true pairs joining a work-email login (unlinkable by design) to the rest of its person | ")
                .append(n(a.get("designedUnlinkablePairs"))).append(" (")
                .append(pct(a.get("designedUnlinkableShareOfTruePairs").asDouble())).append(" of true pairs) |\n");
        md.append("| outcomes | ");
        res.get("outcomes").fields().forEachRemaining(e -> md.append(e.getKey()).append(' ').append(n(e.getValue())).append(", "));
        md.setLength(md.length() - 2);
        md.append(" (").append(n(res.get("profilesFoldedByMerges"))).append(" profiles folded by merges) |\n");
        md.append("| identifiers rejected | ");
        res.get("rejected").fields().forEachRemaining(e -> md.append(e.getKey()).append(' ').append(n(e.getValue())).append(", "));
        md.setLength(md.length() - 2);
        md.append(" (");
        res.get("rejectedByReasonAndType").fields()
                .forEachRemaining(e -> md.append(e.getKey()).append(' ').append(n(e.getValue())).append(", "));
        md.setLength(md.length() - 2);
        md.append(") |\n");
        res.get("demotions").fields().forEachRemaining(e -> md.append("| demoted ").append(e.getKey()).append(" | ")
                .append(n(e.getValue())).append(" |\n"));

        md.append("\nPopulation: ");
        p.get("attributes").fields().forEachRemaining(e -> md.append(n(e.getValue())).append(' ').append(e.getKey()).append("; "));
        md.setLength(md.length() - 2);
        md.append(".\n\nEvents by shape: ");
        p.get("eventsByShape").fields().forEachRemaining(e -> md.append(e.getValue().get("shape").asText()).append(' ')
                .append(n(e.getValue().get("events"))).append("; "));
        md.setLength(md.length() - 2);
        md.append(".\n\nNoise (raw occurrences): ");
        p.get("noise").fields().forEachRemaining(e -> md.append(e.getKey()).append(' ').append(n(e.getValue())).append("; "));
        md.setLength(md.length() - 2);
        md.append(". Placeholders injected: ");
        p.get("placeholdersInjected").fields()
                .forEachRemaining(e -> md.append(e.getKey()).append(' ').append(n(e.getValue())).append("; "));
        md.setLength(md.length() - 2);
        md.append(".\n\nGeneration ").append(p.get("generationSeconds").asText()).append(" s (not timed); warm-up ")
                .append(n(w.get("identifiersPerSecond"))).append(" identifiers/s; whole run ")
                .append(r.get("totalSeconds").asText()).append(" s.\n");
        return md.toString();
    }

    private static String value(JsonNode v) {
        return v.isIntegralNumber() ? n(v) : v.asText();
    }

    private static String n(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "—";
        }
        if (v.isIntegralNumber()) {
            return String.format(Locale.ROOT, "%,d", v.asLong());
        }
        if (v.isNumber()) {
            return String.format(Locale.ROOT, "%,.1f", v.asDouble());
        }
        return v.asText();
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.2f%%", share * 100);
    }
}
