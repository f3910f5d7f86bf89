package dev.unison.hub.support;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.platform.bus.BusException;
import dev.unison.platform.bus.BusTransport;
import dev.unison.platform.outbox.OutboxRecord;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;

/** A broker stand-in for storage tests: records what the relay published; can refuse the next batches. */
public class RecordingTransport implements BusTransport {

    public final List<OutboxRecord> published = new CopyOnWriteArrayList<>();
    public final AtomicInteger failNext = new AtomicInteger();

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public void publish(List<OutboxRecord> batch) {
        if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new BusException("broker refused the batch (test)", null);
        }
        published.addAll(batch);
    }

    @Override
    public String consumerUri(String topic, String group) {
        throw new IllegalStateException("the recording transport only records publishes; consuming needs a broker");
    }

    @Override
    public CanonicalEvent decode(Exchange exchange) {
        throw new IllegalStateException("the recording transport only records publishes; consuming needs a broker");
    }

    @Override
    public void check() {
    }

    @Override
    public void close() {
    }
}
