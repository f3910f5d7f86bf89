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

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
