package dev.unison.platform.bus;

import java.util.Objects;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

/**
 * On the embedded broker, a consumer group's subscription queue takes the group's current filter
 * before the group subscribes: its types may have changed in a route since the queue was made, and
 * Artemis refuses to reopen a shared durable subscription with another filter (AMQ229083). The
 * queue is updated in place, so what already waits in it stays.
 */
public final class EmbeddedSubscriptionFilters implements ArtemisBusTransport.SubscriptionFilters {

    private final EmbeddedActiveMQ embedded;

    private EmbeddedSubscriptionFilters(EmbeddedActiveMQ embedded) {
        this.embedded = embedded;
    }

    /** Null when there is no embedded broker (a remote broker's subscriptions are the operator's). */
    public static ArtemisBusTransport.SubscriptionFilters of(EmbeddedActiveMQ embedded) {
        return embedded == null ? null : new EmbeddedSubscriptionFilters(embedded);
    }

    @Override
    public void align(String queue, String filter) {
        ActiveMQServer server = embedded.getActiveMQServer();
        Queue existing = server.locateQueue(queue);
        if (existing == null) {
            return; // the group's first start: subscribing creates the queue with its filter
        }
        String current = existing.getFilter() == null ? null : existing.getFilter().getFilterString().toString();
        if (Objects.equals(current, filter)) {
            return;
        }
        try {
            // an empty filter string is Artemis' "no filter"
            server.updateQueue(existing.getQueueConfiguration().setFilterString(filter == null ? "" : filter), false);
        } catch (Exception e) {
            throw new IllegalStateException("could not change the filter of bus subscription " + queue + " from " + current
                    + " to " + filter + ": " + e.getMessage(), e);
        }
    }
}
