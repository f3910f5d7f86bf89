package dev.unison.canonical.event;

import dev.unison.canonical.model.AdExposure;
import dev.unison.canonical.model.AdExposureV1;
import dev.unison.canonical.model.AdSpend;
import dev.unison.canonical.model.AttributedConversion;
import dev.unison.canonical.model.Cart;
import dev.unison.canonical.model.CartConversion;
import dev.unison.canonical.model.CanonicalRecord;
import dev.unison.canonical.model.ChannelAvailability;
import dev.unison.canonical.model.Consent;
import dev.unison.canonical.model.CustomerAccount;
import dev.unison.canonical.model.ErasureRequest;
import dev.unison.canonical.model.InventoryPosition;
import dev.unison.canonical.model.Item;
import dev.unison.canonical.model.Location;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.Oversell;
import dev.unison.canonical.model.Price;
import dev.unison.canonical.model.Profile;
import dev.unison.canonical.model.StockCount;
import dev.unison.canonical.model.ProfileMerge;
import dev.unison.canonical.model.Refund;
import dev.unison.canonical.pos.PosFileReport;
import dev.unison.canonical.pos.RecordedPosTransaction;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every canonical event type, versioned in its name. A breaking change to a payload is a new
 * type ({@code ...v2}) published beside the old one, never an edit of {@code v1}.
 *
 * <p>Each type declares its {@link Producer}: an <em>input fact</em> reports something that happened
 * elsewhere (an order was placed, a consent was given) and may come from a partner; a
 * <em>derived</em> type is the hub's own computation over those facts (available-to-sell, a profile
 * merge, an oversell) and only the hub may produce it, because consumers act on it without
 * recomputing it (the fan-out writes an availability straight to every shop).
 */
public enum EventType {
    ITEM_UPSERTED("commerce.item.upserted.v1", Item.class, Producer.INPUT),
    PRICE_CHANGED("commerce.price.changed.v1", Price.class, Producer.INPUT),
    LOCATION_UPSERTED("commerce.location.upserted.v1", Location.class, Producer.INPUT),
    INVENTORY_ADJUSTED("commerce.inventory.adjusted.v1", InventoryPosition.class, Producer.HUB),
    AVAILABILITY_CHANGED("commerce.availability.changed.v1", ChannelAvailability.class, Producer.HUB),
    INVENTORY_OVERSOLD("commerce.inventory.oversold.v1", Oversell.class, Producer.HUB),
    /**
     * A stock count a system keeping its own stock reported (Square's inventory counts), read by a
     * connector and applied by the inventory domain as a count. Hub-only, like the POS transactions a
     * connector reads: a partner counts through {@code POST /api/v1/inventory/counts} (scope
     * {@code inventory:write}), so the events API refuses this type instead of letting any event
     * sender set stock.
     */
    INVENTORY_COUNTED("commerce.inventory.counted.v1", StockCount.class, Producer.HUB),
    PROFILE_UPSERTED("commerce.profile.upserted.v1", Profile.class, Producer.HUB),
    PROFILE_MERGED("commerce.profile.merged.v1", ProfileMerge.class, Producer.HUB),
    CUSTOMER_UPSERTED("commerce.customer.upserted.v1", CustomerAccount.class, Producer.INPUT),
    CONSENT_CHANGED("commerce.consent.changed.v1", Consent.class, Producer.INPUT),
    CART_UPDATED("commerce.cart.updated.v1", Cart.class, Producer.INPUT),
    /** The carts domain closed a cart because an order named it (docs/carts.md). */
    CART_CONVERTED("commerce.cart.converted.v1", CartConversion.class, Producer.HUB),
    ORDER_PLACED("commerce.order.placed.v1", Order.class, Producer.INPUT),
    ORDER_UPDATED("commerce.order.updated.v1", Order.class, Producer.INPUT),
    REFUND_CREATED("commerce.refund.created.v1", Refund.class, Producer.INPUT),
    /** Superseded by {@link #AD_EXPOSURE_RECORDED} (v2); still accepted and attributed. */
    AD_EXPOSURE_RECORDED_V1("commerce.ad.exposure.recorded.v1", AdExposureV1.class, Producer.INPUT),
    AD_EXPOSURE_RECORDED("commerce.ad.exposure.recorded.v2", AdExposure.class, Producer.INPUT),
    AD_SPEND_REPORTED("commerce.ad.spend.reported.v1", AdSpend.class, Producer.INPUT),
    /** A network's own transaction-level claim (Criteo's attributed transactions), kept beside the hub's attribution. */
    AD_CONVERSION_ATTRIBUTED("commerce.ad.conversion.attributed.v1", AttributedConversion.class, Producer.INPUT),
    ERASURE_REQUESTED("commerce.erasure.requested.v1", ErasureRequest.class, Producer.INPUT),
    /**
     * A POS transaction read by the hub's POS file connector (docs/connectors/pos-files.md), applied by
     * the inventory domain as the POS API applies one. Hub-only: a partner sends POS transactions through
     * {@code POST /api/v1/pos/transactions} (scope {@code pos:write}), so the events API refuses this type
     * instead of letting any event sender move stock.
     */
    POS_TRANSACTION_RECORDED("commerce.pos.transaction.recorded.v1", RecordedPosTransaction.class, Producer.HUB),
    /** A POS batch file as its reader found it (checksum, counts, rejected transactions); hub-only as above. */
    POS_FILE_PROCESSED("commerce.pos.file.processed.v1", PosFileReport.class, Producer.HUB);

    /** Who may produce events of a type. */
    public enum Producer {
        /** A fact reported from outside: connectors and partners may submit it. */
        INPUT,
        /** The hub's own computation: produced only by the hub, never accepted from outside. */
        HUB
    }

    private static final Map<String, EventType> BY_NAME =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(EventType::typeName, Function.identity()));

    private final String typeName;
    private final Class<? extends CanonicalRecord> dataClass;
    private final Producer producer;

    EventType(String typeName, Class<? extends CanonicalRecord> dataClass, Producer producer) {
        this.typeName = typeName;
        this.dataClass = dataClass;
        this.producer = producer;
    }

    public Producer producer() {
        return producer;
    }

    /** True when only the hub may produce this type (see {@link Producer#HUB}). */
    public boolean hubOnly() {
        return producer == Producer.HUB;
    }

    /** The CloudEvents {@code type} attribute. */
    public String typeName() {
        return typeName;
    }

    public Class<? extends CanonicalRecord> dataClass() {
        return dataClass;
    }

    /** The JSON Schema of the data: {@code schemas/<record>.schema.json}, one per canonical type. */
    public String schemaResource() {
        return CanonicalSchemas.resourceFor(dataClass);
    }

    public static Optional<EventType> byTypeName(String typeName) {
        return Optional.ofNullable(BY_NAME.get(typeName));
    }
}
