package dev.unison.connectors.amazonads;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.AdSpend;
import dev.unison.connectors.kit.auth.ClientCredentials;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import dev.unison.connectors.kit.http.ApiClient;
import dev.unison.connectors.kit.http.ConnectionCircuitBreakers;
import dev.unison.connectors.kit.http.FeedbackRateLimiter;
import dev.unison.connectors.kit.pull.Poller;
import dev.unison.connectors.kit.pull.ReportJob;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.Connector;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;

/**
 * Amazon Ads: daily Sponsored Products campaign reports in ({@link AmazonAdsReports}, driven by the
 * kit's {@link ReportJob} and {@link Poller}: the report being built survives restarts in the
 * stream's cursor), the hub's sales out to the Conversions API ({@link AmazonConversions}).
 * Tokens are Login with Amazon access tokens of the advertiser's refresh token.
 */
public final class AmazonAdsConnector implements Connector {

    public static final String NAME = "amazon-ads";
    static final String ROW = "campaign-day";
    static final String STREAM = "sp-campaigns";

    private final ConnectorDescriptor descriptor = ConnectorDescriptor.bundled(AmazonAdsConnector.class, NAME);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ConnectionCircuitBreakers breakers = ConnectionCircuitBreakers.defaults();
    private final Map<String, ClientCredentials> tokens = new ConcurrentHashMap<>();
    private final Clock clock;

    public AmazonAdsConnector() {
        this(Clock.systemUTC());
    }

    AmazonAdsConnector(Clock clock) {
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
            public void configure() {
                for (Connection connection : context.connectionsOf(NAME)) {
                    if (!connection.enabled()) {
                        continue;
                    }
                    AmazonAdsSettings settings = AmazonAdsSettings.of(connection);
                    Poller reports = reportPoller(connection, settings, context);
                    // the first look one interval after start: a restart never hammers the API
                    from("timer:amazon-ads-" + connection.id() + "-reports?period=" + settings.pollInterval().toMillis()
                            + "&delay=" + settings.pollInterval().toMillis())
                            .routeId("amazon-ads-" + connection.id() + "-reports")
                            .process(e -> reports.round());
                    if (settings.sendConversions()) {
                        int perSecond = settings.conversionsPerSecond();
                        ApiClient api = new ApiClient(connection.id(), "Amazon Conversions API", http,
                                breakers.forConnection(connection.id()), context.metrics(), FeedbackRateLimiter.of(perSecond, perSecond, 0),
                                Set.of(401, 403), clock);
                        AmazonConversions conversions = new AmazonConversions(connection, context, api, tokens(connection, settings));
                        from("bus:events?group=amazon-ads-" + connection.id() + "-conversions&types=" + EventType.ORDER_PLACED.typeName())
                                .routeId("amazon-ads-" + connection.id() + "-conversions-queue")
                                .process(e -> conversions.offer(e.getIn().getBody(CanonicalEvent.class)));
                        from("timer:amazon-ads-" + connection.id() + "-conversions?period=50&delay=100")
                                .routeId("amazon-ads-" + connection.id() + "-conversions-sender")
                                .process(e -> {
                                    while (conversions.tick() > 0) {
                                        // batch after batch, while the rate allows
                                    }
                                });
                    }
                }
            }
        };
    }

    private ClientCredentials tokens(Connection connection, AmazonAdsSettings settings) {
        return tokens.computeIfAbsent(connection.id(), id -> ClientCredentials.refreshTokenGrant(http, URI.create(settings.tokenUrl()),
                settings.clientId(), connection.requireSecret("clientSecret"), connection.requireSecret("refreshToken"), clock,
                Duration.ofSeconds(30)));
    }

    Poller reportPoller(Connection connection, AmazonAdsSettings settings, ConnectorContext context) {
        LocalDate firstDay = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(settings.backfillDays());
        AmazonAdsReports api = new AmazonAdsReports(http, tokens(connection, settings), settings, connection.id(), clock);
        // spCampaigns: at most 31 days per report ("Reporting v3: Campaign reports", maximum date range)
        ReportJob job = new ReportJob(connection.id(), NAME, ROW, api, firstDay, 31, CampaignDayRows::key,
                new ReportJob.Restatement(settings.restateDays(), settings.restateEvery()), clock)
                // spCampaigns data is kept 95 days ("Reporting v3: Campaign reports", data retention)
                .withRetention(95);
        Duration first = settings.pollInterval().compareTo(Duration.ofSeconds(5)) < 0 ? settings.pollInterval() : Duration.ofSeconds(5);
        return new Poller(connection.id(), STREAM, job, context, clock, first, Duration.ofMinutes(10), settings.pausedRetry());
    }

    /** A token from Login with Amazon: proves the client id, secret and refresh token; read-only. */
    @Override
    public CheckResult check(Connection connection) {
        AmazonAdsSettings settings = AmazonAdsSettings.of(connection);
        return ClientCredentials.refreshTokenGrant(http, URI.create(settings.tokenUrl()), settings.clientId(),
                connection.requireSecret("clientSecret"), connection.requireSecret("refreshToken"), clock, Duration.ofSeconds(15))
                .check("Login with Amazon issued a token for client " + settings.clientId() + " (profile " + settings.profileId() + ")");
    }

    @Override
    public List<CanonicalEvent> mapInbound(InboundDelivery delivery, Connection connection, ConnectorContext context) {
        if (!ROW.equals(delivery.messageType())) {
            throw new IllegalArgumentException("amazon-ads cannot map message type " + delivery.messageType());
        }
        AmazonAdsSettings settings = AmazonAdsSettings.of(connection);
        AdSpend spend = CampaignDayRows.spend(delivery.body(), settings.network(), settings.currency());
        String id = UUID.nameUUIDFromBytes((connection.id() + "/" + delivery.dedupeKey()).getBytes(StandardCharsets.UTF_8)).toString();
        return List.of(CanonicalEvent.of(id, EventType.AD_SPEND_REPORTED, URI.create("/connectors/" + NAME + "/" + connection.id()),
                dev.unison.canonical.json.CanonicalJson.toTree(spend), delivery.receivedAt()));
    }
}
