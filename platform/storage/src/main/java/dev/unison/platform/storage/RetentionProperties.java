package dev.unison.platform.storage;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@link dev.unison.platform.retention.RetentionSweeper}: how often it runs, rows per delete, and how
 * long inbox rows and dead letters are kept (published outbox events: {@code unison.outbox.retention};
 * finished reservations: {@code unison.retention.reservations}, read by the inventory domain, whose
 * table it is).
 */
@ConfigurationProperties(prefix = "unison.retention")
public record RetentionProperties(Duration sweepInterval, Integer batchSize, Duration inbox, Duration deadLetters) {
    public RetentionProperties {
        sweepInterval = sweepInterval == null ? Duration.ofMinutes(10) : sweepInterval;
        batchSize = batchSize == null ? 5_000 : batchSize;
        inbox = inbox == null ? Duration.ofDays(7) : inbox;
        deadLetters = deadLetters == null ? Duration.ofDays(30) : deadLetters;
    }
}
