package dev.unison.connectors.kit.spi;

/** Where a connector puts what it has given up on, with the reason and the original payload. */
public interface DeadLetterSink {

    void record(String consumer, String key, String type, String reason, String payload);
}
