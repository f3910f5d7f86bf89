package dev.unison.hub.support;

import dev.unison.platform.testkit.HttpApi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged hub (target/unison-hub.jar) as a separate process, for tests that kill it. */
public final class ForkedHub {

    private ForkedHub() {
    }

    /** Starts {@code java -Xmx512m -jar target/unison-hub.jar <arguments>} with extra environment, output to {@code log}. */
    public static Process start(List<String> arguments, Map<String, String> environment, Path log) throws IOException {
        File jar = new File("target/unison-hub.jar");
        assertThat(jar).as("the packaged hub (failsafe runs after package)").exists();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", jar.getAbsolutePath()));
        command.addAll(arguments);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(environment);
        return pb.start();
    }

    /** Waits until the process answers health UP on {@code port}; fails if it exits first. */
    public static HttpApi awaitUp(int port, Process process) {
        return awaitUp(port, process, Duration.ofSeconds(90));
    }

    /** As {@link #awaitUp(int, Process)}, waiting at most {@code patience}. */
    public static HttpApi awaitUp(int port, Process process, Duration patience) {
        HttpApi http = new HttpApi(port);
        await().atMost(patience).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertThat(process.isAlive()).as("hub process exited early").isTrue();
            try {
                return http.get("/actuator/health", null).status() == 200;
            } catch (IllegalStateException notYetListening) {
                return false;
            }
        });
        return http;
    }

    /**
     * The lines of a forked hub's log from the first one naming {@code marker} (an incident id, say)
     * on, at most 60; the last 60 lines when none does. For failure messages: CI shows the test's
     * output, not the forked process's log file.
     */
    public static String logAround(Path log, String marker) {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(log);
            int at = 0;
            while (at < lines.size() && !lines.get(at).contains(marker)) {
                at++;
            }
            int from = at < lines.size() ? at : Math.max(0, lines.size() - 60);
            return String.join("\n", lines.subList(from, Math.min(lines.size(), from + 60)));
        } catch (IOException unreadable) {
            return "(the log " + log + " could not be read: " + unreadable + ")";
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
