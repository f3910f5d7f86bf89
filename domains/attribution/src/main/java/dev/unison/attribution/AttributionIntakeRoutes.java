package dev.unison.attribution;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.AdExposure;
import dev.unison.canonical.model.AdExposureV1;
import dev.unison.canonical.model.AdSpend;
import dev.unison.canonical.model.AttributedConversion;
import dev.unison.canonical.model.Cart;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.Refund;
import dev.unison.connectors.kit.identity.DestinationHashing;
import dev.unison.identity.ProfileDirectory;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Consumer group {@code attribution}: orders (all channels, till sales included), refunds, ad
 * exposures (v1 and v2), ad spend (with the network's own attributed figures) and the networks'
 * attributed conversions into the attribution tables, each change queued for the
 * {@link AttributionEngine}, which is woken when the batch commits (a network's attributed
 * conversion is reported beside the credits, never credited: it queues nothing). Without processed
 * ids ({@code idempotent=false}): every write is idempotent by its key (an order by its version, a
 * refund and an exposure by their ids, spend by campaign day, a conversion by network and
 * conversion id), so a redelivery changes nothing.
 */
public class AttributionIntakeRoutes extends RouteBuilder {

    static final List<EventType> TYPES = List.of(EventType.ORDER_PLACED, EventType.ORDER_UPDATED, EventType.REFUND_CREATED,
            EventType.AD_EXPOSURE_RECORDED, EventType.AD_EXPOSURE_RECORDED_V1, EventType.AD_SPEND_REPORTED,
            EventType.AD_CONVERSION_ATTRIBUTED, EventType.CART_UPDATED);

    private final AttributionStore store;
    private final ProfileDirectory directory;
    private final AttributionEngine engine;

    public AttributionIntakeRoutes(AttributionStore store, ProfileDirectory directory, AttributionEngine engine) {
        this.store = store;
        this.directory = directory;
        this.engine = engine;
    }

    @Override
    public void configure() {
        String types = TYPES.stream().map(EventType::typeName).sorted().collect(Collectors.joining(","));
        // batchWait: off the freshness path, so under load it commits a few large batches per second
        from("bus:events?group=attribution&idempotent=false&batchWait=500&types=" + types).routeId("attribution")
                .process(exchange -> apply(exchange.getIn().getBody(CanonicalEvent.class)));
    }

    void apply(CanonicalEvent event) {
        switch (event.type()) {
            case ORDER_PLACED, ORDER_UPDATED -> {
                Order order = event.dataAs(Order.class);
                store.storeOrder(order, order.updatedAt() != null ? order.updatedAt() : event.time());
            }
            case REFUND_CREATED -> store.storeRefund(event.dataAs(Refund.class));
            case AD_EXPOSURE_RECORDED -> exposure(event.source().toString(), event.dataAs(AdExposure.class));
            case AD_EXPOSURE_RECORDED_V1 -> exposure(event.source().toString(), fromV1(event.dataAs(AdExposureV1.class)));
            case AD_SPEND_REPORTED -> store.storeSpend(event.source().toString(), event.dataAs(AdSpend.class), event.time());
            case AD_CONVERSION_ATTRIBUTED -> {
                // the network's own claim: reported beside the hub's credits, never an input of crediting
                store.storeConversion(event.source().toString(), event.dataAs(AttributedConversion.class), event.time());
                return;
            }
            case CART_UPDATED -> {
                // the shopper is found through the cart's identifiers only: a profile id a sender names is not trusted
                Cart cart = event.dataAs(Cart.class);
                store.storeCart(cart.channel(), cart.id(), cart.updatedAt() != null ? cart.updatedAt() : event.time(),
                        ExposureKeys.ofExposure(cart.identifiers(), directory::normalize));
            }
            default -> {
                return;
            }
        }
        wakeEngineAfterCommit();
    }

    private void exposure(String owner, AdExposure e) {
        store.storeExposure(owner, e, ExposureKeys.ofExposure(e.identifiers(), directory::normalize));
    }

    /**
     * A v1 exposure as v2: no advertiser, no ad, its one identifier, and an id derived from all it
     * says, so that the same v1 exposure sent twice is one exposure.
     */
    static AdExposure fromV1(AdExposureV1 v1) {
        String id = "v1-" + DestinationHashing.sha256Hex(String.join("|", v1.network(), v1.campaignId(),
                v1.identifier().toString(), v1.kind().wireName(), v1.exposedAt().toString()));
        return new AdExposure(id, v1.network(), null, v1.campaignId(), null, v1.kind(), v1.exposedAt(),
                Stream.of(v1.identifier()).toList());
    }

    /** Marks that this transaction already wakes the engine when it commits (a batch holds up to 500 events). */
    private static final Object WAKE_REGISTERED = new Object();

    private void wakeEngineAfterCommit() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            if (TransactionSynchronizationManager.hasResource(WAKE_REGISTERED)) {
                return;
            }
            TransactionSynchronizationManager.bindResource(WAKE_REGISTERED, Boolean.TRUE);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    engine.wakeUp();
                }

                @Override
                public void afterCompletion(int status) {
                    TransactionSynchronizationManager.unbindResourceIfPossible(WAKE_REGISTERED);
                }
            });
        } else {
            engine.wakeUp();
        }
    }
}
