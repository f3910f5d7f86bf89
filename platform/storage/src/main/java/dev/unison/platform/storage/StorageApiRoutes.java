package dev.unison.platform.storage;

import dev.unison.platform.edge.ApiException;
import dev.unison.platform.edge.ApiSupport;
import dev.unison.platform.edge.ApiRoutes;
import dev.unison.platform.edge.ApiSchemas;
import dev.unison.platform.edge.Scope;

import dev.unison.platform.storage.StorageMonitor;
import dev.unison.platform.storage.TableSizes;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.model.rest.RestParamType;

/**
 * {@code GET /api/v1/storage}: the data directory's size, its growth and the disk's free space
 * ({@link StorageMonitor}), and on request every table's rows and bytes ({@link TableSizes}), so an
 * operator can tell live data from a file that grew. Scope {@code ops}.
 */
public class StorageApiRoutes extends ApiRoutes {

    private final StorageMonitor monitor;
    private final TableSizes tables;

    public StorageApiRoutes(ApiSupport api, ApiSchemas schemas, StorageMonitor monitor, TableSizes tables) {
        super(api, schemas);
        this.monitor = monitor;
        this.tables = tables;
    }

    @Override
    public void configure() {
        jsonErrors();

        rest(BASE)
                .get("/storage").id("get-storage")
                    .description("Disk use: the data directory's bytes (by subdirectory), the disk's free bytes, the growth "
                            + "over unison.storage.monitor.growth-window and a warning when the disk is close to full; with "
                            + "?tables=true also every table's rows and bytes (on H2 this reads every page: seconds on a large "
                            + "database)")
                    .param().name("tables").type(RestParamType.query).required(false)
                        .description("true to measure every table (default false)").endParam()
                    .produces("application/json")
                    .responseMessage().code(400).message("tables is neither true nor false").endResponseMessage()
                    .to("direct:get-storage");

        secured("get-storage", Scope.OPS, e -> {
                    String withTables = e.getMessage().getHeader("tables", String.class);
                    if (withTables != null && !withTables.equals("true") && !withTables.equals("false")) {
                        throw ApiException.badRequest("tables must be true or false, got '" + withTables + "'");
                    }
                    StorageMonitor.Sample sample = monitor.current();
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("dataDirectory", monitor.dataDirectory().toString());
                    body.put("measuredAt", sample.at());
                    body.put("dataDirectoryBytes", sample.dataDirectoryBytes());
                    body.put("bytesBySubdirectory", sample.bytesBySubdirectory());
                    body.put("freeBytes", sample.freeBytes());
                    body.put("growthBytesPerSecond", Math.round(sample.growthBytesPerSecond()));
                    body.put("warning", sample.warning());
                    if ("true".equals(withTables)) {
                        var measured = tables.measure();
                        body.put("liveBytes", measured.stream().mapToLong(TableSizes.Table::bytes).sum());
                        body.put("tables", measured.stream().map(t -> {
                            Map<String, Object> table = new LinkedHashMap<>();
                            table.put("name", t.name());
                            table.put("rows", t.rows());
                            table.put("bytes", t.bytes());
                            return table;
                        }).toList());
                    }
                    ApiSupport.respond(e, 200, body);
                });
    }
}
