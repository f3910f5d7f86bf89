package dev.unison.connectors.sfcc;

import dev.unison.connectors.kit.http.FeedbackRateLimiter;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Feeds SFCC's load-shedding signal into a {@link FeedbackRateLimiter}. "B2C Commerce API: Rate
 * limits" (load shedding): when the realm is under load, answers carry {@code sfdc_load} (the load
 * as a percentage) and {@code sfdc_load_status}: {@code WARN} from 80 %, {@code THROTTLE} from 90 %,
 * where a share of requests is answered 503. The pacer lowers the limiter's restore rate to half at
 * WARN (on a successful answer: before any limit is hit) and to a quarter at THROTTLE, holding calls
 * back a second after a THROTTLE answer; an answer without the signal restores the configured rate.
 * Nothing is dropped: the callers keep their work queued while the limiter says wait.
 */
final class LoadPacer {

    enum Load { NORMAL, WARN, THROTTLE }

    private final FeedbackRateLimiter limiter;
    private final double capacity;
    private final double ratePerSecond;
    private volatile Load load = Load.NORMAL;

    /** @param burst calls that may go at once before the pace applies (at least 1) */
    LoadPacer(double ratePerSecond, double burst) {
        this.capacity = Math.max(1, burst);
        this.ratePerSecond = ratePerSecond;
        this.limiter = FeedbackRateLimiter.of(capacity, ratePerSecond, 0);
    }

    FeedbackRateLimiter limiter() {
        return limiter;
    }

    Load load() {
        return load;
    }

    /** The restore rate for a load. */
    double rate(Load at) {
        return switch (at) {
            case NORMAL -> ratePerSecond;
            case WARN -> ratePerSecond / 2;
            case THROTTLE -> ratePerSecond / 4;
        };
    }

    /** One answer's signal (header value, or null without one). */
    synchronized void onAnswer(int status, String loadStatus) {
        String signal = loadStatus == null ? "" : loadStatus.trim().toUpperCase(Locale.ROOT);
        Load now = signal.equals("THROTTLE") ? Load.THROTTLE : signal.equals("WARN") ? Load.WARN : Load.NORMAL;
        if (now != load) {
            limiter.onThrottleStatus(capacity, Math.min(capacity, limiter.available()), rate(now));
            load = now;
        }
        if (now == Load.THROTTLE && status == 503) {
            limiter.onRetryAfter(Duration.ofSeconds(1));
        }
    }

    /** An {@link HttpClient} that reports every answer's load signal to this pacer, then hands it on. */
    HttpClient listening(HttpClient http) {
        return new Listening(http, this);
    }

    private static final class Listening extends HttpClient {
        private final HttpClient http;
        private final LoadPacer pacer;

        Listening(HttpClient http, LoadPacer pacer) {
            this.http = http;
            this.pacer = pacer;
        }

        @Override
        public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
                throws IOException, InterruptedException {
            HttpResponse<T> response = http.send(request, handler);
            pacer.onAnswer(response.statusCode(), response.headers().firstValue("sfdc_load_status").orElse(null));
            return response;
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
            return http.sendAsync(request, handler).thenApply(r -> {
                pacer.onAnswer(r.statusCode(), r.headers().firstValue("sfdc_load_status").orElse(null));
                return r;
            });
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                HttpResponse.PushPromiseHandler<T> push) {
            return http.sendAsync(request, handler, push);
        }

        @Override
        public Optional<CookieHandler> cookieHandler() {
            return http.cookieHandler();
        }

        @Override
        public Optional<Duration> connectTimeout() {
            return http.connectTimeout();
        }

        @Override
        public Redirect followRedirects() {
            return http.followRedirects();
        }

        @Override
        public Optional<ProxySelector> proxy() {
            return http.proxy();
        }

        @Override
        public SSLContext sslContext() {
            return http.sslContext();
        }

        @Override
        public SSLParameters sslParameters() {
            return http.sslParameters();
        }

        @Override
        public Optional<Authenticator> authenticator() {
            return http.authenticator();
        }

        @Override
        public Version version() {
            return http.version();
        }

        @Override
        public Optional<Executor> executor() {
            return http.executor();
        }
    }
}
