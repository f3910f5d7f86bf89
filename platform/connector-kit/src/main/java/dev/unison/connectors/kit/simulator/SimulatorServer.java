package dev.unison.connectors.kit.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The base of every external-system simulator: an embedded HTTP server (the JDK's own, so a
 * simulator runs anywhere, standalone too) with routes that enforce a contract, a record of every
 * request received, and faults injected on demand (latency, 429 bursts, 5xx, dropped
 * connections). Subclasses add the system's routes in their constructor.
 */
public class SimulatorServer implements AutoCloseable {

    /** A route handler; it may throw {@link SimulatorRejection} to answer an error. */
    public interface Handler extends Function<SimRequest, SimResponse> {
    }

    private record Route(String method, Pattern path, Handler handler) {
    }

    private final String name;
    private final HttpServer server;
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final List<SimRequest> received = new CopyOnWriteArrayList<>();
    private volatile int keep = Integer.MAX_VALUE;
    private final Deque<Fault> faults = new ConcurrentLinkedDeque<>();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    protected final Clock clock;
    private static final java.net.http.HttpClient WEBHOOK_CLIENT = java.net.http.HttpClient.newHttpClient();

    static {
        // The JDK server writes a response's headers and body separately; with Nagle's algorithm on,
        // the body waits for the client's delayed ACK (~40 ms on Linux loopback), which made every
        // sequential call take ~30 ms. Real APIs have no such artificial stall.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    public SimulatorServer(String name, int port, Clock clock) {
        this.name = name;
        this.clock = clock;
        try {
            this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        } catch (IOException e) {
            throw new IllegalStateException(name + " simulator cannot listen on port " + port, e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, name + "-simulator");
            t.setDaemon(true);
            return t;
        }));
    }

    public SimulatorServer start() {
        server.start();
        return this;
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public String name() {
        return name;
    }

    protected void route(String method, String pathRegex, Handler handler) {
        routes.add(new Route(method, Pattern.compile(pathRegex), handler));
    }

    /** Queues faults; each applies to one upcoming request, in order. */
    public void inject(Fault... next) {
        faults.addAll(List.of(next));
    }

    /** Every request received so far, faulted ones included. */
    public List<SimRequest> received() {
        return List.copyOf(received);
    }

    /**
     * Keeps only the last {@code max} requests in {@link #received()}: a simulator under a long
     * benchmark must not hold every body it was sent.
     */
    public SimulatorServer keepReceived(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("keep at least one request, got " + max);
        }
        this.keep = max;
        return this;
    }

    public void clearReceived() {
        received.clear();
    }

    /** Requests being handled right now, a delayed one included (it is in {@link #received()} only once answered). */
    public int inFlight() {
        return inFlight.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        inFlight.incrementAndGet();
        try (exchange) {
            answer(exchange);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getRawQuery();

            Fault fault = faults.poll();
            if (fault instanceof Fault.Drop) {
                received.add(new SimRequest(method, path, query, headers, body, clock.instant(), null));
                return; // closing without a status line is what a dropped connection looks like
            }
            if (fault instanceof Fault.Delay delay) {
                try {
                    TimeUnit.MILLISECONDS.sleep(delay.delay().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            SimResponse response;
            Matcher match = null;
            Route route = null;
            for (Route r : routes) {
                Matcher m = r.path().matcher(path);
                if (r.method().equals(method) && m.matches()) {
                    route = r;
                    match = m;
                    break;
                }
            }
            SimRequest request = new SimRequest(method, path, query, headers, body, clock.instant(), match);
            received.add(request);
            while (received.size() > keep) {
                try {
                    received.remove(0);
                } catch (IndexOutOfBoundsException cleared) {
                    break; // a test cleared the list meanwhile
                }
            }
            if (fault instanceof Fault.Respond respond) {
                response = respond.response();
            } else if (route == null) {
                response = SimResponse.json(404, "{\"errors\":\"Not Found\"}");
            } else {
                try {
                    response = route.handler().apply(request);
                } catch (SimulatorRejection rejection) {
                    response = rejection.response();
                } catch (RuntimeException bug) {
                    response = SimResponse.json(500, "{\"errors\":\"simulator error: " + bug.getMessage() + "\"}");
                }
            }
            response.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            if (headers.getOrDefault("connection", List.of()).stream().anyMatch(c -> c.toLowerCase(Locale.ROOT).contains("close"))) {
                // the JDK server closes the connection after answering a request that asked for "Connection: close",
                // but does not say so; a client whose pool reuses sockets the answer did not close (commerce-sdk's
                // make-fetch-happen) then writes its next request into a closed socket ("socket hang up").
                // RFC 9112 9.6: the server SHOULD send "close" in its final response on that connection.
                exchange.getResponseHeaders().set("Connection", "close");
            }
            exchange.sendResponseHeaders(response.status(), response.body().length == 0 ? -1 : response.body().length);
            if (response.body().length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            }
        }
    }

    /** POSTs a webhook delivery (JSON body, the given headers) to {@code url}; returns the HTTP status. */
    public int postWebhook(String url, Map<String, String> headers, byte[] body) {
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            return WEBHOOK_CLIENT.send(request.build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new IllegalStateException("webhook to " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Requests received on a path matching the regex (for assertions). */
    public List<SimRequest> receivedOn(String method, String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        List<SimRequest> out = new ArrayList<>();
        for (SimRequest r : received) {
            if (r.method().equals(method) && p.matcher(r.path()).matches()) {
                out.add(r);
            }
        }
        return out;
    }
}
