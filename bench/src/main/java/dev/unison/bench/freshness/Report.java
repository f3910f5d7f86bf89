package dev.unison.bench.freshness;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The benchmark's result as Markdown, Unison and the naive baseline side by side. */
final class Report {

    private Report() {
    }

    static String markdown(JsonNode r) {
        JsonNode s = r.get("settings");
        StringBuilder md = new StringBuilder();
        md.append("## Freshness: ").append(s.get("rate").asInt()).append(" sales/s for ").append(s.get("seconds").asInt())
                .append(" s, ").append(s.get("skus").asInt()).append(" skus, ").append(s.get("stores").asInt())
                .append(" stores, ").append(s.get("cores").asInt()).append(" cores (after ")
                .append(s.path("warmupSeconds").asInt()).append(" s of warm-up at ")
                .append(s.path("warmupRate").asInt(s.get("rate").asInt())).append(" sales/s")
                .append(s.path("settleSeconds").asInt() > 0 ? " and " + s.path("settleSeconds").asInt() + " s at the target rate" : "")
                .append(", not measured; hub ")
                .append(s.path("hubHeap").asText()).append(", ").append(s.path("database").asText()).append(", bus ").append(s.path("bus").asText("embedded Artemis")).append("; POS: ")
                .append(s.path("posSubmission").asText("one POST /api/v1/pos/transactions per sale")).append(")\n\n");
        md.append("Naive baseline: ").append(s.path("baseline").asText()).append(".\n\n");
        for (JsonNode phase : r.get("phases")) {
            JsonNode pos = phase.get("pos");
            JsonNode cpu = phase.path("cpu");
            md.append("- ").append(String.join(" + ", texts(phase.get("connections")))).append(": POS API ")
                    .append(pos.get("accepted").asLong()).append(" of ").append(pos.get("sent").asLong())
                    .append(" sales accepted, ").append(pos.get("achievedSalesPerSecond").asDouble()).append(" sales/s achieved; ")
                    .append(pos.path("overloadedAnswers").asLong() > 0 ? pos.path("resentSales").asLong()
                            + " sales answered 503/429 at first and resent after Retry-After (" + pos.path("overloadedAnswers").asLong()
                            + " such answers, warm-up included; latency counts until the accepting answer); " : "")
                    .append("latency p50 ").append(pos.path("latencyMs").path("p50").asDouble()).append(" ms, p99 ")
                    .append(pos.path("latencyMs").path("p99").asDouble()).append(" ms. CPU while measured: hub ")
                    .append(cpu.path("hubCores").asDouble()).append(" cores (").append(text(cpu.path("hubMsPerAcceptedSale")))
                    .append(" ms per accepted sale; of it JIT compilation ").append(cpu.path("hubJitCompilerCores").asDouble())
                    .append(" cores, without it ").append(text(cpu.path("hubMsPerAcceptedSaleWithoutJit")))
                    .append(" ms per sale); load driver and simulators ")
                    .append(cpu.path("benchmarkProcessCores").asDouble()).append(" cores")
                    .append(cpu.path("databaseProcessesCores").asDouble() > 0
                            ? "; PostgreSQL " + cpu.path("databaseProcessesCores").asDouble() + " cores" : "")
                    .append(".\n");
            if (cpu.path("perInstance").size() > 1) {
                md.append("  Per instance (sales to instance store-index mod ").append(cpu.path("perInstance").size())
                        .append("): ");
                List<String> parts = new java.util.ArrayList<>();
                cpu.path("perInstance").forEach(i -> parts.add("#" + i.path("instance").asInt() + " " + i.path("cores").asDouble()
                        + " cores (JIT " + i.path("jitCompilerCores").asDouble() + "), relayed " + i.path("eventsRelayed").asLong() + " events (" 
                        + Math.round(i.path("relayShare").asDouble() * 100) + "%)"));
                md.append(String.join("; ", parts)).append(". Hub CPU per relayed event ")
                        .append(text(cpu.path("hubMsPerRelayedEvent"))).append(" ms.\n");
            }
            JsonNode work = phase.path("workPerSale");
            if (work.has("groupTransactions")) {
                md.append("  Work per accepted sale: ")
                        .append(work.has("databaseTransactions") ? work.path("databaseTransactions").asDouble() + " PostgreSQL transactions, " : "")
                        .append(work.path("groupTransactions").asDouble()).append(" consumer-group transactions for ")
                        .append(work.path("groupDeliveries").asDouble()).append(" deliveries (")
                        .append(work.path("eventsPerGroupTransaction").asDouble()).append(" events a transaction), ")
                        .append(work.path("posGroupCommits").asDouble()).append(" POS group commits, ")
                        .append(work.path("kafkaFetches").asDouble()).append(" Kafka fetches, ")
                        .append(work.path("kafkaOffsetCommits").asDouble()).append(" Kafka offset commits, ")
                        .append(work.path("relayBatches").asDouble()).append(" relay batches (")
                        .append(work.path("eventsPerRelayBatch").asDouble()).append(" events a batch).\n");
            }
            JsonNode canary = phase.path("machineCanary");
            if (canary.has("medianMs")) {
                md.append("  Machine canary (a fixed job once a second while measured, CPU ms): median ")
                        .append(canary.path("medianMs").asDouble()).append(", p10 ").append(canary.path("p10Ms").asDouble())
                        .append(", p90 ").append(canary.path("p90Ms").asDouble()).append(".\n");
            }
            JsonNode locks = phase.path("lockWaits");
            if (locks.has("samples")) {
                md.append("  PostgreSQL sessions (").append(locks.path("samples").asLong()).append(" samples): ")
                        .append(locks.path("activeSessionsMean").asDouble()).append(" running a statement on average, ")
                        .append(locks.path("lockWaitersMean").asDouble()).append(" of them waiting for a lock; a lock waiter in ")
                        .append(Math.round(locks.path("samplesWithALockWaiter").asDouble() * 1000) / 10.0).append("% of samples.\n");
            }
        }
        md.append('\n');
        md.append("| | ");
        r.get("shops").forEach(shop -> md.append(shop.get("connection").asText()).append(" | "));
        md.append("\n|---|");
        r.get("shops").forEach(shop -> md.append("---|"));
        md.append('\n');
        row(md, r, "mode", shop -> shop.get("mode").asText());
        for (String p : new String[] {"p50", "p95", "p99", "max"}) {
            row(md, r, "freshness " + p + " (ms)", shop -> text(shop.path("freshnessMs").path(p)));
        }
        row(md, r, "freshness p99, last fifth of the run (ms)", shop -> text(shop.path("freshnessLastFifthMs").path("p99")));
        row(md, r, "sales reflected / not within the drain window", shop -> shop.get("salesReflected").asLong() + " / "
                + shop.get("salesNotReflectedWithinDrain").asLong());
        row(md, r, "converged after the last sale (s)", shop -> text(shop.get("convergedSecondsAfterLastSale")));
        row(md, r, "API calls made", shop -> shop.get("apiCalls").asText());
        row(md, r, "THROTTLED / 429 answers", shop -> shop.get("throttledAnswers").asText());
        for (JsonNode phase : r.get("phases")) {
            disk(md, String.join(" + ", texts(phase.get("connections"))), phase.path("disk"));
        }
        return md.toString();
    }

