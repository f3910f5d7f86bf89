package dev.unison.canonical;

import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.AdExposure;
import dev.unison.canonical.model.AdExposureV1;
import dev.unison.canonical.model.AdSpend;
import dev.unison.canonical.model.AttributedConversion;
import dev.unison.canonical.model.NetworkAttribution;
import dev.unison.canonical.model.Cart;
import dev.unison.canonical.model.CartConversion;
import dev.unison.canonical.model.StockCount;
import dev.unison.canonical.model.CartLine;
import dev.unison.canonical.model.CartStatus;
import dev.unison.canonical.model.CanonicalRecord;
import dev.unison.canonical.model.ChannelAvailability;
import dev.unison.canonical.model.Consent;
import dev.unison.canonical.model.ConsentStatus;
import dev.unison.canonical.model.ErasureRequest;
import dev.unison.canonical.model.ErasureStatus;
import dev.unison.canonical.model.ExposureKind;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.InventoryPosition;
import dev.unison.canonical.model.Item;
import dev.unison.canonical.model.Location;
import dev.unison.canonical.model.LocationType;
import dev.unison.canonical.model.Money;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.Oversell;
import dev.unison.canonical.model.OrderLine;
import dev.unison.canonical.model.OrderStatus;
import dev.unison.canonical.model.PlacedIn;
import dev.unison.canonical.model.Price;
import dev.unison.canonical.model.Profile;
import dev.unison.canonical.model.ProfileMerge;
import dev.unison.canonical.model.CustomerAccount;
import dev.unison.canonical.model.Refund;
import dev.unison.canonical.model.RefundLine;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** One valid sample of every canonical type, shared by the model tests. */
public final class CanonicalSamples {

    public static final Instant T0 = Instant.parse("2026-11-25T10:15:30.123Z");
    static final Identifier EMAIL = new Identifier(IdentifierType.EMAIL, "jane.doe@example.com");
    static final Identifier LOYALTY = new Identifier(IdentifierType.LOYALTY_ID, "L-000123");

    private CanonicalSamples() {
    }

