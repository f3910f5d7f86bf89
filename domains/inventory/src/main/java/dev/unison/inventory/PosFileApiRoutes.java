package dev.unison.inventory;

import dev.unison.platform.edge.ApiException;
import dev.unison.platform.edge.ApiRoutes;
import dev.unison.platform.edge.ApiSchemas;
import dev.unison.platform.edge.ApiSupport;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.camel.model.rest.RestParamType;

/**
 * The POS file reports ({@link PosFileReports}): {@code GET /api/v1/pos/files} (the files received
 * most recently) and {@code GET /api/v1/pos/files/{fileId}} (one file, its counts and what became of
 * each of its transactions), scope {@code inventory:read}.
 */
public class PosFileApiRoutes extends ApiRoutes {

    static final int MAX_FILES = 200;
    static final int MAX_TRANSACTIONS = 10_000;
    private static final Pattern FILE_ID = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> OUTCOMES = Set.of(PosFileReports.ACCEPTED, PosFileReports.DUPLICATE, PosFileReports.CONFLICT,
            PosFileReports.REJECTED, PosFileReports.SKIPPED);

    private final PosFileReports reports;

    public PosFileApiRoutes(ApiSupport api, ApiSchemas schemas, PosFileReports reports) {
        super(api, schemas);
        this.reports = reports;
    }

    @Override
    public void configure() {
        jsonErrors();
        rest(BASE)
                .get("/pos/files").id("get-pos-files")
                    .description("POS batch files received most recently (newest first): name, connection, times, SHA-256 and "
                            + "counts (accepted, duplicate, conflict, rejected, skipped, pending)")
                    .param().name("limit").type(RestParamType.query).description("most files, 1.." + MAX_FILES + " (default 50)")
                        .endParam()
                    .produces("application/json")
                    .responseMessage().code(400).message("limit is not a whole number from 1 to " + MAX_FILES).endResponseMessage()
                    .to("direct:get-pos-files")
                .get("/pos/files/{fileId}").id("get-pos-file")
                    .description("One POS batch file (its id is its SHA-256): counts and, in file order, each transaction's "
                            + "outcome: accepted | duplicate | conflict | rejected | skipped, with its position and reasons")
                    .param().name("fileId").type(RestParamType.path).description("the file's SHA-256, lower-case hex").endParam()
                    .param().name("outcome").type(RestParamType.query).description("only transactions with this outcome")
                        .endParam()
                    .param().name("after").type(RestParamType.query).description("only transactions after this ordinal "
                            + "(the previous page's nextAfter)").endParam()
                    .param().name("limit").type(RestParamType.query).description("most transactions, 1.." + MAX_TRANSACTIONS
                            + " (default 1000)").endParam()
                    .produces("application/json")
                    .responseMessage().code(400).message("fileId is not a SHA-256 in lower-case hex, or outcome, after or limit "
                            + "is out of range").endResponseMessage()
                    .responseMessage().code(404).message("no report of a file with this id").endResponseMessage()
                    .to("direct:get-pos-file");

        secured("get-pos-files", InventoryScopes.INVENTORY_READ, e -> {
            int limit = number(e.getIn().getHeader("limit", String.class), "limit", 50, 1, MAX_FILES);
            ApiSupport.respond(e, 200, Map.of("files", reports.recent(limit)));
        });
        secured("get-pos-file", InventoryScopes.INVENTORY_READ, e -> {
            String fileId = e.getIn().getHeader("fileId", String.class);
            if (fileId == null || !FILE_ID.matcher(fileId).matches()) {
                throw ApiException.badRequest("fileId: a SHA-256 in lower-case hex (64 digits), got '" + fileId + "'");
            }
            String outcome = e.getIn().getHeader("outcome", String.class);
            if (outcome != null && !OUTCOMES.contains(outcome)) {
                throw ApiException.badRequest("outcome: one of " + OUTCOMES + ", got '" + outcome + "'");
            }
            long after = number(e.getIn().getHeader("after", String.class), "after", 0, 0, Long.MAX_VALUE);
            int limit = number(e.getIn().getHeader("limit", String.class), "limit", 1000, 1, MAX_TRANSACTIONS);
            ApiSupport.respond(e, 200, reports.file(fileId, after, limit, outcome)
                    .orElseThrow(() -> ApiException.notFound("no report of POS file " + fileId)));
        });
    }

    private static int number(String text, String name, int fallback, int min, int max) {
        return (int) number(text, name, (long) fallback, min, (long) max);
    }

    private static long number(String text, String name, long fallback, long min, long max) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(text.trim());
            if (value < min || value > max) {
                throw ApiException.badRequest(name + ": from " + min + " to " + max + ", got " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + ": not a whole number: '" + text + "'");
        }
    }
}
