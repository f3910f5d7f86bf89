package dev.unison.connectors.kit.webhook;

import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.spi.Inbox;
import dev.unison.connectors.kit.spi.Overloaded;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * What every webhook endpoint does at its door before it looks at the content: bound the body
 * (413) and answer in one JSON shape ({@code {"status"}} on success, {@code {"error", "detail"}}
 * otherwise), never echoing the request's headers back.
 */
public final class WebhookDoor {

    public static final int MAX_BODY_BYTES = 1024 * 1024;

    private WebhookDoor() {
    }

    /** The raw body, or empty after answering 413 when it is over {@link #MAX_BODY_BYTES}. */
    public static Optional<byte[]> boundedBody(Exchange exchange) {
        Long declared = exchange.getIn().getHeader(Exchange.CONTENT_LENGTH, Long.class);
        byte[] body = declared != null && declared > MAX_BODY_BYTES ? null : exchange.getIn().getBody(byte[].class);
        if (declared != null && declared > MAX_BODY_BYTES || body != null && body.length > MAX_BODY_BYTES) {
            answer(exchange, 413, "payload_too_large", "webhook bodies are limited to " + MAX_BODY_BYTES + " bytes");
            return Optional.empty();
        }
        return Optional.of(body == null ? new byte[0] : body);
    }

    /**
     * Stores a checked delivery in the inbox; empty after answering 503 with {@code Retry-After}
     * when the hub is too far behind to take it ({@link Overloaded}: nothing was stored, and the
     * sender's retry of a non-2xx answer brings it again).
     */
    public static Optional<Inbox.Result> store(Exchange exchange, Inbox inbox, InboundDelivery delivery) {
        try {
            return Optional.of(inbox.accept(delivery));
        } catch (Overloaded busy) {
            answer(exchange, 503, "overloaded", busy.getMessage());
            exchange.getMessage().setHeader("Retry-After", busy.retryAfterSeconds());
            return Optional.empty();
        }
    }

    /** Answers {@code {"status": detail}} when {@code error} is null, else {@code {"error", "detail"}}. */
    public static void answer(Exchange exchange, int status, String error, String detail) {
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        Map<String, String> body = new LinkedHashMap<>();
        if (error == null) {
            body.put("status", detail);
        } else {
            body.put("error", error);
            body.put("detail", detail);
        }
        exchange.getMessage().setBody(CanonicalJson.write(body));
    }

    public static String header(Exchange exchange, String name) {
        return exchange.getIn().getHeader(name, String.class);
    }
}
