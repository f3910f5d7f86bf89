package dev.unison.connectors.kit.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class SimulatorServerTest {

    /**
     * A request asking for {@code Connection: close} gets an answer saying so before the connection
     * closes (RFC 9112 9.6): commerce-sdk's socket pool otherwise reused the closed socket.
     */
    @Test
    void anAnswerToARequestAskingForCloseSaysItCloses() throws Exception {
        try (SimulatorServer server = new SimulatorServer("test", 0, Clock.systemUTC())) {
            server.route("GET", "/ping", r -> SimResponse.json(200, "{}"));
            server.start();
            assertThat(rawGet(server.port(), "Connection: close\r\n")).containsIgnoringCase("connection: close");
            assertThat(rawGet(server.port(), "")).doesNotContainIgnoringCase("connection: close");
        }
    }

    private static String rawGet(int port, String extraHeaders) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            int b;
            while ((b = in.read()) != -1) {
                head.append((char) b);
                if (head.toString().endsWith("\r\n\r\n")) {
                    break;
                }
            }
            return head.toString();
        }
    }
}
