package dev.unison.inventory;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.pos.PosFileReport;
import dev.unison.canonical.identity.IdentifierNormalizer;
import dev.unison.canonical.pos.PosTransaction;
import dev.unison.canonical.pos.PosTransactionParser;
import dev.unison.canonical.pos.PosValidationException;
import dev.unison.canonical.pos.RecordedPosTransaction;
import dev.unison.connectors.kit.spi.BusHeaders;
import dev.unison.platform.deadletter.DeadLetters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * POS transactions recorded by a feed other than the POS API (the POS file connector): consumer
 * group {@value #GROUP}. Each {@code commerce.pos.transaction.recorded.v1} is applied through
 * {@link PosTransactions} exactly as {@code POST /api/v1/pos/transactions} applies one (the same
 * transaction row keyed by store + register + business day + sequence, the same movements and order
 * event), inside the bus delivery's database transaction, so the event's "processed" mark, its
 * effects and its line in the file's report commit together: a redelivery after a crash finds it
 * processed, a transaction sent again (by the API, in another file) is a duplicate, and the same key
 * with other content is a conflict, dead-lettered with its reason and not applied. The transaction travels in the API's
 * request shape and is parsed by the API's parser: what the API refuses (a store that is not a
 * declared location) is refused, reported as rejected. A batch of events is applied as one
 * group (its skus locked once, in order). {@code commerce.pos.file.processed.v1} files the reader's
 * facts in the report ({@link PosFileReports}).
 */
public class PosFileRoutes extends RouteBuilder {

    public static final String GROUP = "inventory-pos-files";

    private final PosTransactions pos;
    private final PosFileReports reports;
    private final InventoryLedger ledger;
    private final DeadLetters deadLetters;
    private final IdentifierNormalizer identifiers;
    /** The outcomes of the batch this consumer thread is in, by event id (a batch runs on one thread). */
    private final ThreadLocal<BatchOutcomes> current = new ThreadLocal<>();

    private record BatchOutcomes(List<?> batch, Map<String, Object> byEventId) {
    }

    public PosFileRoutes(PosTransactions pos, PosFileReports reports, InventoryLedger ledger, DeadLetters deadLetters,
            IdentifierNormalizer identifiers) {
        this.identifiers = identifiers;
        this.pos = pos;
        this.reports = reports;
        this.ledger = ledger;
        this.deadLetters = deadLetters;
    }

    @Override
    public void configure() {
        from("bus:events?group=" + GROUP + "&batchWait=200&types=" + EventType.POS_TRANSACTION_RECORDED.typeName() + ","
                + EventType.POS_FILE_PROCESSED.typeName()).routeId(GROUP)
                .process(this::handle);
    }

    void handle(Exchange exchange) {
        CanonicalEvent event = exchange.getIn().getBody(CanonicalEvent.class);
        if (event.type() == EventType.POS_FILE_PROCESSED) {
            reports.recordFile(event.dataAs(PosFileReport.class));
            return;
        }
        if (event.type() != EventType.POS_TRANSACTION_RECORDED) {
            return;
        }
        List<?> batch = exchange.getProperty(BusHeaders.BATCH, List.class);
        if (batch == null || batch.isEmpty()) {
            batch = List.of(event);
        }
        BatchOutcomes outcomes = current.get();
        if (outcomes == null || outcomes.batch() != batch || !outcomes.byEventId().containsKey(event.id())) {
            outcomes = new BatchOutcomes(batch, applyFrom(batch, event));
            current.set(outcomes);
        }
        Object outcome = outcomes.byEventId().remove(event.id());
        RecordedPosTransaction recorded = event.dataAs(RecordedPosTransaction.class);
        String key = recorded.key();
        String result;
        List<String> reasons = List.of();
        if (outcome instanceof PosTransactions.Accepted accepted) {
            result = accepted.duplicate() ? PosFileReports.DUPLICATE : PosFileReports.ACCEPTED;
        } else if (outcome instanceof PosTransactions.ConflictException conflict) {
            result = PosFileReports.CONFLICT;
            reasons = List.of(conflict.getMessage());
            deadLetters.record(GROUP, event.id(), event.type().typeName(), conflict.getMessage() + where(recorded),
                    event.toStructuredJson());
        } else if (outcome instanceof String refused) {
            result = PosFileReports.REJECTED;
            reasons = List.of(refused);
            deadLetters.record(GROUP, event.id(), event.type().typeName(), refused + where(recorded), event.toStructuredJson());
        } else {
            throw new IllegalStateException("transaction " + key + " was not applied: " + outcome);
        }
        if (recorded.file() != null) {
            reports.recordOutcome(recorded.file(), key, result, reasons);
        }
    }

    private static String where(RecordedPosTransaction recorded) {
        RecordedPosTransaction.FileRef file = recorded.file();
        return file == null ? "" : " (file " + file.name() + " " + file.fileId() + ", " + file.position() + ")";
    }

    /** Parses as the POS API parses its body (the same checks: a declared store, GTIN check digits, phone and email). */
    private void parse(CanonicalEvent event, Map<String, Object> byEventId, List<String> ids, List<PosTransaction> transactions) {
        try {
            transactions.add(PosTransactionParser.parse(event.dataAs(RecordedPosTransaction.class).transaction(),
                    store -> ledger.network().location(store).isPresent(), identifiers));
            ids.add(event.id());
        } catch (PosValidationException invalid) {
            byEventId.put(event.id(), String.join("; ", invalid.violations()));
        }
    }

    /**
     * Applies the recorded transactions of the batch from {@code first} on as one group; per event id
     * its {@link PosTransactions.Accepted}, {@link PosTransactions.ConflictException} or, for an unknown
     * store or another refusal of the API's parser, the reasons.
     */
    private Map<String, Object> applyFrom(List<?> batch, CanonicalEvent first) {
        int from = 0;
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i) == first) {
                from = i;
                break;
            }
        }
        Map<String, Object> byEventId = new HashMap<>();
        List<String> ids = new ArrayList<>();
        List<PosTransaction> transactions = new ArrayList<>();
        for (int i = from; i < batch.size(); i++) {
            CanonicalEvent event = (CanonicalEvent) batch.get(i);
            if (event.type() != EventType.POS_TRANSACTION_RECORDED) {
                continue;
            }
            parse(event, byEventId, ids, transactions);
        }
        if (!byEventId.containsKey(first.id()) && !ids.contains(first.id())) {
            parse(first, byEventId, ids, transactions); // not in its batch list: alone
        }
        List<Object> applied = pos.applyInCurrentTransaction(transactions);
        for (int i = 0; i < ids.size(); i++) {
            byEventId.put(ids.get(i), applied.get(i));
        }
        return byEventId;
    }
}