    public static CanonicalRecord sample(EventType type) {
        return switch (type) {
            case ITEM_UPSERTED -> new Item("TRAIL-SHOE-42", "00012345678905", "Trail shoe, size 42");
            case PRICE_CHANGED -> new Price("TRAIL-SHOE-42", "shopify", Money.of("89.90", "USD"), Money.of("119.00", "USD"), T0);
            case LOCATION_UPSERTED -> new Location("STORE-7", LocationType.STORE, "Main St", List.of("store", "shopify", "tiktok-shop"));
            case INVENTORY_ADJUSTED -> new InventoryPosition("TRAIL-SHOE-42", "STORE-7", -1, 0, 42, T0);
            case AVAILABILITY_CHANGED -> new ChannelAvailability("TRAIL-SHOE-42", "shopify", 0, T0);
            case INVENTORY_OVERSOLD -> new Oversell("o-1", "shopify", "TRAIL-SHOE-42", 1, 0, T0);
            case PROFILE_UPSERTED -> new Profile("p-1", List.of(EMAIL, LOYALTY,
                    new Identifier(IdentifierType.PHONE, "+14155550100")), T0, T0);
            case PROFILE_MERGED -> new ProfileMerge("p-1", List.of("p-2"), List.of(EMAIL, LOYALTY), "pos", T0);
            case CUSTOMER_UPSERTED -> new CustomerAccount("shopify:demo:1001", "shopify", List.of(EMAIL), T0);
            case CONSENT_CHANGED -> new Consent("p-1", EMAIL, "marketing.email", ConsentStatus.GRANTED, "shopify", T0);
            case CART_UPDATED -> new Cart("cart-9", "app", "p-1", List.of(EMAIL),
                    List.of(new CartLine("TRAIL-SHOE-42", 1, Money.of("89.90", "USD")), new CartLine("SOCKS-3", 2, null)),
                    CartStatus.OPEN, "USD", T0);
            case CART_CONVERTED -> new CartConversion("cart-9", "p-1", "app", "store", "store-STORE-7-R1-2026-11-25-1", T0);
            case INVENTORY_COUNTED -> new StockCount("square:pos-main:evt-1:SKU-1", "SKU-1", "STORE-7", 12, T0);
            case ORDER_PLACED, ORDER_UPDATED -> new Order("o-1", "shopify", "5678901234567890123",
                    type == EventType.ORDER_PLACED ? OrderStatus.PLACED : OrderStatus.PAID, T0, null, "STORE-7", "p-1",
                    List.of(EMAIL), List.of(new OrderLine("l-1", "TRAIL-SHOE-42", 2, Money.of("89.90", "USD"),
                            Money.of("179.80", "USD"))), Money.of("179.80", "USD"), PlacedIn.ONLINE, T0);
            case REFUND_CREATED -> new Refund("r-1", "o-1", "shopify", Money.of("89.90", "USD"),
                    List.of(new RefundLine("TRAIL-SHOE-42", 1, Money.of("89.90", "USD"))), T0);
            case AD_EXPOSURE_RECORDED -> new AdExposure("imp-20261125-0001", "walmart-connect", "adv-acme", "SPRING-GROCERY",
                    "ad-7", ExposureKind.CLICK, T0, List.of(
                            new Identifier(IdentifierType.HASHED_EMAIL, "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f"),
                            new Identifier(IdentifierType.CLICK_ID, "clk-93f1")));
            case AD_EXPOSURE_RECORDED_V1 -> new AdExposureV1("walmart-connect", "SPRING-GROCERY",
                    new Identifier(IdentifierType.HASHED_EMAIL, "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f"),
                    ExposureKind.CLICK, T0);
            case AD_SPEND_REPORTED -> new AdSpend("walmart-connect", "SPRING-GROCERY", LocalDate.of(2026, 11, 25),
                    Money.of("3571.43", "USD"), 120000, 2400, new NetworkAttribution(14, null, 310, 402,
                            Money.of("14285.70", "USD"), Money.of("10000.00", "USD"), Money.of("4285.70", "USD")));
            case AD_CONVERSION_ATTRIBUTED -> new AttributedConversion("criteo-retail-media", "tx-20261125-77", "SPRING-GROCERY",
                    "li-12", T0, "click", 30, "in-store", Money.of("42.10", "USD"), 3);
            case POS_TRANSACTION_RECORDED -> dev.unison.canonical.pos.RecordedPosTransaction.of(
                    new dev.unison.canonical.pos.PosTransaction("STORE-7", "R1", LocalDate.of(2026, 11, 25), 1042,
                            dev.unison.canonical.pos.PosTransaction.Type.SALE, T0, "USD", List.of(new dev.unison.canonical.pos.PosTransaction
                                    .Line("TRAIL-SHOE-42", "00012345678905", 2, new java.math.BigDecimal("89.90"))), "L-000123", null,
                            null, null, null),
                    new dev.unison.canonical.pos.RecordedPosTransaction.FileRef("pos-drop", "a".repeat(64), "store7.xml", 3,
                            "Transaction #3 (line 40, column 5)"));
            case POS_FILE_PROCESSED -> new dev.unison.canonical.pos.PosFileReport("a".repeat(64), "pos-drop", "store7.xml", "poslog",
                    "processed", T0, T0, 4096, 3, 2, 1, 0, null, List.of(new dev.unison.canonical.pos.PosFileReport.Issue(2,
                            "STORE-7:R1:2026-11-25:1041", "Transaction #2 (line 20, column 5)", "rejected",
                            List.of("LineItem 1 Sale/Quantity: -2 is not a quantity"))));
            case ERASURE_REQUESTED -> new ErasureRequest("er-1", "p-1", List.of(EMAIL), "gdpr", ErasureStatus.RECEIVED,
                    T0, T0.plusSeconds(30L * 24 * 3600));
        };
    }
}
