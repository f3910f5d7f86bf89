package dev.unison.bench.edge;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The edge benchmark's load driver: HTTP/1.1 keep-alive connections driven by one Netty event-loop
 * thread. Why Netty and not the JDK's {@code HttpClient}: at 3,000 requests/s the JDK client took
 * 1.2 of this machine's 2 cores (the hub got 0.6), so the hub's own limits could not be seen; one
 * event loop sends and parses the same load for a fraction of that.
 *
 * <p>Two ways to drive a door. <em>Closed loop</em> ({@link #closedLoop}): each connection sends its
 * next request as soon as the previous one is answered, which finds the door's saturation point.
 * <em>Open loop</em> ({@link #openLoop}): requests are due at a fixed rate whatever the answers, as
 * tills and shops send them; a request waiting for a free connection waits in the driver, and its
 * latency counts from when it was due (no coordinated omission). In both, a 429 or 503 is sent again
 * after its {@code Retry-After} seconds, as the POS and webhook contracts ask of a sender.
 */
final class HttpLoad implements AutoCloseable {

    /** One request; {@code tag} lets the door recognise it in {@link Door#answered}. */
    record Request(String path, Map<String, String> headers, byte[] body, Object tag) {
    }

    /** What a door sends and what it makes of the answers (called on the event loop: keep it short). */
    interface Door {
        Request next();

        /** The final answer to a request (after any resends); {@code body} is the response body. */
        void answered(Request request, int status, String body);
    }

    /** What one drive did. Latency in microseconds, per answer (a resend is timed from its own due time). */
    static final class Outcome {
        final Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
        final AtomicLong answers = new AtomicLong();
        final AtomicLong success = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final AtomicLong refusedQuickly = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final Histogram refusalLatency = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
        /** From the moment a refused request was written to the connection (the hub's own time to refuse). */
        final Histogram refusalService = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
        /** Refusals by the first words of their detail (which check refused them). */
        final Map<String, AtomicLong> refusalReasons = new ConcurrentHashMap<>();
        /** From the moment a request was written until its answer, whatever the answer. */
        final Histogram service = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
        double seconds;
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoop loop = group.next();
    private final String host;
    private final int port;

    HttpLoad(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** {@code connections} clients, each sending its next request once the last is answered, for {@code length}. */
    Outcome closedLoop(Door door, int connections, Duration length) throws Exception {
        Drive drive = new Drive(door, System.nanoTime() + length.toNanos(), 0, connections);
        loop.execute(() -> {
            for (int i = 0; i < connections; i++) {
                drive.open();
            }
        });
        return drive.finish();
    }

    /**
     * Requests due at {@code ratePerSecond} for {@code length} over at most {@code maxConnections}
     * connections; those that find no free connection wait in the driver's queue.
     */
    Outcome openLoop(Door door, double ratePerSecond, int maxConnections, Duration length) throws Exception {
        Drive drive = new Drive(door, System.nanoTime() + length.toNanos(), ratePerSecond, maxConnections);
        loop.execute(drive::tick);
        return drive.finish();
    }

    /** One request on its way: when it was due, and the request itself. */
    private record Due(Request request, long dueAt) {
    }

    private final class Drive {
        final Door door;
        final long deadline;
        final double rate;
        final int maxConnections;
        final long started = System.nanoTime();
        final Outcome outcome = new Outcome();
        final ArrayDeque<Due> waiting = new ArrayDeque<>();
        final ArrayDeque<Connection> idle = new ArrayDeque<>();
        final Map<Connection, Boolean> open = new ConcurrentHashMap<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        long issued;
        int inFlight;
        int opening;

        Drive(Door door, long deadline, double rate, int maxConnections) {
            this.door = door;
            this.deadline = deadline;
            this.rate = rate;
            this.maxConnections = maxConnections;
        }

        boolean over() {
            return System.nanoTime() >= deadline;
        }

        /** Open loop: issues what is due since the start, every millisecond. */
        void tick() {
            long now = System.nanoTime();
            if (now < deadline) {
                long due = (long) ((now - started) / 1e9 * rate);
                while (issued < due) {
                    long dueAt = started + (long) (issued * 1e9 / rate);
                    issued++;
                    send(new Due(door.next(), dueAt));
                }
                loop.schedule(this::tick, 1, TimeUnit.MILLISECONDS);
            } else {
                // what is still queued in the driver was never sent: counted, not waited for
                outcome.dropped.addAndGet(waiting.size());
                waiting.clear();
                finishIfIdle();
            }
        }

        void send(Due due) {
            Connection c = idle.poll();
            if (c != null) {
                c.send(due);
                return;
            }
            waiting.add(due);
            if (open.size() + opening < maxConnections) {
                open();
            }
        }

        void open() {
            opening++;
            Connection connection = new Connection(this);
            new Bootstrap().group(loop).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(4 * 1024 * 1024), connection);
                        }
                    }).connect(host, port).addListener(f -> {
                        opening--;
                        if (!f.isSuccess()) {
                            outcome.failed.incrementAndGet();
                            if (!over()) {
                                loop.schedule(this::open, 100, TimeUnit.MILLISECONDS);
                            }
                            return;
                        }
                        connection.channel = ((io.netty.channel.ChannelFuture) f).channel();
                        open.put(connection, Boolean.TRUE);
                        connection.channel.closeFuture().addListener(closed -> connection.closed());
                        ready(connection);
                    });
        }

        /** A connection is free: the next waiting request, or in a closed loop a new one. */
        void ready(Connection connection) {
            Due next = waiting.poll();
            if (next == null && rate == 0 && !over()) {
                next = new Due(door.next(), System.nanoTime());
            }
            if (next != null) {
                connection.send(next);
            } else if (over() && waiting.isEmpty()) {
                connection.channel.close();
            } else {
                idle.add(connection);
            }
        }

        void answered(Connection connection, Due due, long sentAt, FullHttpResponse response) {
            inFlight--;
            long now = System.nanoTime();
            int status = response.status().code();
            long micros = Math.max(1, (now - due.dueAt()) / 1000);
            long serviceMicros = Math.max(1, (now - sentAt) / 1000);
            outcome.service.recordValue(Math.min(serviceMicros, outcome.service.getHighestTrackableValue()));
            outcome.latency.recordValue(Math.min(micros, outcome.latency.getHighestTrackableValue()));
            outcome.answers.incrementAndGet();
            if (status == 429 || status == 503) {
                outcome.refused.incrementAndGet();
                outcome.refusalLatency.recordValue(Math.min(micros, outcome.refusalLatency.getHighestTrackableValue()));
                outcome.refusalService.recordValue(Math.min(serviceMicros, outcome.refusalService.getHighestTrackableValue()));
                String body = response.content().toString(StandardCharsets.UTF_8);
                int at = body.indexOf("\"detail\":\"");
                String reason = at < 0 ? body : body.substring(at + 10, Math.min(body.length(), at + 10 + 48));
                outcome.refusalReasons.computeIfAbsent(reason.replaceAll("[0-9]+", "N"), k -> new AtomicLong()).incrementAndGet();
                long after = Math.max(1, parseLong(response.headers().get(HttpHeaderNames.RETRY_AFTER), 1));
                // sent again after Retry-After, as a till or a shop does; timed from then
                loop.schedule(() -> {
                    if (!over()) {
                        send(new Due(due.request(), System.nanoTime()));
                    }
                }, after, TimeUnit.SECONDS);
            } else {
                if (status >= 200 && status < 300) {
                    outcome.success.incrementAndGet();
                } else {
                    outcome.failed.incrementAndGet();
                }
                door.answered(due.request(), status, response.content().toString(StandardCharsets.UTF_8));
            }
            if (!HttpUtil.isKeepAlive(response)) {
                connection.channel.close();
            } else {
                ready(connection);
            }
        }

        void lost(Due due) {
            inFlight--;
            outcome.failed.incrementAndGet();
            door.answered(due.request(), -1, "");
        }

        void closed(Connection connection) {
            open.remove(connection);
            idle.remove(connection);
            if (!over() && (rate == 0 || !waiting.isEmpty())) {
                open();
            }
            finishIfIdle();
        }

        void finishIfIdle() {
            if (!done.isDone() && over() && inFlight == 0 && waiting.isEmpty()) {
                outcome.seconds = (System.nanoTime() - started) / 1e9;
                done.complete(null);
                // a copy: closing a channel on the event loop runs its close listener at once, which removes it from idle
                List<Connection> closing = new ArrayList<>(idle);
                idle.clear();
                closing.forEach(c -> c.channel.close());
            }
        }

        Outcome finish() throws Exception {
            // answers still on their way after the deadline are waited for (at most two minutes)
            var check = loop.scheduleAtFixedRate(this::finishIfIdle, 100, 100, TimeUnit.MILLISECONDS);
            done.whenComplete((v, e) -> check.cancel(false));
            done.get(TimeUnit.NANOSECONDS.toMillis(Math.max(0, deadline - System.nanoTime())) + 120_000, TimeUnit.MILLISECONDS);
            return outcome;
        }
    }

    /** One keep-alive connection, one request at a time. */
    private final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
        final Drive drive;
        Channel channel;
        Due current;
        long sentAt;

        Connection(Drive drive) {
            this.drive = drive;
        }

        void send(Due due) {
            current = due;
            sentAt = System.nanoTime();
            drive.inFlight++;
            Request r = due.request();
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, r.path(),
                    Unpooled.wrappedBuffer(r.body()));
            request.headers().set(HttpHeaderNames.HOST, host + ":" + port)
                    .set(HttpHeaderNames.CONTENT_LENGTH, r.body().length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            r.headers().forEach(request.headers()::set);
            channel.writeAndFlush(request);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            Due due = current;
            current = null;
            if (due != null) {
                drive.answered(this, due, sentAt, response);
            }
        }

        void closed() {
            if (current != null) {
                Due due = current;
                current = null;
                drive.lost(due);
            }
            drive.closed(this);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static long parseLong(String value, long fallback) {
        try {
            return value == null ? fallback : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
