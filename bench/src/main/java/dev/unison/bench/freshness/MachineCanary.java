package dev.unison.bench.freshness;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How much CPU time a fixed piece of work costs on this machine right now. Every second, one
 * thread runs the same job — random reads over a 64 MB array (cache and memory), a SHA-256 of
 * 1 MB (arithmetic) and a hash map of 20,000 boxed entries (allocation) — and records the CPU
 * time its thread spent on it. On an idle machine that time is the job's cost; when the cores are
 * shared with more busy processes the same job costs more (caches evicted between time slices,
 * more context switches, a busier host). The hub's CPU per sale rises with the same conditions,
 * so the ratio of two runs' canary times says how much of a rise in the hub's CPU per sale the
 * machine alone accounts for.
 */
final class MachineCanary implements AutoCloseable {

    private static final int ARRAY_INTS = 16 * 1024 * 1024; // 64 MB
    private static final int RANDOM_READS = 2_000_000;

    private final int[] memory = new int[ARRAY_INTS];
    private final byte[] block = new byte[1024 * 1024];
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final List<Double> measuredMillis = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean recording;
    private volatile long sink; // read by nobody: keeps the JIT from dropping the job

    MachineCanary() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < memory.length; i++) {
            memory[i] = random.nextInt();
        }
        random.nextBytes(block);
        thread = new Thread(this::run, "machine-canary");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            long before = threads.getCurrentThreadCpuTime();
            job();
            long used = threads.getCurrentThreadCpuTime() - before;
            if (recording) {
                measuredMillis.add(used / 1e6);
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void job() {
        SplittableRandom random = new SplittableRandom(11);
        long sum = 0;
        for (int i = 0; i < RANDOM_READS; i++) {
            sum += memory[random.nextInt(ARRAY_INTS)];
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(block);
            sum += digest[0];
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Map<Integer, Integer> map = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            map.put(i * 31, i);
        }
        sum += map.size();
        sink += sum;
    }

    /** From now on the job's times count (the measured window). */
    void record() {
        recording = true;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        recording = false;
        thread.interrupt();
        thread.join(5_000);
    }

    ObjectNode result() {
        List<Double> sorted;
        synchronized (measuredMillis) {
            sorted = new ArrayList<>(measuredMillis);
        }
        Collections.sort(sorted);
        ObjectNode out = CanonicalJson.mapper().createObjectNode();
        out.put("note", "CPU ms of one fixed job (64 MB random reads, SHA-256 of 1 MB, a 20,000-entry map), once a second "
                + "while measured, in the benchmark's JVM; compare runs by the median");
        out.put("runs", sorted.size());
        if (!sorted.isEmpty()) {
            out.put("medianMs", Math.round(sorted.get(sorted.size() / 2) * 100) / 100.0);
            out.put("p10Ms", Math.round(sorted.get(sorted.size() / 10) * 100) / 100.0);
            out.put("p90Ms", Math.round(sorted.get(sorted.size() * 9 / 10) * 100) / 100.0);
        }
        return out;
    }
}
