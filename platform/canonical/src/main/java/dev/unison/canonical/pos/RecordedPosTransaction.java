package dev.unison.canonical.pos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.CanonicalRecord;
import java.util.Objects;

/**
 * A POS transaction recorded by a feed other than the POS API (a retailer's batch file), as the
 * event {@code commerce.pos.transaction.recorded.v1}: the transaction in the POS API's own request
 * shape ({@link PosTransactionParser}: prices as decimal strings, kept as written, {@code 89.90}
 * stays {@code 89.90}, which a JSON number in a canonical event would not), and where it was read.
 * The inventory domain parses it with {@link PosTransactionParser} and applies it as the API does (the
 * same key, store + register + business day + sequence, applied once however it arrives). Keyed by
 * the transaction's key, so the bus keeps the events of one transaction in order.
 *
 * @param transaction the body {@code POST /api/v1/pos/transactions} would take for the same sale
 * @param file where the transaction was read, when it came in a file
 */
public record RecordedPosTransaction(JsonNode transaction, FileRef file) implements CanonicalRecord {

    /**
     * A transaction's place in a file.
     *
     * @param connectionId the connection that read the file
     * @param fileId the file's SHA-256 (lower-case hex): the same bytes are the same file
     * @param name the file's name as received
     * @param ordinal the transaction's 1-based ordinal among the file's transactions
     * @param position for people: {@code lines 12-15}, {@code Transaction #3 (line 40, column 5)}
     */
    public record FileRef(String connectionId, String fileId, String name, long ordinal, String position) {
    }

    public RecordedPosTransaction {
        Objects.requireNonNull(transaction, "transaction");
        // one form whatever built it (number node kinds): equal transactions are equal records
        transaction = CanonicalJson.parse(CanonicalJson.write(transaction));
    }

    /** A parsed transaction and its place, the transaction written back in the API's request shape. */
    public static RecordedPosTransaction of(PosTransaction transaction, FileRef file) {
        return new RecordedPosTransaction(apiJson(transaction), file);
    }

    /** The transaction's key, {@link PosTransaction#key()} form. */
    public String key() {
        return transaction.path("storeId").asText() + ":" + transaction.path("registerId").asText() + ":"
                + transaction.path("businessDay").asText() + ":" + transaction.path("sequence").asLong();
    }

    @Override
    public String partitionKey() {
        return key();
    }

    /**
     * The body of {@code POST /api/v1/pos/transactions} for a transaction: {@link PosTransactionParser}
     * makes the equal {@link PosTransaction} of it. (A cart a transaction names is not written: no
     * feed but the API carries one.)
     */
    public static ObjectNode apiJson(PosTransaction t) {
        ObjectNode json = CanonicalJson.mapper().createObjectNode();
        json.put("storeId", t.storeId());
        json.put("registerId", t.registerId());
        json.put("businessDay", t.businessDay().toString());
        json.put("sequence", t.sequence());
        json.put("type", t.type().wireName());
        json.put("occurredAt", t.occurredAt().toString());
        json.put("currency", t.currency());
        ArrayNode lines = json.putArray("lines");
        for (PosTransaction.Line line : t.lines()) {
            ObjectNode l = lines.addObject();
            l.put("sku", line.sku());
            if (line.gtin() != null) {
                l.put("gtin", line.gtin());
            }
            l.put("quantity", line.quantity());
            l.put("unitPrice", line.unitPrice().toPlainString());
        }
        optional(json, "loyaltyId", t.loyaltyId());
        optional(json, "paymentToken", t.paymentToken());
        optional(json, "phone", t.phone());
        optional(json, "email", t.email());
        if (t.returnOf() != null) {
            String[] k = t.returnOf().split(":", 4);
            ObjectNode returned = json.putObject("returnOf");
            returned.put("storeId", k[0]);
            returned.put("registerId", k[1]);
            returned.put("businessDay", k[2]);
            returned.put("sequence", Long.parseLong(k[3]));
        }
        return json;
    }

    private static void optional(ObjectNode json, String field, String value) {
        if (value != null) {
            json.put(field, value);
        }
    }
}
