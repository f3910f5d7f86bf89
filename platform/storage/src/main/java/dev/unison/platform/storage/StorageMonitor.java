package dev.unison.platform.storage;

import dev.unison.platform.worker.BackgroundWorker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;

/**
 * Measures the data directory ({@code unison.data-dir}: the H2 file, the broker journal, keys) and
 * the free space of its disk every interval, and warns before the disk runs out, not after: when
 * free space falls below a threshold, or when the growth of the last window would fill the disk
 * within a horizon. The same numbers go to Prometheus ({@code unison_storage_*}), to the health
 * component {@code storage} and to {@code GET /api/v1/storage}.
 *
 * <p>Why a warning and not DOWN: a hub with little disk left still works and must keep accepting
 * sales; Spring's own {@code diskSpace} health component turns DOWN only at the last few
 * megabytes, too late to act.
 */
public class StorageMonitor extends BackgroundWorker {

    private static final Logger LOG = LoggerFactory.getLogger(StorageMonitor.class);

    /** What the monitor watches and when it warns. */
    public record Settings(Duration interval, Duration growthWindow, long warnFreeBelowBytes, Duration warnFullWithin) {
        public Settings {
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("unison.storage.monitor.interval must be positive, got " + interval);
            }
            if (growthWindow == null || growthWindow.compareTo(interval) < 0) {
                throw new IllegalArgumentException("unison.storage.monitor.growth-window must be at least the interval ("
                        + interval + "), got " + growthWindow);
            }
            if (warnFreeBelowBytes < 0) {
                throw new IllegalArgumentException("unison.storage.monitor.warn-free-below must not be negative");
            }
            if (warnFullWithin == null || warnFullWithin.isNegative()) {
                throw new IllegalArgumentException("unison.storage.monitor.warn-full-within must be 0 (off) or positive, got "
                        + warnFullWithin);
            }
        }
    }

    /** One measurement. */
    public record Sample(Instant at, long dataDirectoryBytes, Map<String, Long> bytesBySubdirectory, long freeBytes,
            double growthBytesPerSecond, String warning) {
    }

    private final Path dataDirectory;
    private final Settings settings;
    private final Clock clock;
    private final Deque<Sample> window = new ArrayDeque<>();
    private volatile Sample last;

    public StorageMonitor(Path dataDirectory, Settings settings, Clock clock, MeterRegistry meters) {
        super("storage-monitor", settings.interval(), settings.interval());
        this.dataDirectory = dataDirectory.toAbsolutePath().normalize();
        this.settings = settings;
        this.clock = clock;
        Gauge.builder("unison.storage.data.directory.bytes", this, m -> m.value(Sample::dataDirectoryBytes)).baseUnit("bytes")
                .description("bytes under unison.data-dir (database file, broker journal, keys)").register(meters);
        Gauge.builder("unison.storage.free.bytes", this, m -> m.value(Sample::freeBytes)).baseUnit("bytes")
                .description("bytes the hub may still write on the data directory's disk").register(meters);
        Gauge.builder("unison.storage.growth.bytes.per.second", this, m -> m.value(Sample::growthBytesPerSecond))
                .description("growth of the data directory over unison.storage.monitor.growth-window").register(meters);
        Gauge.builder("unison.storage.warning", this, m -> m.last == null || m.last.warning() == null ? 0 : 1)
                .description("1 while the disk is close to full (see the health component storage)").register(meters);
    }

    /** The latest measurement, taken now if there is none yet. */
    public Sample current() {
        Sample sample = last;
        return sample != null ? sample : measure();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    protected boolean runRound() {
        measure();
        return false;
    }

    /** Measures now, updates the growth window and warns once per crossing into the warning. */
    synchronized Sample measure() {
        Instant now = clock.instant();
        Map<String, Long> bySubdirectory = new LinkedHashMap<>();
        long total = bytesUnder(dataDirectory, bySubdirectory);
        long free = freeBytes();
        while (!window.isEmpty() && window.peekFirst().at().isBefore(now.minus(settings.growthWindow()))) {
            window.removeFirst();
        }
        Sample oldest = window.peekFirst();
        double growth = 0;
        // a rate from less than half the window would warn about a start-up's first minutes of writes
        if (oldest != null && Duration.between(oldest.at(), now).compareTo(settings.growthWindow().dividedBy(2)) >= 0) {
            growth = (total - oldest.dataDirectoryBytes()) / (Duration.between(oldest.at(), now).toMillis() / 1000.0);
        }
        String warning = warning(free, growth);
        Sample sample = new Sample(now, total, Map.copyOf(bySubdirectory), free, growth, warning);
        Sample previous = last;
        if (warning != null && (previous == null || previous.warning() == null)) {
            LOG.warn("storage: {}", warning);
        } else if (warning == null && previous != null && previous.warning() != null) {
            LOG.info("storage: no longer close to full ({} free)", megabytes(free));
        }
        window.addLast(sample);
        last = sample;
        return sample;
    }

    private String warning(long free, double growth) {
        if (free < settings.warnFreeBelowBytes()) {
            return "only " + megabytes(free) + " free on the disk of " + dataDirectory + " (warning below "
                    + megabytes(settings.warnFreeBelowBytes()) + ", unison.storage.monitor.warn-free-below)";
        }
        if (!settings.warnFullWithin().isZero() && growth > 0) {
            Duration untilFull = Duration.ofSeconds((long) (free / growth));
            if (untilFull.compareTo(settings.warnFullWithin()) < 0) {
                return "at the growth of the last " + settings.growthWindow().toMinutes() + " min ("
                        + megabytes((long) growth) + "/s) the disk of " + dataDirectory + " is full in about "
                        + untilFull.toMinutes() + " min (warning within " + settings.warnFullWithin().toHours()
                        + " h, unison.storage.monitor.warn-full-within)";
            }
        }
        return null;
    }

    /** The health component {@code storage}: always UP (see the class comment), with a warning detail when close to full. */
    public Health health() {
        Sample sample = current();
        Health.Builder health = Health.up().withDetail("dataDirectory", dataDirectory.toString())
                .withDetail("dataDirectoryBytes", sample.dataDirectoryBytes())
                .withDetail("bytesBySubdirectory", sample.bytesBySubdirectory())
                .withDetail("freeBytes", sample.freeBytes())
                .withDetail("growthBytesPerSecond", Math.round(sample.growthBytesPerSecond()));
        if (sample.warning() != null) {
            health.withDetail("warning", sample.warning());
        }
        return health.build();
    }

    private double value(java.util.function.ToDoubleFunction<Sample> metric) {
        Sample sample = last;
        return sample == null ? Double.NaN : metric.applyAsDouble(sample);
    }

    private long freeBytes() {
        try {
            Path existing = dataDirectory;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            return existing == null ? 0 : Files.getFileStore(existing).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the free space of " + dataDirectory, e);
        }
    }

    /** Bytes of every regular file under root; files that vanish while walking (a rolled journal) count as 0. */
    static long bytesUnder(Path root, Map<String, Long> bySubdirectory) {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        long[] total = {0};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile()) {
                        total[0] += attributes.size();
                        Path relative = root.relativize(file);
                        String top = relative.getNameCount() > 1 ? relative.getName(0).toString() : ".";
                        bySubdirectory.merge(top, attributes.size(), Long::sum);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure " + root, e);
        }
        return total[0];
    }

    private static String megabytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1_000_000.0);
    }
}
