package dev.unison.connectors.kit.spi;

import java.time.Instant;
import java.util.Map;

/**
 * One message an external system delivered (a webhook, a file, a polled record), exactly as it
 * arrived: the raw body is kept so that a mapping failure never loses the original.
 *
 * @param dedupeKey   the system's own idempotency key (e.g. Shopify's {@code X-Shopify-Event-Id});
 *                    a second delivery with the same key for the same connection is a duplicate
 * @param messageType the system's name for the message, e.g. {@code orders/create}
 */
public record InboundDelivery(String connectionId, String connector, String messageType, String dedupeKey,
        Map<String, String> headers, byte[] body, Instant receivedAt) {

    public InboundDelivery {
        headers = Map.copyOf(headers);
    }
}
