package dev.unison.connectors.sfcc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.auth.ClientCredentials;
import dev.unison.connectors.kit.auth.CredentialsRefused;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import dev.unison.connectors.kit.http.ApiClient;
import dev.unison.connectors.kit.http.ConnectionCircuitBreakers;
import dev.unison.connectors.kit.mapping.MappingException;
import dev.unison.connectors.kit.pull.Poller;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.Connector;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.spi.OutboundHandler;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;

/**
 * Salesforce B2C Commerce: SFCC has no outbound webhooks, so everything inbound is pulled with the
 * kit's {@link Poller}: ready orders confirmed by their export status ({@link ReadyOrders}), order
 * changes and customers by last modification ({@link ChangedRecords}); the channel's availability
 * goes out to Omnichannel Inventory ({@link OciInventorySync}). Tokens: Account Manager, OAuth 2.0
 * client credentials with HTTP Basic client authentication ("B2C Commerce API: Authorization for
 * Admin APIs": {@code POST /dwsso/oauth2/access_token}, {@code grant_type=client_credentials},
 * {@code scope=SALESFORCE_COMMERCE_API:<tenant> <roles>}; tokens live about 30 minutes,
 * {@code expires_in} 1799), renewed before they lapse and once after a 401. See docs/connectors/sfcc.md.
 */
public final class SfccConnector implements Connector {

    public static final String NAME = "sfcc";

    private final ConnectorDescriptor descriptor = ConnectorDescriptor.bundled(SfccConnector.class, NAME);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ConnectionCircuitBreakers breakers = ConnectionCircuitBreakers.defaults();
    private final Map<String, ClientCredentials> tokens = new ConcurrentHashMap<>();
    private final Map<String, OutboundHandler> handlers = new ConcurrentHashMap<>();
    private final Clock clock;

    public SfccConnector() {
        this(Clock.systemUTC());
    }

    SfccConnector(Clock clock) {
        this.clock = clock;
    }

    @Override
    public ConnectorDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public Optional<OutboundHandler> outbound(String connectionId, String kind) {
        return Optional.ofNullable(handlers.get(connectionId + "/" + kind));
    }

