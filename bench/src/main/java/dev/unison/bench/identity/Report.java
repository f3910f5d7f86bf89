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
        StringBuilder md = new StringBuilder();
        md.append("## Identity resolution: ").append(n(p.get("persons"))).append(" persons, ").append(n(p.get("events")))
                .append(" events, ").append(n(p.get("identifierOccurrences"))).append(" identifiers (seed ")
                .append(s.get("seed").asText()).append(")\n\n");
        md.append("`").append(s.get("command").asText()).append("`  \n");
        md.append(s.get("jvm").asText()).append(" (").append(s.get("gc").asText()).append("), ").append(s.get("cores").asInt())
                .append(" cores, max heap ").append(n(h.get("maxHeapMb"))).append(" MB; one resolver thread, ")
                .append(s.get("graph").asText()).append(", IdentityRules.defaults(), phone region ")
                .append(s.get("phoneRegion").asText()).append(". Warm-up: ").append(n(r.path("warmup").get("events")))
                .append(" events of ").append(n(r.path("warmup").get("persons"))).append(" other persons (seed ")
                .append(r.path("warmup").get("seed").asText()).append(") first.\n\n");

        md.append("| | measured | target | |\n|---|---|---|---|\n");
        for (JsonNode target : r.get("targets")) {
            md.append("| ").append(target.get("name").asText()).append(" | ").append(value(target.get("measured"))).append(" | ")
                    .append(target.get("target").asText()).append(" | ")
                    .append(target.get("pass").asBoolean() ? "**pass**" : "**FAIL**").append(" |\n");
        }
        md.append("| events/s | ").append(n(t.get("eventsPerSecond"))).append(" (").append(t.get("microsecondsPerEvent").asText())
                .append(" µs/event; ").append(n(p.get("events"))).append(" events in ").append(t.get("seconds").asText())
                .append(" s) | | |\n");
        md.append("| during the timed loop | resolver thread CPU ").append(t.get("resolverThreadCpuSeconds").asText())
                .append(" s (").append(n(t.get("identifiersPerResolverCpuSecond"))).append(" identifiers per CPU second); GC ")
                .append(t.get("gcSeconds").asText()).append(" s in ").append(n(t.get("gcCollections")))
                .append(" collections; system load average ").append(t.get("loadAverageBefore").asText()).append(" before, ")
                .append(t.get("loadAverageAfter").asText()).append(" after | | |\n");
        md.append("| heap held by the graph (after GC, minus the baseline with the events generated) | ")
                .append(n(h.get("graphMb"))).append(" MB (").append(n(h.get("graphProfiles"))).append(" profiles, ")
                .append(n(h.get("graphIdentifiers"))).append(" identifiers; ").append(n(h.get("bytesPerIdentifier")))
                .append(" B/identifier); heap used ").append(n(h.get("afterRunMb"))).append(" MB of ")
                .append(n(h.get("maxHeapMb"))).append(" MB max | | |\n\n");

        md.append("Accuracy (pairs of events; an unresolved event is a singleton):\n\n| | |\n|---|---|\n");
        md.append("| true pairs / predicted pairs / true positive pairs | ").append(n(a.get("truePairs"))).append(" / ")
                .append(n(a.get("predictedPairs"))).append(" / ").append(n(a.get("truePositivePairs"))).append(" |\n");
        md.append("| true persons / profiles the events ended in (live profiles in the graph) | ").append(n(a.get("truePersons")))
                .append(" / ").append(n(a.get("profilesWithEvents"))).append(" (").append(n(a.get("liveProfilesInGraph")))
                .append(") |\n");
        md.append("| persons split across profiles / profiles mixing persons | ").append(n(a.get("personsSplitAcrossProfiles")))
                .append(" / ").append(n(a.get("profilesMixingPersons"))).append(" |\n");
        md.append("| events unresolved | ").append(n(a.get("eventsUnresolved"))).append(" |\n");
        md.append("| true pairs joining a work-email login (unlinkable by design) to its person | ")
                .append(n(a.get("designedUnlinkablePairs"))).append(" (")
                .append(pct(a.get("designedUnlinkableShareOfTruePairs").asDouble())).append(" of true pairs) |\n");
        JsonNode o = res.get("outcomes");
        md.append("| outcomes | ");
        o.fields().forEachRemaining(e -> md.append(e.getKey()).append(' ').append(n(e.getValue())).append(", "));
        md.setLength(md.length() - 2);
        md.append("; ").append(n(res.get("profilesFoldedByMerges"))).append(" profiles folded by merges |\n");
        md.append("| identifiers rejected | ");
        res.get("rejected").fields().forEachRemaining(e -> md.append(e.getKey()).append(' ').append(n(e.getValue())).append(", "));
        md.setLength(md.length() - 2);
        md.append(" (");
        res.get("rejectedByReasonAndType").fields()
                .forEachRemaining(e -> md.append(e.getKey()).append(' ').append(n(e.getValue())).append(", "));
        md.setLength(md.length() - 2);
        md.append(") |\n");
        res.get("demotions").fields().forEachRemaining(e -> md.append("| demoted: ").append(e.getKey()).append(" | ")
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
                .append(n(r.path("warmup").get("identifiersPerSecond"))).append(" identifiers/s; whole run ")
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
