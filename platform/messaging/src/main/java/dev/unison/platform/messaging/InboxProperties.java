package dev.unison.platform.messaging;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code unison.inbox.*}, for {@link dev.unison.platform.inbox.InboxDispatcher}: connections mapped at
 * once by this instance ({@code threads}), how long an instance keeps a connection without renewing
 * its lease, and how often it looks for due deliveries besides being woken by new ones.
 */
@ConfigurationProperties(prefix = "unison.inbox")
public record InboxProperties(Integer threads, Duration lease, Duration pollInterval) {

    public InboxProperties {
        threads = threads == null ? 4 : threads;
        lease = lease == null ? Duration.ofSeconds(30) : lease;
        pollInterval = pollInterval == null ? Duration.ofMillis(200) : pollInterval;
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("unison.inbox.poll-interval must be positive, got " + pollInterval);
        }
    }
}
