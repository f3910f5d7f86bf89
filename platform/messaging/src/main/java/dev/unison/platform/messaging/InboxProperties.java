package dev.unison.platform.messaging;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code unison.inbox.*}, for {@link dev.unison.platform.inbox.InboxDispatcher}: connections mapped at
 * once by this instance ({@code threads}), how long an instance keeps a connection without renewing
 * its lease, and how often it looks for due deliveries besides being woken by new ones; for
 * {@link dev.unison.platform.inbox.JdbcInbox}: how far behind storing deliveries the inbox may be
 * before new ones are refused with 503 ({@code maxQueueWait}, zero: never).
 */
@ConfigurationProperties(prefix = "unison.inbox")
public record InboxProperties(Integer threads, Duration lease, Duration pollInterval, Duration maxQueueWait) {

    public InboxProperties {
        maxQueueWait = maxQueueWait == null ? Duration.ofSeconds(2) : maxQueueWait;
        if (maxQueueWait.isNegative() || maxQueueWait.compareTo(Duration.ofSeconds(4)) > 0) {
            // Shopify waits 5 s for an answer (shopify.dev "Webhooks best practices"): a longer wait answers nobody
            throw new IllegalArgumentException("unison.inbox.max-queue-wait must be 0 (never refuse) to 4s, got " + maxQueueWait);
        }
        threads = threads == null ? 4 : threads;
        lease = lease == null ? Duration.ofSeconds(30) : lease;
        pollInterval = pollInterval == null ? Duration.ofMillis(200) : pollInterval;
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("unison.inbox.poll-interval must be positive, got " + pollInterval);
        }
    }
}
