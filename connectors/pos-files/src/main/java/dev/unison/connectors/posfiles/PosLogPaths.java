package dev.unison.connectors.posfiles;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a POSLog's vendor-dependent values are, as simple slash paths of element local names
 * (namespace prefixes left out: {@code LoyaltyMembership} matches {@code acs:LoyaltyMembership}). A
 * step is a name, or {@code *} for any element, optionally with one attribute test
 * ({@code POSIdentity[@POSIDType='GTIN']}). Each value has a list of paths: the first path that
 * reaches an element with text wins.
 *
 * @param loyaltyId relative to the {@code Transaction} element
 * @param gtin relative to each {@code LineItem} element
 * @param paymentToken relative to the {@code Transaction} element (ARTS has no card-token element:
 *        none by default; a vendor's is configured, e.g. {@code RetailTransaction/LineItem/Tender/CreditDebit/Token})
 */
public record PosLogPaths(List<String> loyaltyId, List<String> gtin, List<String> paymentToken) {

    /** ARTS: the loyalty account's customer, else the transaction's customer. */
    public static final List<String> DEFAULT_LOYALTY_ID = List.of("RetailTransaction/LoyaltyAccount/CustomerID",
            "RetailTransaction/Customer/CustomerID");
    /** ARTS: the POS identity the till scanned when it says it is a GTIN (or a UPC), else an ItemID typed GTIN. */
    public static final List<String> DEFAULT_GTIN = List.of("*/POSIdentity[@POSIDType='GTIN']/POSItemID",
            "*/POSIdentity[@POSIDType='UPC']/POSItemID", "*/ItemID[@Type='GTIN']");
    public static final List<String> DEFAULT_PAYMENT_TOKEN = List.of();

    private static final Pattern STEP = Pattern.compile("^(\\*|[A-Za-z_][A-Za-z0-9._-]*)(?:\\[@([A-Za-z_][A-Za-z0-9._-]*)=(?:'([^']*)'|\"([^\"]*)\")\\])?$");

    private static final java.util.Map<String, List<Step>> COMPILED = new java.util.concurrent.ConcurrentHashMap<>();

    public PosLogPaths {
        loyaltyId = List.copyOf(loyaltyId);
        gtin = List.copyOf(gtin);
        paymentToken = List.copyOf(paymentToken);
        for (List<String> paths : List.of(loyaltyId, gtin, paymentToken)) {
            for (String p : paths) {
                compile(p); // a typo fails at configuration, not on every transaction
            }
        }
    }

    public static PosLogPaths defaults() {
        return new PosLogPaths(DEFAULT_LOYALTY_ID, DEFAULT_GTIN, DEFAULT_PAYMENT_TOKEN);
    }

    public PosLogPaths withLoyaltyId(String... paths) {
        return new PosLogPaths(List.of(paths), gtin, paymentToken);
    }

    public PosLogPaths withGtin(String... paths) {
        return new PosLogPaths(loyaltyId, List.of(paths), paymentToken);
    }

    public PosLogPaths withPaymentToken(String... paths) {
        return new PosLogPaths(loyaltyId, gtin, List.of(paths));
    }

    /** One step of a path: a local name (or null for any) and an optional attribute test. */
    record Step(String name, String attribute, String value) {
        boolean matches(XmlNode node) {
            return (name == null || name.equals(node.localName()))
                    && (attribute == null || value.equals(node.attribute(attribute)));
        }
    }

    /** @throws IllegalArgumentException when the path is not of the form above */
    static List<Step> compile(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("an empty POSLog path");
        }
        List<Step> steps = new ArrayList<>();
        for (String s : path.trim().split("/", -1)) {
            Matcher m = STEP.matcher(s.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("POSLog path '" + path + "': step '" + s + "' is not a name, * or name[@attr='value']");
            }
            steps.add(new Step("*".equals(m.group(1)) ? null : m.group(1), m.group(2),
                    m.group(2) == null ? null : m.group(3) != null ? m.group(3) : m.group(4)));
        }
        return List.copyOf(steps);
    }

    /** The text of the first element (document order) a path of {@code paths} reaches with non-blank text, tried in order. */
    static Found first(XmlNode from, List<String> paths) {
        for (String p : paths) {
            XmlNode hit = find(from, COMPILED.computeIfAbsent(p, PosLogPaths::compile), 0);
            if (hit != null) {
                return new Found(p, hit);
            }
        }
        return null;
    }

    record Found(String path, XmlNode node) {
    }

    private static XmlNode find(XmlNode at, List<Step> steps, int i) {
        for (XmlNode child : at.children()) {
            if (steps.get(i).matches(child)) {
                if (i == steps.size() - 1) {
                    if (!child.text().isBlank()) {
                        return child;
                    }
                } else {
                    XmlNode hit = find(child, steps, i + 1);
                    if (hit != null) {
                        return hit;
                    }
                }
            }
        }
        return null;
    }
}
