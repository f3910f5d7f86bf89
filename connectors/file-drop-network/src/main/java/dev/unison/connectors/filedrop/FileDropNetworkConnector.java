package dev.unison.connectors.filedrop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.CanonicalValidationException;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.AdExposure;
import dev.unison.canonical.model.AdSpend;
import dev.unison.canonical.model.CanonicalRecord;
import dev.unison.canonical.model.ExposureKind;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.Money;
import dev.unison.canonical.model.NetworkAttribution;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.Connector;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A retail media network that delivers files instead of an API (Kroger Precision Marketing reports
 * through its platform and 84.51° Stratum exports; no public API was found, so the file format is
 * this connector's documented contract, docs/connectors/file-drop-network.md). A Camel file route
 * per connection reads each file once it has stopped changing ({@code readLock=changed}), streams it
 * through {@link NetworkFile} into the inbox (each row once, bad rows reported by line), and moves it
 * to {@code .done/} with {@code <file>.report.json} beside it only after its rows are committed; a
 * file that cannot be read at all goes to {@code .failed/} with its reason. A failure of the hub
 * itself (its database) leaves the file where it is, to be read again.
 */
public final class FileDropNetworkConnector implements Connector {

    public static final String NAME = "file-drop-network";
    private static final Logger log = LoggerFactory.getLogger(FileDropNetworkConnector.class);
    private static final Pattern SHA256_HEX = Pattern.compile("^[0-9a-f]{64}$");
    static final String TARGET = "unison.fileTarget";

    private final ConnectorDescriptor descriptor = ConnectorDescriptor.bundled(FileDropNetworkConnector.class, NAME);
    private final Clock clock;

    public FileDropNetworkConnector() {
        this(Clock.systemUTC());
    }

    FileDropNetworkConnector(Clock clock) {
        this.clock = clock;
    }

    @Override
    public ConnectorDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public RoutesBuilder routes(ConnectorContext context) {
        return new RouteBuilder() {
            @Override
            public void configure() throws Exception {
                for (Connection connection : context.connectionsOf(NAME)) {
                    if (!connection.enabled()) {
                        continue;
                    }
                    Path dir = Path.of(connection.setting("directory")).toAbsolutePath();
                    Files.createDirectories(dir);
                    NetworkFile reader = reader(connection, context);
                    // the target folder is chosen by the outcome: .done after the rows are committed, .failed for an
                    // unreadable file; an exception of the hub (its database) leaves the file in place for the next poll
                    fromF("file:%s?include=.*\\.csv(\\.gz)?&readLock=changed&readLockMinAge=1s&delay=%d"
                            + "&move=${header.%s}/${file:name}", dir, connection.duration("pollInterval").toMillis(), TARGET)
                            .routeId(NAME + "-" + connection.id())
                            .process(e -> read(e, reader, connection))
                            .log(LoggingLevel.INFO, NAME + " " + connection.id() + ": ${file:name}: ${header.unison.fileReport}");
                }
            }
        };
    }

    NetworkFile reader(Connection connection, ConnectorContext context) {
        return new NetworkFile(connection.id(), NAME, context.inbox(), (int) connection.integer("pageSize"),
                row -> problem(row, connection), clock);
    }

    private static void read(Exchange e, NetworkFile reader, Connection connection) throws IOException {
        Path file = Path.of(e.getIn().getHeader(Exchange.FILE_PATH, String.class));
        Path parent = file.getParent();
        Map<String, Object> report;
        String target;
        try {
            report = view(reader.read(file));
            target = ".done";
        } catch (NetworkFile.UnreadableFile unreadable) {
            report = new LinkedHashMap<>();
            report.put("file", file.getFileName().toString());
            report.put("unreadable", unreadable.getMessage());
            target = ".failed";
            log.warn("{} {}: {} cannot be read, moved to .failed: {}", NAME, connection.id(), file.getFileName(),
                    unreadable.getMessage());
        }
        Files.createDirectories(parent.resolve(target));
        Files.writeString(parent.resolve(target).resolve(file.getFileName() + ".report.json"), CanonicalJson.write(report),
                StandardCharsets.UTF_8);
        e.getIn().setHeader(TARGET, target);
        e.getIn().setHeader("unison.fileReport", report.containsKey("unreadable") ? "unreadable: " + report.get("unreadable")
                : "rows " + report.get("rows") + ", accepted " + report.get("accepted") + ", duplicates " + report.get("duplicates")
                        + ", rejected " + report.get("rejectedRows"));
    }

    static Map<String, Object> view(NetworkFile.Report r) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("file", r.file());
        view.put("checksum", r.checksum());
        view.put("kind", r.kind().name().toLowerCase(Locale.ROOT));
        view.put("rows", r.rows());
        view.put("accepted", r.accepted());
        view.put("duplicates", r.duplicates());
        view.put("rejectedRows", r.rejectedRows());
        List<Map<String, Object>> rejected = new ArrayList<>();
        r.rejected().forEach(x -> rejected.add(Map.of("line", x.line(), "reason", x.reason())));
        view.put("rejected", rejected);
        if (r.readBefore()) {
            view.put("readBefore", true);
        }
        if (r.resumedAfterLine() > 0) {
            view.put("resumedAfterLine", r.resumedAfterLine());
        }
        return view;
    }

    /** The folder exists (or can be made) and can be read and written: what the route needs. */
    @Override
    public CheckResult check(Connection connection) {
        Path dir = Path.of(connection.setting("directory")).toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            return CheckResult.failed("the drop folder " + dir + " cannot be created: " + e.getMessage());
        }
        if (!Files.isReadable(dir) || !Files.isWritable(dir)) {
            return CheckResult.failed("the drop folder " + dir + " is not readable and writable by the hub");
        }
        return CheckResult.ok("drop folder " + dir + " ready");
    }

    @Override
    public List<CanonicalEvent> mapInbound(InboundDelivery delivery, Connection connection, ConnectorContext context) {
        NetworkFile.Kind kind = NetworkFile.Kind.ofMessageType(delivery.messageType())
                .orElseThrow(() -> new IllegalArgumentException(NAME + " cannot map message type " + delivery.messageType()));
        ObjectNode row = (ObjectNode) CanonicalJson.parse(new String(delivery.body(), StandardCharsets.UTF_8));
        String id = UUID.nameUUIDFromBytes((connection.id() + "/" + delivery.dedupeKey()).getBytes(StandardCharsets.UTF_8)).toString();
        return List.of(event(id, kind, row, connection, delivery.receivedAt()));
    }

    private static CanonicalEvent event(String id, NetworkFile.Kind kind, ObjectNode row, Connection connection, Instant at) {
        CanonicalRecord record = kind == NetworkFile.Kind.PERFORMANCE ? spend(row, connection) : exposure(row, connection);
        EventType type = kind == NetworkFile.Kind.PERFORMANCE ? EventType.AD_SPEND_REPORTED : EventType.AD_EXPOSURE_RECORDED;
        // through the schema, as any input: a row the canonical model refuses is reported, never stored
        return CanonicalEvent.of(id, type, URI.create("/connectors/" + NAME + "/" + connection.id()), CanonicalJson.toTree(record), at);
    }

    /** Why a row cannot become its event, or null when it can. */
    static String problem(ObjectNode row, Connection connection) {
        NetworkFile.Kind kind = row.has("spend") ? NetworkFile.Kind.PERFORMANCE : NetworkFile.Kind.EXPOSURES;
        try {
            event(UUID.randomUUID().toString(), kind, row, connection, Instant.EPOCH);
            return null;
        } catch (CanonicalValidationException e) {
            return String.join("; ", e.violations());
        } catch (IllegalArgumentException | DateTimeParseException e) {
            return e.getMessage();
        }
    }

    private static AdSpend spend(JsonNode row, Connection connection) {
        String currency = text(row, "currency", connection.setting("currency"));
        BigDecimal inStore = decimal(row, "attributed_sales_in_store");
        BigDecimal online = decimal(row, "attributed_sales_online");
        int view = (int) connection.integer("viewWindowDays");
        NetworkAttribution network = new NetworkAttribution((int) connection.integer("clickWindowDays"), view == 0 ? null : view,
                whole(row, "attributed_orders"), whole(row, "attributed_units_in_store") + whole(row, "attributed_units_online"),
                new Money(inStore.add(online), currency), new Money(inStore, currency), new Money(online, currency));
        return new AdSpend(connection.setting("network"), required(row, "campaign_id"), date(row), new Money(decimal(row, "spend"),
                currency), whole(row, "impressions"), whole(row, "clicks"), network);
    }

    private static AdExposure exposure(JsonNode row, Connection connection) {
        List<Identifier> ids = new ArrayList<>();
        hashed(row, "hashed_email", IdentifierType.HASHED_EMAIL, ids);
        hashed(row, "hashed_phone", IdentifierType.HASHED_PHONE, ids);
        if (row.hasNonNull("device_id")) {
            ids.add(new Identifier(IdentifierType.DEVICE_ID, row.get("device_id").asText()));
        }
        if (row.hasNonNull("click_id")) {
            ids.add(new Identifier(IdentifierType.CLICK_ID, row.get("click_id").asText()));
        }
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("names no shopper: one of hashed_email, hashed_phone, device_id, click_id is needed");
        }
        ExposureKind kind = switch (required(row, "event").toLowerCase(Locale.ROOT)) {
            case "impression", "view" -> ExposureKind.IMPRESSION;
            case "click" -> ExposureKind.CLICK;
            default -> throw new IllegalArgumentException("event: '" + row.get("event").asText() + "' is neither impression nor click");
        };
        Instant at;
        try {
            at = Instant.parse(required(row, "event_time"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("event_time: '" + row.get("event_time").asText()
                    + "' is not an ISO-8601 instant (2026-11-25T10:00:00Z)");
        }
        String advertiser = row.hasNonNull("advertiser_id") ? row.get("advertiser_id").asText() : connection.setting("advertiserId");
        return new AdExposure(required(row, "exposure_id"), connection.setting("network"), advertiser, required(row, "campaign_id"),
                row.hasNonNull("ad_id") ? row.get("ad_id").asText() : null, kind, at, ids);
    }

    private static void hashed(JsonNode row, String column, IdentifierType type, List<Identifier> into) {
        if (!row.hasNonNull(column)) {
            return;
        }
        String value = row.get(column).asText().toLowerCase(Locale.ROOT);
        if (!SHA256_HEX.matcher(value).matches()) {
            throw new IllegalArgumentException(column + ": not a SHA-256 hex digest (64 hex digits)");
        }
        into.add(new Identifier(type, value));
    }

    private static String required(JsonNode row, String column) {
        if (!row.hasNonNull(column) || row.get(column).asText().isBlank()) {
            throw new IllegalArgumentException(column + ": missing");
        }
        return row.get(column).asText();
    }

    private static String text(JsonNode row, String column, String fallback) {
        return row.hasNonNull(column) ? row.get(column).asText() : fallback;
    }

    private static LocalDate date(JsonNode row) {
        try {
            return LocalDate.parse(required(row, "date"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("date: '" + row.get("date").asText() + "' is not YYYY-MM-DD");
        }
    }

    private static BigDecimal decimal(JsonNode row, String column) {
        String text = required(row, column);
        BigDecimal value;
        try {
            value = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(column + ": '" + text + "' is not a decimal number");
        }
        if (value.signum() < 0) {
            throw new IllegalArgumentException(column + ": " + text + " is negative");
        }
        return value;
    }

    private static long whole(JsonNode row, String column) {
        BigDecimal value = decimal(row, column);
        try {
            return value.longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(column + ": " + value + " is not a whole number");
        }
    }
}
