package dev.unison.connectors.posfiles;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.ZipException;
import javax.xml.XMLConstants;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads an NRF ARTS POSLog (IXRetail namespace {@value #ARTS_NAMESPACE}) with StAX, one
 * {@code POSLog/Transaction} element at a time: the document is never in memory, only the
 * Transaction being read. Each Transaction is handed to the consumer as soon as its end tag is read:
 * an {@link PosFileOutcome.Accepted} {@code PosTransaction}, a {@link PosFileOutcome.Rejected} with
 * every reason, or a {@link PosFileOutcome.Skipped} (cancelled, training mode, not a sale or return,
 * every line voided), each with the Transaction's ordinal and StAX location.
 *
 * <p>Read (ARTS elements, in the ARTS namespace or none): {@code RetailStoreID} (else
 * {@code BusinessUnit/UnitID}), {@code WorkstationID}, {@code SequenceNumber}, {@code BusinessDayDate},
 * {@code EndDateTime}, {@code CurrencyCode}, and {@code RetailTransaction/LineItem} with a
 * {@code Sale} or {@code Return}: {@code ItemID} (the sku; else {@code POSIdentity/POSItemID}),
 * {@code Quantity} ({@code @UnitOfMeasureCode}), {@code ActualSalesUnitPrice} else
 * {@code RegularSalesUnitPrice}, {@code ExtendedAmount}. The GTIN, loyalty id and payment token are
 * where {@link PosLogPaths} says (vendors put them in different places). Every other element,
 * vendor extensions in their own namespaces included, is ignored.
 *
 * <p>Hardened: no DTD (a DOCTYPE rejects the file), no external entities or schemas.
 */
public final class PosLogReader {

    public static final String ARTS_NAMESPACE = "http://www.nrf-arts.org/IXRetail/namespace/";
    /** Elements of one Transaction kept at most; beyond, the transaction is rejected (and its rest skipped, not kept). */
    static final int MAX_ELEMENTS = 100_000;
    private static final Set<String> NOT_APPLIED_STATUS = Set.of("cancelled", "canceled", "voided", "suspended", "suspendedretrieved");

    private final PosFileOptions options;
    private final XMLInputFactory factory;

    public PosLogReader(PosFileOptions options) {
        this.options = options;
        this.factory = hardenedFactory();
    }

    static XMLInputFactory hardenedFactory() {
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // the five predefined entities and character references (&amp; &#38;) are text; no other entity can be
        // declared: a DOCTYPE rejects the file before its first element
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, true);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        return f;
    }

    public PosFileResult read(Path file, Consumer<PosFileOutcome> consumer) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, consumer);
        }
    }

    /**
     * Reads the stream to its end (it is not closed).
     *
     * @throws IOException only when the stream cannot be read; a file that is not a POSLog (not XML,
     *         another root, broken in the middle) is a {@link PosFileResult#fileRejection()}
     */
    public PosFileResult read(InputStream in, Consumer<PosFileOutcome> consumer) throws IOException {
        FileBytes bytes = new FileBytes(in);
        long[] counts = new long[4]; // transactions, accepted, rejected, skipped
        String rejection = null;
        XMLStreamReader xml = null;
        try {
            xml = factory.createXMLStreamReader(bytes.content());
            rejection = read(xml, consumer, counts);
        } catch (XMLStreamException e) {
            rejection = notXml(e, counts[0]);
        } catch (ZipException e) {
            rejection = "the gzip stream is broken: " + e.getMessage();
        } catch (IOException e) {
            if (e.getCause() instanceof XMLStreamException x) {
                rejection = notXml(x, counts[0]);
            } else {
                throw e;
            }
        } finally {
            if (xml != null) {
                try {
                    xml.close();
                } catch (XMLStreamException ignored) {
                    // the underlying stream is drained below either way
                }
            }
        }
        bytes.drain();
        return new PosFileResult(bytes.sha256(), bytes.count(), counts[0], counts[1], counts[2], counts[3],
                Optional.ofNullable(rejection));
    }

    private static String notXml(XMLStreamException e, long transactionsRead) {
        Location at = e.getLocation();
        String message = e.getMessage() == null ? e.toString() : e.getMessage().replaceAll("^ParseError at \\[row,col\\]:\\[\\d+,\\d+\\]\\s*Message: ", "");
        return (at == null ? "" : "line " + at.getLineNumber() + ", column " + at.getColumnNumber() + ": ")
                + "not well-formed XML (" + message.trim() + ")"
                + (transactionsRead > 0 ? " after Transaction #" + transactionsRead + ": the file is incomplete or corrupt" : "");
    }

    private String read(XMLStreamReader xml, Consumer<PosFileOutcome> consumer, long[] counts) throws XMLStreamException {
        while (xml.hasNext()) {
            int event = xml.next();
            if (event == XMLStreamConstants.DTD) {
                return "line " + xml.getLocation().getLineNumber() + ": a DOCTYPE is not allowed in a POSLog (no DTDs, no entities)";
            }
            if (event == XMLStreamConstants.START_ELEMENT) {
                break;
            }
        }
        if (xml.getEventType() != XMLStreamConstants.START_ELEMENT) {
            return "no root element: the file is empty or not XML";
        }
        if (!"POSLog".equals(xml.getLocalName()) || !arts(xml.getNamespaceURI())) {
            return "line " + xml.getLocation().getLineNumber() + ": the root element is " + name(xml) + ", not an ARTS POSLog ({"
                    + ARTS_NAMESPACE + "}POSLog)";
        }
        int depth = 1;
        while (xml.hasNext()) {
            int event = xml.next();
            if (event == XMLStreamConstants.DTD) {
                return "line " + xml.getLocation().getLineNumber() + ": a DOCTYPE is not allowed in a POSLog";
            }
            if (event == XMLStreamConstants.START_ELEMENT) {
                if (depth == 1 && "Transaction".equals(xml.getLocalName()) && arts(xml.getNamespaceURI())) {
                    Location at = xml.getLocation();
                    PosFilePosition position = new PosFilePosition.XmlElement(counts[0] + 1, at.getLineNumber(), at.getColumnNumber());
                    Tree tree = tree(xml);
                    counts[0]++;
                    PosFileOutcome outcome = tree.tooLarge
                            ? new PosFileOutcome.Rejected(null, position,
                                    List.of("more than " + MAX_ELEMENTS + " elements in one Transaction"))
                            : evaluate(tree.root, position);
                    counts[outcome instanceof PosFileOutcome.Accepted ? 1 : outcome instanceof PosFileOutcome.Rejected ? 2 : 3]++;
                    consumer.accept(outcome);
                } else {
                    depth++;
                }
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                depth--;
            }
        }
        return null;
    }

    private static String name(XMLStreamReader xml) {
        String ns = xml.getNamespaceURI();
        return (ns == null || ns.isEmpty() ? "" : "{" + ns + "}") + xml.getLocalName();
    }

    /** ARTS elements are in the IXRetail namespace; a POSLog written without namespaces is read as well. */
    private static boolean arts(String namespace) {
        return namespace == null || namespace.isEmpty() || ARTS_NAMESPACE.equals(namespace);
    }

    private record Tree(XmlNode root, boolean tooLarge) {
    }

    /** The element the reader is at, with all it contains, read up to its end tag. */
    private static Tree tree(XMLStreamReader xml) throws XMLStreamException {
        Deque<XmlNode> open = new ArrayDeque<>();
        XmlNode root = node(xml);
        open.push(root);
        int elements = 1;
        int skipping = 0; // depth inside elements beyond the limit, not kept
        while (!open.isEmpty()) {
            int event = xml.next();
            switch (event) {
                case XMLStreamConstants.START_ELEMENT -> {
                    if (skipping > 0 || elements >= MAX_ELEMENTS) {
                        skipping++;
                        elements = MAX_ELEMENTS;
                    } else {
                        XmlNode child = node(xml);
                        open.peek().add(child);
                        open.push(child);
                        elements++;
                    }
                }
                case XMLStreamConstants.END_ELEMENT -> {
                    if (skipping > 0) {
                        skipping--;
                    } else {
                        open.pop();
                    }
                }
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> {
                    if (skipping == 0 && !xml.isWhiteSpace()) {
                        open.peek().appendText(xml.getText());
                    }
                }
                default -> {
                    // comments, processing instructions, whitespace
                }
            }
        }
        return new Tree(root, elements >= MAX_ELEMENTS);
    }

    private static XmlNode node(XMLStreamReader xml) {
        Location at = xml.getLocation();
        XmlNode node = new XmlNode(xml.getNamespaceURI(), xml.getLocalName(), at.getLineNumber(), at.getColumnNumber());
        for (int i = 0; i < xml.getAttributeCount(); i++) {
            node.attribute(xml.getAttributeLocalName(i), xml.getAttributeValue(i));
        }
        return node;
    }

    private static XmlNode child(XmlNode parent, String localName) {
        for (XmlNode c : parent.children()) {
            if (c.localName().equals(localName) && arts(c.namespace())) {
                return c;
            }
        }
        return null;
    }

    private static String text(XmlNode parent, String localName) {
        XmlNode c = child(parent, localName);
        return c == null || c.text().isEmpty() ? null : c.text();
    }

    private static boolean flag(XmlNode node, String name) {
        String value = node.attribute(name);
        if (value == null) {
            value = text(node, name);
        }
        return value != null && (value.equalsIgnoreCase("true") || value.equals("1"));
    }

    private record Item(int index, XmlNode lineItem, String label, String kind, String sku, String gtin, String gtinPath,
            ApiRules.Units units) {
    }

    private PosFileOutcome evaluate(XmlNode tx, PosFilePosition position) {
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        String storeText = text(tx, "RetailStoreID");
        String storeField = "RetailStoreID";
        if (storeText == null && child(tx, "BusinessUnit") != null) {
            storeText = text(child(tx, "BusinessUnit"), "UnitID");
            storeField = "BusinessUnit/UnitID";
        }
        String storeId = ApiRules.id(storeText, storeField, problems);
        String registerId = ApiRules.id(text(tx, "WorkstationID"), "WorkstationID", problems);
        Long sequence = ApiRules.sequence(text(tx, "SequenceNumber"), "SequenceNumber", problems);
        String dayText = text(tx, "BusinessDayDate");
        if (dayText != null && dayText.length() > 10 && dayText.charAt(10) == 'T') {
            dayText = dayText.substring(0, 10); // a date-time where a date is meant
        }
        LocalDate day = ApiRules.businessDay(dayText, "BusinessDayDate", options.clock(), problems);
        String key = storeId != null && registerId != null && day != null && sequence != null
                ? storeId + ":" + registerId + ":" + day + ":" + sequence
                : storeText + ":" + text(tx, "WorkstationID") + ":" + dayText + ":" + text(tx, "SequenceNumber");

        if (flag(tx, "CancelFlag")) {
            return new PosFileOutcome.Skipped(key, position, "cancelled (CancelFlag): not applied");
        }
        if (flag(tx, "TrainingModeFlag")) {
            return new PosFileOutcome.Skipped(key, position, "training mode (TrainingModeFlag): not applied");
        }
        XmlNode retail = child(tx, "RetailTransaction");
        if (retail == null) {
            List<String> kinds = tx.children().stream().map(XmlNode::localName).filter(n -> n.endsWith("Transaction")).distinct().toList();
            return new PosFileOutcome.Skipped(key, position, "not a sale or return: no RetailTransaction"
                    + (kinds.isEmpty() ? "" : " (" + String.join(", ", kinds) + ")"));
        }
        String status = retail.attribute("TransactionStatus");
        if (status != null && NOT_APPLIED_STATUS.contains(status.toLowerCase(Locale.ROOT))) {
            return new PosFileOutcome.Skipped(key, position, "RetailTransaction TransactionStatus " + status + ": not applied");
        }

        String occurredAt = occurredAt(tx, problems);
        String currency = text(tx, "CurrencyCode");
        List<Item> items = new ArrayList<>();
        boolean sale = false;
        boolean ret = false;
        int lineItems = 0;
        int voided = 0;
        for (XmlNode lineItem : retail.children()) {
            if (!lineItem.localName().equals("LineItem") || !arts(lineItem.namespace())) {
                continue;
            }
            lineItems++;
            XmlNode goods = child(lineItem, "Sale");
            if (goods == null) {
                goods = child(lineItem, "Return");
            }
            String seq = text(lineItem, "SequenceNumber");
            String label = "LineItem " + lineItems + (seq == null ? "" : " SequenceNumber " + seq) + " (" + lineItem.where() + ")";
            if (flag(lineItem, "VoidFlag")) {
                if (goods != null) {
                    voided++;
                    notes.add(label + ": voided (VoidFlag), not applied");
                }
                continue;
            }
            if (goods == null) {
                continue; // a tender, tax, loyalty, vendor line: not an item
            }
            String kind = goods.localName();
            sale |= kind.equals("Sale");
            ret |= kind.equals("Return");
            String at = label + " " + kind + "/";
            String skuText = text(goods, "ItemID");
            String skuField = at + "ItemID";
            if (skuText == null && child(goods, "POSIdentity") != null) {
                skuText = text(child(goods, "POSIdentity"), "POSItemID");
                skuField = at + "POSIdentity/POSItemID";
            }
            String sku = ApiRules.sku(skuText, skuField, problems);
            PosLogPaths.Found gtinFound = PosLogPaths.first(lineItem, options.posLog().gtin());
            String gtin = gtinFound == null ? null
                    : ApiRules.gtin(gtinFound.node().text(), label + " " + gtinFound.path(), problems);
            XmlNode quantity = child(goods, "Quantity");
            String quantityText = quantity == null || quantity.text().isEmpty() ? "1" : quantity.text();
            String uom = quantity == null ? null : quantity.attribute("UnitOfMeasureCode");
            XmlNode priceNode = child(goods, "ActualSalesUnitPrice");
            String priceField = at + "ActualSalesUnitPrice";
            if (priceNode == null || priceNode.text().isEmpty()) {
                priceNode = child(goods, "RegularSalesUnitPrice");
                priceField = at + "RegularSalesUnitPrice";
            }
            String unitPrice = ApiRules.price(priceNode == null ? null : priceNode.text(), priceField, problems);
            BigDecimal extended = ApiRules.decimal(text(goods, "ExtendedAmount"), at + "ExtendedAmount", false, problems);
            ApiRules.Units units = ApiRules.units(quantityText, at + "Quantity", unitPrice, extended, at + "ExtendedAmount", uom,
                    options, problems, notes);
            if (currency == null && priceNode != null && priceNode.attribute("Currency") != null) {
                currency = priceNode.attribute("Currency");
            }
            if (sku != null && units != null) {
                items.add(new Item(items.size(), lineItem, label, kind, sku, gtin, gtinFound == null ? null : gtinFound.path(), units));
            }
        }
        currency = ApiRules.currency(currency, "CurrencyCode", problems);
        PosLogPaths.Found loyaltyFound = PosLogPaths.first(tx, options.posLog().loyaltyId());
        String loyaltyId = loyaltyFound == null ? null
                : ApiRules.optionalText(loyaltyFound.node().text(), loyaltyFound.path(), 128, problems);
        PosLogPaths.Found tokenFound = PosLogPaths.first(tx, options.posLog().paymentToken());
        String token = tokenFound == null ? null : ApiRules.optionalText(tokenFound.node().text(), tokenFound.path(), 256, problems);

        if (!sale && !ret) {
            if (problems.isEmpty() || voided > 0) {
                return new PosFileOutcome.Skipped(key, position, voided > 0 ? "every Sale and Return line item voided: nothing to apply"
                        : "no Sale or Return line item (nothing sold or taken back)");
            }
        }
        if (sale && ret) {
            problems.add("both Sale and Return line items (an exchange): a POS transaction is a sale or a return");
        }
        if (items.size() > ApiRules.MAX_LINES) {
            problems.add(items.size() + " Sale/Return line items: at most " + ApiRules.MAX_LINES + " a transaction");
        }
        if (!problems.isEmpty()) {
            return new PosFileOutcome.Rejected(key, position, problems);
        }
        ObjectNode body = ApiRules.apiBody(storeId, registerId, day, sequence, ret, occurredAt, currency,
                items.stream().map(item -> new ApiRules.ApiLine(item.sku(), item.gtin(), item.units())).toList(), loyaltyId, token);
        String storeName = storeField;
        Map<String, String> top = Map.of("storeId", storeName, "registerId", "WorkstationID", "businessDay", "BusinessDayDate",
                "sequence", "SequenceNumber", "currency", "CurrencyCode", "occurredAt", "EndDateTime");
        return ApiRules.finish(body, key, position, notes, options, field -> top.getOrDefault(field, field), (index, field) -> {
            Item item = items.get(index);
            String name = switch (field) {
                case "gtin" -> item.gtinPath() == null ? "GTIN" : item.gtinPath();
                case "sku" -> item.kind() + "/ItemID";
                case "quantity" -> item.kind() + "/Quantity";
                default -> item.kind() + "/RegularSalesUnitPrice";
            };
            return item.label() + " " + name;
        });
    }

    /** EndDateTime as the API takes it (with an offset): as written, or a local time in the configured zone. */
    private String occurredAt(XmlNode tx, List<String> problems) {
        String text = text(tx, "EndDateTime");
        if (text == null) {
            problems.add("EndDateTime: missing");
            return null;
        }
        try {
            OffsetDateTime at = OffsetDateTime.parse(text);
            return ApiRules.inWindow(at, "EndDateTime", options.clock(), problems) == null ? null : text;
        } catch (DateTimeParseException withoutOffset) {
            try {
                LocalDateTime local = LocalDateTime.parse(text);
                if (options.localTimeZone() == null) {
                    problems.add("EndDateTime: '" + text + "' has no UTC offset and no local time zone is configured for this POSLog");
                    return null;
                }
                OffsetDateTime at = local.atZone(options.localTimeZone()).toOffsetDateTime();
                return ApiRules.inWindow(at, "EndDateTime", options.clock(), problems) == null ? null : at.toString();
            } catch (DateTimeParseException e) {
                problems.add("EndDateTime: '" + text + "' is not an ISO-8601 date-time");
                return null;
            }
        }
    }
}