    @Override
    public RoutesBuilder routes(ConnectorContext context) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                for (Connection connection : context.connectionsOf(NAME)) {
                    if (!connection.enabled()) {
                        continue;
                    }
                    SfccSettings settings = SfccSettings.of(connection);
                    long every = settings.pollInterval().toMillis();
                    List<Poller> streams = pollers(connection, context);
                    ExportConfirmations confirmations = confirmations(connection.id());
                    // confirming behind storing, at the export-status endpoint's own pace
                    from("timer:sfcc-" + connection.id() + "-export-status?period=" + every + "&delay=" + every)
                            .routeId("sfcc-" + connection.id() + "-export-status")
                            .process(e -> confirmAll(confirmations));
                    for (Poller poller : streams) {
                        // the first look one interval after start: a restart never hammers the API
                        from("timer:sfcc-" + connection.id() + "-" + pollerNames.get(poller) + "?period=" + every + "&delay=" + every)
                                .routeId("sfcc-" + connection.id() + "-poll-" + pollerNames.get(poller))
                                .process(e -> drain(poller));
                    }
                    List<OciInventorySync> senders = new ArrayList<>();
                    if (settings.ociLocation() != null) {
                        // availability changes (routed by routes/fan-out.yaml) -> durable per-sku coalescing queue
                        OciInventorySync sync = inventory(connection, context);
                        handlers.put(connection.id() + "/" + OciInventorySync.KIND, sync::offer);
                        senders.add(sync);
                    }
                    if (!settings.ociLocations().isEmpty()) {
                        // positions of the mapped locations -> durable per-location-and-sku coalescing queue
                        OciInventorySync positions = positions(connection, context);
                        handlers.put(connection.id() + "/" + OciInventorySync.POSITIONS, positions::offer);
                        senders.add(positions);
                    }
                    from("timer:sfcc-" + connection.id() + "-inventory?period=50&delay=200")
                            .routeId("sfcc-" + connection.id() + "-inventory-sender")
                            .process(e -> {
                                for (OciInventorySync sender : senders) {
                                    while (sender.tick() > 0) {
                                        // batch after batch, while the pace allows
                                    }
                                }
                            });
                }
            }
        };
    }

    private final Map<Poller, String> pollerNames = new ConcurrentHashMap<>();

    /** Rounds until the stream is caught up (a round stops after a bounded number of pages). */
    static void drain(Poller poller) {
        Poller.Round round;
        do {
            round = poller.round();
        } while (round.outcome() == Poller.Outcome.MORE_WAITING);
    }

    /** Confirmation rounds while they confirm something; a refused credential waits for the next tick (the streams pause). */
    static void confirmAll(ExportConfirmations confirmations) throws InterruptedException {
        try {
            while (confirmations.round() > 0) {
                // round after round while stored orders wait at the front
            }
        } catch (CredentialsRefused refused) {
            // the ready-orders stream reports the refusal and pauses; nothing is confirmed meanwhile
        }
    }

    /** The export-status confirmations of a connection whose {@link #pollers} were made. */
    ExportConfirmations confirmations(String connectionId) {
        ExportConfirmations confirmations = this.confirmations.get(connectionId);
        if (confirmations == null) {
            throw new IllegalStateException("no streams made for connection " + connectionId);
        }
        return confirmations;
    }

    private final Map<String, ExportConfirmations> confirmations = new ConcurrentHashMap<>();

    /** The connection's streams: ready orders, order changes and (with a customer list) customers. */
    List<Poller> pollers(Connection connection, ConnectorContext context) {
        SfccSettings settings = SfccSettings.of(connection);
        SfccApi scapi = api(connection, settings, context, "scapi", settings.requestsPerSecond());
        // SFCC limits each endpoint apart ("B2C Commerce API: Rate limits"): PUT export-status has its own budget
        SfccApi exportStatus = api(connection, settings, context, "scapi-export-status", settings.requestsPerSecond());
        ExportConfirmations confirmations = new ExportConfirmations(connection.id(), settings, scapi, exportStatus, context);
        this.confirmations.put(connection.id(), confirmations);
        List<Poller> pollers = new ArrayList<>();
        pollers.add(poller(connection, settings, context, ReadyOrders.STREAM,
                new ReadyOrders(connection.id(), settings, scapi, confirmations, context, clock)));
        pollers.add(poller(connection, settings, context, ChangedRecords.ORDER_UPDATES,
                new ChangedRecords(ChangedRecords.Kind.ORDERS, connection.id(), settings, scapi, clock)));
        if (settings.customerListId().isPresent()) {
            pollers.add(poller(connection, settings, context, ChangedRecords.CUSTOMERS,
                    new ChangedRecords(ChangedRecords.Kind.CUSTOMERS, connection.id(), settings, scapi, clock)));
        }
        return pollers;
    }

    private Poller poller(Connection connection, SfccSettings settings, ConnectorContext context, String stream, Poller.Source source) {
        Duration first = settings.pollInterval().compareTo(Duration.ofSeconds(5)) < 0 ? settings.pollInterval() : Duration.ofSeconds(5);
        Poller poller = new Poller(connection.id(), stream, source, context, clock, first, Duration.ofMinutes(5), settings.pausedRetry());
        pollerNames.put(poller, stream);
        return poller;
    }

    OciInventorySync inventory(Connection connection, ConnectorContext context) {
        SfccSettings settings = SfccSettings.of(connection);
        return new OciInventorySync(connection.id(), settings, context, oci(connection, settings, context), clock);
    }

    /** Each mapped hub location's own stock to its OCI location; shares the connection's OCI pace. */
    OciInventorySync positions(Connection connection, ConnectorContext context) {
        SfccSettings settings = SfccSettings.of(connection);
        return new OciInventorySync(connection.id(), settings, context, oci(connection, settings, context), clock,
                OciInventorySync.POSITIONS);
    }

    private final Map<String, SfccApi> ociClients = new ConcurrentHashMap<>();

    /** One OCI client per connection: both senders share its pace and its load signal. */
    private SfccApi oci(Connection connection, SfccSettings settings, ConnectorContext context) {
        return ociClients.computeIfAbsent(connection.id(),
                id -> api(connection, settings, context, "oci", settings.inventoryRequestsPerSecond()));
    }

    /** One API family's client: its own pace, load signal and circuit breaker; the connection's one token. */
    private SfccApi api(Connection connection, SfccSettings settings, ConnectorContext context, String family, int perSecond) {
        // SCAPI: bursts of a second's calls; OCI: batches evenly spaced (a bucket of one)
        LoadPacer pacer = new LoadPacer(perSecond, family.equals("oci") ? 1 : perSecond);
        ApiClient client = new ApiClient(connection.id(), family.equals("oci") ? "SFCC Omnichannel Inventory" : "SFCC",
                pacer.listening(http), breakers.forConnection(connection.id() + "/" + family), context.metrics(), pacer.limiter(),
                Set.of(401, 403), clock);
        return new SfccApi(client, tokens(connection, settings), pacer, settings.clientId());
    }

    ClientCredentials tokens(Connection connection, SfccSettings settings) {
        return tokens.computeIfAbsent(connection.id(), id -> new ClientCredentials(http, URI.create(settings.tokenUrl()),
                settings.clientId(), connection.requireSecret("clientSecret"), settings.scope(),
                ClientCredentials.Authentication.BASIC, clock, Duration.ofSeconds(30)));
    }

    /**
     * A fresh Account Manager token, then one order search of one order with it: proves the client,
     * its secret, its roles on the tenant and the site. Read-only.
     */
    @Override
    public CheckResult check(Connection connection) {
        SfccSettings settings = SfccSettings.of(connection);
        ClientCredentials probe = new ClientCredentials(http, URI.create(settings.tokenUrl()), settings.clientId(),
                connection.requireSecret("clientSecret"), settings.scope(), ClientCredentials.Authentication.BASIC, clock,
                Duration.ofSeconds(15));
        try {
            String token = probe.accessToken();
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(settings.api("checkout", "orders")
                    + "/orders?siteId=" + ReadyOrders.enc(settings.siteId()) + "&limit=1")).timeout(Duration.ofSeconds(15))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                return CheckResult.failed("Account Manager issued a token, but the order search of site " + settings.siteId()
                        + " answered HTTP " + answer.statusCode() + ": " + ApiClient.abbreviate(answer.body()));
            }
            return CheckResult.ok("Account Manager issued a token for client " + settings.clientId() + "; orders of site "
                    + settings.siteId() + " readable");
        } catch (CredentialsRefused e) {
            return CheckResult.failed(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CheckResult.failed("interrupted");
        } catch (IOException e) {
            return CheckResult.failed("SFCC unreachable: " + e.getMessage());
        }
    }

    @Override
    public List<CanonicalEvent> mapInbound(InboundDelivery delivery, Connection connection, ConnectorContext context) {
        SfccSettings settings = SfccSettings.of(connection);
        JsonNode body;
        try {
            body = SfccApi.EXACT.readTree(delivery.body());
        } catch (IOException e) {
            throw new MappingException("SFCC delivery is not JSON: " + e.getMessage());
        }
        URI source = URI.create("/connectors/" + NAME + "/" + connection.id());
        String id = NAME + ":" + connection.id() + ":" + delivery.dedupeKey();
        switch (delivery.messageType()) {
            case ReadyOrders.MESSAGE, ChangedRecords.ORDER_UPDATE -> {
                var order = SfccMapper.order(body, settings, connection.id());
                EventType type = ReadyOrders.MESSAGE.equals(delivery.messageType()) ? EventType.ORDER_PLACED : EventType.ORDER_UPDATED;
                Instant time = order.updatedAt() != null ? order.updatedAt() : order.placedAt();
                return List.of(CanonicalEvent.of(id, type, source, CanonicalJson.toTree(order), time));
            }
            case ChangedRecords.CUSTOMER -> {
                var account = SfccMapper.customer(body, settings);
                Instant time = account.updatedAt() != null ? account.updatedAt() : delivery.receivedAt();
                return List.of(CanonicalEvent.of(id, EventType.CUSTOMER_UPSERTED, source, CanonicalJson.toTree(account), time));
            }
            default -> throw new MappingException("sfcc cannot map message type " + delivery.messageType());
        }
    }

    /** {@code storeLocations}: each SFCC store's hub location; {@code ociLocations}' hub locations (checked at start-up). */
    @Override
    public Map<String, String> locationReferences(Connection connection) {
        Map<String, String> references = new TreeMap<>();
        SfccSettings settings = SfccSettings.of(connection);
        settings.storeLocations().forEach((store, hubLocation) ->
                references.put(SfccSettings.STORE_LOCATIONS + "." + store, hubLocation));
        // the hub locations whose stock this connection writes (outbound:by-location routes positions by them)
        settings.ociLocations().keySet().forEach(hubLocation ->
                references.put(SfccSettings.OCI_LOCATIONS + "." + hubLocation, hubLocation));
        return references;
    }
}
