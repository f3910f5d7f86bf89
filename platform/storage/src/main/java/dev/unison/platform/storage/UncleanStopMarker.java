package dev.unison.platform.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells whether the previous run of the hub on this data directory stopped cleanly: a file
 * written at start and removed when the hub stops normally. Found at start, the previous process
 * was killed or lost its machine, and what an embedded database may have lost in that moment is
 * checked before the hub takes traffic.
 */
public final class UncleanStopMarker implements AutoCloseable {

    /** The marker's name in the data directory. */
    public static final String FILE_NAME = "hub.running";

    private final Path file;
    private final boolean previousRunStoppedUncleanly;
    private volatile boolean started;

    /** Reads the marker a previous run left, then writes this run's. */
    public UncleanStopMarker(Path dataDirectory) {
        this.file = dataDirectory.resolve(FILE_NAME);
        this.previousRunStoppedUncleanly = Files.exists(file);
        try {
            Files.createDirectories(dataDirectory);
            Files.writeString(file, ProcessHandle.current().pid() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": the data directory must be writable", e);
        }
    }

    public boolean previousRunStoppedUncleanly() {
        return previousRunStoppedUncleanly;
    }

    /**
     * This run has started completely (the checks an unclean stop asks for are done). Until then a
     * stop keeps the marker: a start that fails half-way leaves the next start to check again.
     */
    public void started() {
        started = true;
    }

    /** A normal stop of a run that had started: the next start finds no marker. */
    @Override
    public void close() {
        if (!started) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file, e);
        }
    }
}
