package dev.unison.connectors.kit.spi;

/** Camel headers the hub's {@code bus:} consumer sets on every delivered exchange (the body is the CanonicalEvent). */
public final class BusHeaders {
    public static final String EVENT_ID = "UnisonEventId";
    public static final String EVENT_TYPE = "UnisonEventType";
    public static final String PARTITION_KEY = "UnisonPartitionKey";
    public static final String GROUP = "UnisonConsumerGroup";
    /**
     * Exchange property (not a header): every event handled in the same database transaction as
     * this one, in delivery order ({@code List<CanonicalEvent>}; one element when handled alone). A
     * route that locks rows can take every lock of the batch up front, in one global order, so two
     * transactions never wait on each other in a cycle.
     */
    public static final String BATCH = "UnisonBusBatch";

    private BusHeaders() {
    }
}
