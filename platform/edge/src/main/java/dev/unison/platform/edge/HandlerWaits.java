package dev.unison.platform.edge;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.rest.RestEndpoint;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;

/**
 * Tells {@link HttpEdge} how long each HTTP request waited for its handler (from the moment its
 * body was complete, {@link BodyDeadlineFilter#READY_AT}, to the moment a Camel route began it):
 * the edge refuses new requests at the door while the last ones waited too long
 * ({@link HttpEdge#shedding}), so an overload is answered with quick 503s instead of a queue that
 * every request sits in before it is refused.
 */
final class HandlerWaits implements RoutePolicyFactory {

    private static final String RECORDED = HandlerWaits.class.getName() + ".recorded";

    private final HttpEdge edge;

    HandlerWaits(HttpEdge edge) {
        this.edge = edge;
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
        return new Recorder();
    }

    /** A plain policy, not a Camel service (Camel would run a service policy only once started). */
    private final class Recorder implements RoutePolicy {
        @Override
        public void onExchangeBegin(Route route, Exchange exchange) {
            // the route a request enters first: a REST DSL route or a plain platform-http one (webhooks)
            if ((route.getEndpoint() instanceof RestEndpoint || route.getEndpoint() instanceof PlatformHttpEndpoint)
                    && exchange.getProperty(RECORDED) == null) {
                exchange.setProperty(RECORDED, Boolean.TRUE);
                long waited = ApiSupport.waitedNanos(exchange);
                if (waited >= 0) {
                    edge.handlerStarted(waited);
                }
            }
        }

        @Override
        public void onInit(Route route) {
        }

        @Override
        public void onRemove(Route route) {
        }

        @Override
        public void onStart(Route route) {
        }

        @Override
        public void onStop(Route route) {
        }

        @Override
        public void onSuspend(Route route) {
        }

        @Override
        public void onResume(Route route) {
        }

        @Override
        public void onExchangeDone(Route route, Exchange exchange) {
        }
    }
}