    /** The data directory over the run, and at the end against the live data. */
    private static void disk(StringBuilder md, String phase, JsonNode disk) {
        if (disk.isMissingNode() || disk.isNull()) {
            return;
        }
        md.append("\n### Data directory (").append(phase).append("), every ").append(disk.path("everySeconds").asLong())
                .append(" s\n\n| second | phase | data directory (MB) | H2 file (MB) | broker journal (MB) | H2 chunks live (%) | H2 file used (%) |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (JsonNode s : disk.path("samples")) {
            md.append("| ").append(s.path("second").asLong()).append(" | ").append(s.path("phase").asText()).append(" | ")
                    .append(mb(s.path("dataDirectoryBytes"))).append(" | ").append(mb(s.path("databaseBytes"))).append(" | ")
                    .append(mb(s.path("brokerBytes"))).append(" | ").append(text(s.get("h2ChunksFillRate"))).append(" | ")
                    .append(text(s.get("h2FileFillRate"))).append(" |\n");
        }
        JsonNode end = disk.path("atEnd");
        md.append("\nAt the end: data directory ").append(mb(end.path("dataDirectoryBytes"))).append(" MB (H2 file ")
                .append(mb(end.path("databaseBytes"))).append(" MB), live data ").append(mb(end.path("liveBytes")))
                .append(" MB (the tables' rows and indexes as stored, GET /api/v1/storage?tables=true): data directory ")
                .append(text(end.get("dataDirectoryPerLiveData"))).append("x the live data, H2 file ")
                .append(text(end.get("databasePerLiveData"))).append("x.\n\n| table | rows | MB |\n|---|---|---|\n");
        for (JsonNode t : end.path("tables")) {
            if (t.path("rows").asLong() > 0) {
                md.append("| ").append(t.path("name").asText()).append(" | ").append(t.path("rows").asLong()).append(" | ")
                        .append(mb(t.path("bytes"))).append(" |\n");
            }
        }
    }

    private static String mb(JsonNode bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes.asLong() / 1e6);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static String text(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode() ? "—" : value.asText();
    }

    private static void row(StringBuilder md, JsonNode r, String label, java.util.function.Function<JsonNode, String> cell) {
        md.append("| ").append(label).append(" | ");
        r.get("shops").forEach(shop -> md.append(cell.apply(shop)).append(" | "));
        md.append('\n');
    }
}
