package dev.unison.platform.edge;

import dev.unison.canonical.json.CanonicalJson;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads every request body before the request reaches Spring MVC and Camel, without holding a
 * thread while the bytes arrive, and within a deadline.
 *
 * <p>Why: a request thread that reads a body blocks until the bytes arrive, and Tomcat's read
 * timeout ({@code connectionTimeout}) is per read, so a client sending one byte every few seconds
 * holds a thread for as long as it likes. 500 such clients held every request thread and the
 * partner API stopped answering. Here the body is read with the Servlet 6.1 non-blocking I/O API
 * ({@code ReadListener}, Jakarta Servlet specification section 3.7 "Non Blocking IO") inside an
 * asynchronous cycle: while the client trickles, no thread waits. The whole body must arrive within
 * {@code unison.api.edge.body-read-timeout}; otherwise the client gets 408 and the connection is
 * closed. Once complete, the request is dispatched again with the body in memory, so the handler
 * never blocks on the network. Bodies over {@link ApiSupport#MAX_BODY_BYTES} are not buffered: a
 * declared larger length goes straight on (the handlers answer 413 without reading), a chunked one
 * that grows past it is answered 413 here.
 */
public final class BodyDeadlineFilter implements Filter {

    private static final String BUFFERED = BodyDeadlineFilter.class.getName() + ".body";
    /**
     * When the request was ready to be handled ({@link System#nanoTime()}): its body complete, or
     * on arrival when it has none. The time until a handler takes it is the hub's own queueing
     * ({@link ApiSupport} refuses a request that waited too long), never the client's upload.
     */
    static final String READY_AT = BodyDeadlineFilter.class.getName() + ".readyAt";
    /** On an admitted request: its place among those in flight, released once (true) when it is answered. */
    private static final String ADMITTED = BodyDeadlineFilter.class.getName() + ".admitted";

    private final HttpEdge edge;
    private final Duration timeout;
    private final int maxBytes;
    private final int maxInFlight;

    /**
     * And a bound at the door: while {@code maxInFlight} partner-API and webhook requests are being
     * handled, another is answered 503 with {@code Retry-After} as soon as its body is complete,
     * without queueing it (zero: no bound).
     */
    public BodyDeadlineFilter(HttpEdge edge, Duration timeout, int maxBytes, int maxInFlight) {
        this.edge = edge;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.maxInFlight = maxInFlight;
    }

    /** Only the doors clients retry (the partner API, webhooks) are bounded; health and metrics are always answered. */
    private static boolean bounded(HttpServletRequest request) {
        String uri = request.getRequestURI();
        return uri.startsWith("/api/") || uri.startsWith("/webhooks/");
    }

    /** Admits a bounded request (marking it, to release it once answered); false: refused. */
    private boolean admit(HttpServletRequest request) {
        if (!bounded(request)) {
            return true;
        }
        if (!edge.admit(maxInFlight)) {
            return false;
        }
        request.setAttribute(ADMITTED, new AtomicBoolean());
        return true;
    }

    /**
     * Passes an admitted request on and releases its place once it is answered: when the handler
     * went asynchronous (Camel's platform-http does), on the end of that cycle (the Servlet
     * specification defers its completion until this dispatch has returned, so the listener is
     * always in time), else at once.
     */
    private void handle(HttpServletRequest request, ServletResponse res, FilterChain chain, ServletRequest passed)
            throws IOException, ServletException {
        AtomicBoolean place = request.getAttribute(ADMITTED) instanceof AtomicBoolean p ? p : null;
        try {
            chain.doFilter(passed, res);
        } catch (IOException | ServletException | RuntimeException failed) {
            release(place);
            throw failed;
        }
        if (place == null) {
            return;
        }
        if (request.isAsyncStarted()) {
            request.getAsyncContext().addListener(new AsyncListener() {
                @Override
                public void onComplete(AsyncEvent event) {
                    release(place);
                }

                @Override
                public void onTimeout(AsyncEvent event) {
                    release(place);
                }

                @Override
                public void onError(AsyncEvent event) {
                    release(place);
                }

                @Override
                public void onStartAsync(AsyncEvent event) {
                    event.getAsyncContext().addListener(this); // a further cycle: stay until the last one ends
                }
            });
        } else {
            release(place);
        }
    }

    private void release(AtomicBoolean place) {
        if (place != null && place.compareAndSet(false, true)) {
            edge.release();
        }
    }

    /**
     * The 503 of a request refused at the door: its body was read in full, so the connection stays
     * usable. Nothing of the request was looked at, so nothing of it was done (RFC 9110 section 15.6.4).
     */
    private static void refuse(HttpServletResponse response) throws IOException {
        byte[] json = CanonicalJson.write(ApiSupport.errorBody("overloaded", "the hub is busy: it is handling as many "
                + "requests as it may at once, so this one was not queued and nothing of it was done; send it again after the "
                + "Retry-After header's seconds")).getBytes(StandardCharsets.UTF_8);
        response.setStatus(503);
        response.setHeader("Retry-After", "1");
        response.setContentType("application/json");
        response.setContentLength(json.length);
        response.getOutputStream().write(json);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        if (request.getAttribute(BUFFERED) instanceof byte[] body) {
            handle(request, res, chain, new BufferedBodyRequest(request, body));
            return;
        }
        long declared = request.getContentLengthLong();
        boolean hasBody = declared > 0 || (declared < 0 && request.getHeader("Transfer-Encoding") != null);
        if (request.getDispatcherType() != DispatcherType.REQUEST || !hasBody || declared > maxBytes
                || !request.isAsyncSupported()) {
            if (request.getAttribute(READY_AT) == null) {
                if (request.getDispatcherType() == DispatcherType.REQUEST && !admit(request)) {
                    refuse((HttpServletResponse) res);
                    return;
                }
                request.setAttribute(READY_AT, System.nanoTime());
                handle(request, res, chain, req);
                return;
            }
            chain.doFilter(req, res);
            return;
        }
        AsyncContext async = request.startAsync(request, res);
        async.setTimeout(timeout.toMillis());
        Reader reader = new Reader(async, request, (HttpServletResponse) res, request.getInputStream(),
                declared > 0 ? (int) declared : 8192);
        async.addListener(reader);
        edge.bodyReadStarted(reader);
        request.getInputStream().setReadListener(reader);
    }

    /** Reads the body as it arrives; dispatches the request once it is complete, or answers 408/413. */
    private final class Reader implements ReadListener, AsyncListener {
        private final AsyncContext async;
        private final HttpServletRequest request;
        private final HttpServletResponse response;
        private final ServletInputStream in;
        private final ByteArrayOutputStream body;
        private final byte[] chunk = new byte[8192];
        private final AtomicBoolean finished = new AtomicBoolean();

        Reader(AsyncContext async, HttpServletRequest request, HttpServletResponse response, ServletInputStream in,
                int expected) {
            this.async = async;
            this.request = request;
            this.response = response;
            this.in = in;
            // grows as bytes arrive: a declared length alone (cheap to send) reserves at most 64 KiB
            this.body = new ByteArrayOutputStream(Math.min(expected, 64 * 1024));
        }

        @Override
        public void onDataAvailable() throws IOException {
            synchronized (this) {
                while (!finished.get() && in.isReady()) {
                    int n = in.read(chunk);
                    if (n < 0) {
                        return; // onAllDataRead follows
                    }
                    body.write(chunk, 0, n);
                    if (body.size() > maxBytes) {
                        end(413, "payload_too_large", "request bodies are limited to " + maxBytes + " bytes");
                        return;
                    }
                }
            }
        }

        @Override
        public void onAllDataRead() {
            synchronized (this) {
                if (finished.compareAndSet(false, true)) {
                    edge.bodyReadEnded(this);
                    if (!admit(request)) {
                        try {
                            refuse(response);
                        } catch (IOException | IllegalStateException ignored) {
                            // the client is gone
                        } finally {
                            async.complete();
                        }
                        return;
                    }
                    request.setAttribute(BUFFERED, body.toByteArray());
                    request.setAttribute(READY_AT, System.nanoTime());
                    async.dispatch();
                }
            }
        }

        @Override
        public void onError(Throwable failure) {
            // the client went away or broke the framing: nobody to answer
            synchronized (this) {
                if (finished.compareAndSet(false, true)) {
                    edge.bodyReadEnded(this);
                    async.complete();
                }
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            synchronized (this) {
                if (!finished.get()) {
                    edge.slowBodyAborted();
                    end(408, "request_timeout", "the request body did not arrive within " + timeout.toSeconds()
                            + " s; send it at a steady rate");
                }
            }
        }

        /** Answers an error and closes the connection: the rest of the body is never read. */
        private void end(int status, String error, String detail) {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            edge.bodyReadEnded(this);
            try {
                byte[] json = CanonicalJson.write(ApiSupport.errorBody(error, detail)).getBytes(StandardCharsets.UTF_8);
                response.setStatus(status);
                response.setHeader("Connection", "close");
                response.setContentType("application/json");
                response.setContentLength(json.length);
                response.getOutputStream().write(json);
            } catch (IOException | IllegalStateException ignored) {
                // the client is gone
            } finally {
                async.complete();
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            if (finished.compareAndSet(false, true)) {
                edge.bodyReadEnded(this);
            }
        }

        @Override
        public void onError(AsyncEvent event) {
            onError(event.getThrowable());
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // the dispatched request may start its own asynchronous cycle; this one is over
        }
    }

    /** The request with its body already read. */
    private static final class BufferedBodyRequest extends HttpServletRequestWrapper {
        private final byte[] body;

        BufferedBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body is already read");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public java.io.BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            return new java.io.BufferedReader(new java.io.InputStreamReader(new ByteArrayInputStream(body),
                    encoding == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(encoding)));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
