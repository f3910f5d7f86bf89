package dev.unison.connectors.kit.pull;

import dev.unison.connectors.kit.auth.CredentialsRefused;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Pulls one stream of one connection (a system without webhooks: orders found by a search with a
 * cursor, a report listing) into the hub's inbox. Each round fetches pages from the stream's
 * durable cursor and commits every page together with its next cursor
 * ({@link dev.unison.connectors.kit.spi.Inbox#acceptPage}), so a restart or a crash between a
 * fetch and its commit neither skips a page nor stores one twice. A failing source is retried
 * with growing pauses; refused credentials ({@link CredentialsRefused}) pause the stream, with the reason shown where
 * operators see checks, until a probe at {@code pausedRetry} succeeds (for instance after new
 * credentials were stored). Drive {@link #round()} from a Camel timer route of the connector.
 */
public final class Poller {

    /** One page from a cursor (empty: from the stream's beginning, as the connector defines it). */
    @FunctionalInterface
    public interface Source {
        Page fetch(Optional<String> cursor) throws Exception;
    }

    /**
     * @param next where the following page starts (stored with this page); the same cursor as
     *             given when nothing is new
     * @param more whether another page is ready now (else the round ends)
     */
    public record Page(List<InboundDelivery> deliveries, String next, boolean more) {
        public Page {
            deliveries = List.copyOf(deliveries);
            java.util.Objects.requireNonNull(next, "a page names the cursor after it (the same one when nothing is new)");
        }
    }

    /** What a round did. */
    public record Round(int pages, int stored, Outcome outcome, String detail) {
    }

    public enum Outcome { CAUGHT_UP, MORE_WAITING, FAILED, PAUSED, SKIPPED }

    private static final int MAX_PAGES_PER_ROUND = 20;

    private final String connectionId;
    private final String stream;
    private final Source source;
    private final ConnectorContext context;
    private final Clock clock;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final Duration pausedRetry;
    private Instant notBefore = Instant.MIN;
    private Duration backoff;
    private boolean paused;

    public Poller(String connectionId, String stream, Source source, ConnectorContext context, Clock clock, Duration firstBackoff,
            Duration maxBackoff, Duration pausedRetry) {
        this.connectionId = connectionId;
        this.stream = stream;
        this.source = source;
        this.context = context;
        this.clock = clock;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.pausedRetry = pausedRetry;
        this.backoff = firstBackoff;
    }

    public synchronized boolean paused() {
        return paused;
    }

    /** Fetches and commits pages until the stream is caught up (at most a bounded number per round). */
    public synchronized Round round() {
        if (clock.instant().isBefore(notBefore)) {
            return new Round(0, 0, paused ? Outcome.PAUSED : Outcome.SKIPPED, "waiting until " + notBefore);
        }
        int pages = 0;
        int stored = 0;
        try {
            for (; pages < MAX_PAGES_PER_ROUND; pages++) {
                Optional<String> cursor = context.inbox().cursor(connectionId, stream);
                Page page = source.fetch(cursor);
                Optional<Integer> accepted = context.inbox().acceptPage(connectionId, stream, cursor, page.next(), page.deliveries());
                if (accepted.isEmpty()) {
                    // another instance committed this page first: its cursor stands, go on from there next round
                    return recovered(new Round(pages, stored, Outcome.SKIPPED, "another poller moved the cursor"));
                }
                stored += accepted.get();
                context.metrics().add(connectionId, "poll." + stream, "stored", accepted.get());
                if (!page.more()) {
                    return recovered(new Round(pages + 1, stored, Outcome.CAUGHT_UP, "caught up at " + page.next()));
                }
            }
            return recovered(new Round(pages, stored, Outcome.MORE_WAITING, "page limit of a round reached"));
        } catch (CredentialsRefused refused) {
            paused = true;
            notBefore = clock.instant().plus(pausedRetry);
            String why = "polling " + stream + " paused: " + refused.getMessage() + "; tried again at " + notBefore;
            context.reportStatus(connectionId, CheckResult.failed(why));
            return new Round(pages, stored, Outcome.PAUSED, why);
        } catch (Exception failure) {
            // an API's own Retry-After wins over a shorter pause of ours
            Duration pause = failure instanceof TryLater later && later.after().isPresent()
                    && later.after().get().compareTo(backoff) > 0 ? later.after().get() : backoff;
            notBefore = clock.instant().plus(pause);
            String why = "polling " + stream + " failed (" + failure.getMessage() + "); next try in " + pause;
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            context.metrics().add(connectionId, "poll." + stream, "failed", 1);
            return new Round(pages, stored, Outcome.FAILED, why);
        }
    }

    private Round recovered(Round round) {
        backoff = firstBackoff;
        if (paused) {
            paused = false;
            context.reportStatus(connectionId, CheckResult.ok("polling " + stream + " resumed"));
        }
        return round;
    }
}
