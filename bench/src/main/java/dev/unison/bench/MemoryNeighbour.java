package dev.unison.bench;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A noisy neighbour for the scaling runs: one thread that reads and writes a large array at random
 * places for a while, so it keeps one core busy and misses the caches the way another JVM's heap
 * work does (a shell loop keeps a core busy but stays in its cache). Run beside one hub instance to
 * see how much of the CPU per sale measured with several instances on two cores comes from sharing
 * the machine rather than from the hub's own work:
 * {@code java -Xmx1536m -cp bench/target/benchmarks.jar dev.unison.bench.MemoryNeighbour --megabytes 1024 --seconds 600}.
 */
public final class MemoryNeighbour {

    private MemoryNeighbour() {
    }

    public static void main(String[] args) {
        java.util.Map<String, String> a = Options.parse(args, java.util.Set.of("megabytes", "seconds"));
        int megabytes = Integer.parseInt(a.getOrDefault("megabytes", "1024"));
        long seconds = Long.parseLong(a.getOrDefault("seconds", "600"));
        long[] memory = new long[megabytes * (1024 * 1024 / Long.BYTES)];
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long sum = 0;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (System.nanoTime() < end) {
            for (int i = 0; i < 1_000_000; i++) {
                int at = random.nextInt(memory.length);
                memory[at] += at;
                sum += memory[random.nextInt(memory.length)];
            }
        }
        System.out.println("done (" + sum + ")");
    }
}
