package dev.unison.platform.testkit;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import java.util.List;
import java.util.Map;

/**
 * What a connector gives the connector TCK (the hub's {@code ConnectorTck} suite): its simulator,
 * connection settings, and sample traffic in the external system's own format. The TCK drives
 * the hub from outside with these and checks the same contract for every connector.
 */
public interface TckAdapter {

    String connectorName();

    /** Starts a fresh simulator on {@code port}. */
    SimulatorServer startSimulator(int port);

    /**
     * Connection settings against the simulator. Secret fields are returned as values; the TCK
     * supplies them through placeholders, as a real configuration must.
     */
    Map<String, String> settings(String simulatorBaseUrl, boolean goodCredentials);

    /** Settings that must be refused, each with the field its error must name (e.g. {@code accessToken}). */
    List<InvalidSettings> invalidSettings(String simulatorBaseUrl);

    record InvalidSettings(Map<String, String> settings, String field) {
    }

    /**
     * Whether the connector has a webhook door (the system pushes to the hub). A connector that only
     * pulls answers false: the inbound checks of this suite do not apply to it, and it runs the pull
     * checks ({@link PullingConnectorTck}) for its inbound side instead.
     */
    default boolean receivesWebhooks() {
        return true;
    }

    /** Whether the connector sends canonical changes to its system (its descriptor's {@code outbound} direction). */
    default boolean sendsOutbound() {
        return true;
    }

    /** A valid inbound message for the connection, sent through the simulator to the hub. */
    InboundCase inbound(String hubBaseUrl, String connectionId);

    /** An inbound message that passes every check at the door but cannot be mapped. */
    InboundCase unmappableInbound(String hubBaseUrl, String connectionId);

    /**
     * Prepares the simulator (and, through it, the hub) so that an outbound change can apply,
     * and returns the canonical event to publish and how to see it arrive.
     */
    OutboundCase outbound(String hubBaseUrl, String connectionId);

    interface InboundCase {
        /** The canonical event type one delivery yields. */
        EventType expectedType();

        /** Sends the delivery, correctly signed; returns the hub's HTTP status. */
        int send();

        /** Sends the same delivery signed with a wrong secret; returns the hub's HTTP status. */
        int sendBadlySigned();

        /** The raw body as sent. */
        String body();

        /** A case from what sends the delivery, signed well and badly, and its raw body. */
        static InboundCase of(EventType type, java.util.function.IntSupplier send,
                java.util.function.IntSupplier sendBadlySigned, byte[] body) {
            String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
            return new InboundCase() {
                @Override
                public EventType expectedType() {
                    return type;
                }

                @Override
                public int send() {
                    return send.getAsInt();
                }

                @Override
                public int sendBadlySigned() {
                    return sendBadlySigned.getAsInt();
                }

                @Override
                public String body() {
                    return text;
                }
            };
        }
    }

    interface OutboundCase {
        /** Ids of canonical events the hub must have accepted before the change is published (setup it learns from). */
        List<String> prerequisiteEventIds();

        CanonicalEvent event();

        /** True once the simulator holds the change, in the system's own representation. */
        boolean applied();

        /** Path regex of the simulator calls that carry outbound changes. */
        String callPath();

        /** The dead-letter consumer name the connector uses for this kind of outbound change. */
        String deadLetterConsumer();

        /** A case from its parts: what must be learned first, the event, how to see it applied, where calls and dead letters go. */
        static OutboundCase of(List<String> prerequisiteEventIds, CanonicalEvent event,
                java.util.function.BooleanSupplier applied, String callPath, String deadLetterConsumer) {
            return new OutboundCase() {
                @Override
                public List<String> prerequisiteEventIds() {
                    return prerequisiteEventIds;
                }

                @Override
                public CanonicalEvent event() {
                    return event;
                }

                @Override
                public boolean applied() {
                    return applied.getAsBoolean();
                }

                @Override
                public String callPath() {
                    return callPath;
                }

                @Override
                public String deadLetterConsumer() {
                    return deadLetterConsumer;
                }
            };
        }
    }
}
