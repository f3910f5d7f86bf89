package dev.unison.platform.edge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.log.LogSafe;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Authentication, JSON bodies and error responses shared by every partner API operation. */
public final class ApiSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ApiSupport.class);
    public static final String PRINCIPAL = "unison.principal";
    /** Largest request body accepted (413 above). */
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final String BEARER = "bearer ";

    private final Partners partners;
    private final ApiRateLimiter limiter;
    private final long maxRequestWaitNanos;
    private final HttpEdge edge;

    public ApiSupport(Partners partners) {
        this(partners, ApiRateLimiter.UNLIMITED);
    }

    /** With {@code limiter}: per-partner rate limit and failed-authentication throttling (429). */
    public ApiSupport(Partners partners, ApiRateLimiter limiter) {
        this(partners, limiter, java.time.Duration.ZERO, null);
    }

    /**
     * And back-pressure: a request that waited longer than {@code maxRequestWait} for a handler once it
     * was complete (the hub's own queue, not the client's upload) is refused with 503 and
     * {@code Retry-After} before anything of it is done (zero: never).
     */
    public ApiSupport(Partners partners, ApiRateLimiter limiter, java.time.Duration maxRequestWait, HttpEdge edge) {
        this.partners = partners;
        this.limiter = limiter;
        this.maxRequestWaitNanos = maxRequestWait.toNanos();
        this.edge = edge;
    }

    /**
     * 503 when the request waited for a handler longer than allowed: answering what is already late
     * only adds to the queue the client has stopped waiting for, so the hub sheds it cheaply and the
     * client sends it again after {@code Retry-After} (RFC 9110 section 15.6.4). Nothing of it is done.
     */
    private void refuseIfQueuedTooLong(Exchange exchange) {
        if (maxRequestWaitNanos <= 0) {
            return;
        }
        long waited = waitedNanos(exchange);
        if (waited > maxRequestWaitNanos) {
            if (edge != null) {
                edge.overloaded();
            }
            throw ApiException.overloaded("the hub is busy: this request waited " + waited / 1_000_000
                    + " ms before it could be handled and nothing of it was done; send it again after the Retry-After "
                    + "header's seconds", Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(waited) / 2));
        }
    }

    /** How long the request of this exchange has waited since it was complete, or -1 when unknown. */
    static long waitedNanos(Exchange exchange) {
        if (exchange.getIn() instanceof org.apache.camel.component.platform.http.springboot.PlatformHttpMessage http
                && http.getRequest() != null && http.getRequest().getAttribute(BodyDeadlineFilter.READY_AT) instanceof Long readyAt) {
            return System.nanoTime() - readyAt;
        }
        return -1;
    }

    /** The scopes the installed modules declare and the scope each operation requires. */
    public ScopeCatalog scopes() {
        return partners.scopes();
    }

    /** As {@link #require(Scope)}, recording that {@code operation} requires {@code scope} (OpenAPI, docs). */
    public Processor require(String operation, Scope scope) {
        partners.scopes().require(operation, scope);
        return require(scope);
    }

    /**
     * Requires {@code Authorization: Bearer <key>} (RFC 6750) of a partner holding {@code scope}:
     * 401 when the key is missing or unknown, 403 when the partner lacks the scope.
     */
    public Processor require(Scope scope) {
        return exchange -> {
            refuseIfQueuedTooLong(exchange);
            String client = limiter.checkClient(exchange);
            String header = exchange.getIn().getHeader("Authorization", String.class);
            if (header == null || header.isBlank()) {
                throw ApiException.unauthorized("missing API key: send 'Authorization: Bearer <key>'");
            }
            if (header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                throw ApiException.unauthorized("the Authorization header must use the Bearer scheme");
            }
            Partners.Principal principal = partners.authenticate(header.substring(BEARER.length()).trim())
                    .orElseThrow(() -> limiter.failedAuthentication(client, ApiException.unauthorized("invalid or revoked API key")));
            limiter.acquire(principal);
            if (!principal.has(scope)) {
                throw ApiException.forbidden("this operation needs the scope '" + scope.wireName() + "'");
            }
            exchange.setProperty(PRINCIPAL, principal);
        };
    }

    public static Partners.Principal principal(Exchange exchange) {
        return exchange.getProperty(PRINCIPAL, Partners.Principal.class);
    }

    /** A date query parameter (YYYY-MM-DD): null when absent or blank, 400 naming it when malformed. */
    public static java.time.LocalDate dateParameter(Exchange exchange, String name) {
        String v = exchange.getIn().getHeader(name, String.class);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return java.time.LocalDate.parse(v);
        } catch (java.time.format.DateTimeParseException bad) {
            throw ApiException.badRequest("'" + name + "' must be a date YYYY-MM-DD");
        }
    }

    /** The request body as a JSON object: 413 when too large, 400 when malformed or not an object. */
    public static JsonNode jsonBody(Exchange exchange) {
        JsonNode json = jsonValue(exchange);
        if (!json.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON object");
        }
        return json;
    }

    /** The request body as any JSON value (an array for batches): 413 when too large, 400 when malformed. */
    public static JsonNode jsonValue(Exchange exchange) {
        Long declared = exchange.getIn().getHeader(Exchange.CONTENT_LENGTH, Long.class);
        if (declared != null && declared > MAX_BODY_BYTES) {
            throw new ApiException(413, "payload_too_large", "request bodies are limited to " + MAX_BODY_BYTES + " bytes");
        }
        byte[] body = exchange.getIn().getBody(byte[].class);
        if (body == null || body.length == 0) {
            throw ApiException.badRequest("a JSON request body is required");
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new ApiException(413, "payload_too_large", "request bodies are limited to " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode json;
        try {
            json = CanonicalJson.parse(body);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        if (json == null) {
            throw ApiException.badRequest("a JSON request body is required");
        }
        return json;
    }

    /** Writes a JSON response. Request headers are dropped so nothing (e.g. Authorization) is echoed back. */
    public static void respond(Exchange exchange, int status, Object body) {
        Message out = exchange.getMessage();
        out.getHeaders().clear();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (body == null) {
            out.setBody(null);
            return;
        }
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(CanonicalJson.write(body));
    }

    /** The error body of every non-2xx answer: {@code {"error": "...", "detail": "..."}}; never a stack trace. */
    public static void respondError(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (cause instanceof ApiException api) {
            respond(exchange, api.status(), errorBody(api.error(), api.detail()));
            if (api.status() == 401) {
                exchange.getMessage().setHeader("WWW-Authenticate", "Bearer realm=\"unison\"");
            }
            if (api.retryAfterSeconds() != null) {
                exchange.getMessage().setHeader("Retry-After", api.retryAfterSeconds());
            }
            return;
        }
        if (cause instanceof dev.unison.connectors.kit.spi.Overloaded busy) {
            // an intake further behind than its longest wait (counted by the intake): nothing stored, send it again
            respond(exchange, 503, errorBody("overloaded", busy.getMessage()));
            exchange.getMessage().setHeader("Retry-After", busy.retryAfterSeconds());
            return;
        }
        String incident = UUID.randomUUID().toString();
        LOG.error("partner API request failed (incident {})", incident, LogSafe.throwable(cause)); // messages may quote input
        respond(exchange, 500, errorBody("internal_error", "unexpected error; incident " + incident + " is in the hub log"));
    }

    public static Map<String, String> errorBody(String error, String detail) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("detail", detail);
        return body;
    }
}
