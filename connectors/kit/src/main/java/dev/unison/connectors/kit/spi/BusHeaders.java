package dev.unison.connectors.kit.spi;

/** Camel headers the hub's {@code bus:} consumer sets on every delivered exchange (the body is the CanonicalEvent). */
public final class BusHeaders {
    public static final String EVENT_ID = "UnisonEventId";
    public static final String EVENT_TYPE = "UnisonEventType";
    public static final String PARTITION_KEY = "UnisonPartitionKey";
    public static final String GROUP = "UnisonConsumerGroup";

    private BusHeaders() {
    }
}
