package dev.unison.connectors.posfiles;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.pos.PosFileReport;
import dev.unison.canonical.pos.RecordedPosTransaction;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.Connector;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.file.remote.SftpConfiguration;
import org.apache.camel.component.file.remote.SftpEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POS batch files (the hub's POS CSV, ARTS POSLog) from a drop folder (Camel's file component) or an
 * SFTP server (Camel's FTP component, {@code sftp:}), each file once, each transaction once
 * ({@link PosFileIntake}). Per connection one Camel consumer route: a file is read once it has
 * stopped changing ({@code readLock=changed}); an SFTP file is first downloaded whole to a local
 * work file ({@code localWorkDirectory}), so the parse never holds the connection and a transfer cut
 * short fails the exchange instead of feeding half a file. The route completes only after the file's
 * transactions are committed to the inbox; Camel then moves it to {@code .done/} (on the server for
 * SFTP), or to {@code .failed/} when the file as a whole cannot be read. Any other failure (the hub's
 * database, a dropped connection) leaves the file where it is, to be read again at the next poll: a
 * file is never moved or deleted before its transactions are stored.
 *
 * <p>{@link #mapInbound}: a transaction's delivery becomes {@code commerce.pos.transaction.recorded.v1},
 * a file's report {@code commerce.pos.file.processed.v1}; the inventory domain applies the first and
 * keeps the report (GET /api/v1/pos/files).
 */
public final class PosFilesConnector implements Connector {

    public static final String NAME = "pos-files";
    private static final Logger log = LoggerFactory.getLogger(PosFilesConnector.class);
    static final String TARGET = "unisonPosTarget";
    static final String REPORT = "unisonPosReport";

    private final ConnectorDescriptor descriptor = ConnectorDescriptor.bundled(PosFilesConnector.class, NAME);
    private final Clock clock;

    public PosFilesConnector() {
        this(Clock.systemUTC());
    }

    PosFilesConnector(Clock clock) {
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
                    PosFilesSettings settings = PosFilesSettings.of(connection);
                    PosFileIntake intake = intake(settings, context);
                    Endpoint from = settings.source() == PosFilesSettings.Source.FOLDER ? folder(settings) : sftp(settings, this);
                    from(from).routeId(NAME + "-" + connection.id())
                            .process(e -> take(e, intake, settings))
                            .log(LoggingLevel.INFO, NAME + " " + connection.id() + ": ${file:name}: ${header." + REPORT + "}");
                }
            }

            private Endpoint folder(PosFilesSettings settings) throws IOException {
                Path dir = settings.folder().orElseThrow();
                Files.createDirectories(dir);
                return getContext().getEndpoint("file:" + dir + "?" + common(settings));
            }
        };
    }

    /** Options of both sources: which files, when, and where they go once done (chosen per file in {@link #TARGET}). */
    private static String common(PosFilesSettings s) {
        return "include=" + URLEncoder.encode(s.include(), StandardCharsets.UTF_8) + "&readLock=changed&readLockMinAge="
                + s.readLockMinAge().toMillis() + "&readLockCheckInterval=" + Math.max(100, Math.min(1000, s.readLockMinAge().toMillis()))
                + "&delay=" + s.pollDelay().toMillis() + "&maxMessagesPerPoll=10"
                // where the file goes: .done/ or .failed/, stamped so a file of the same name sent again does not replace it;
                // an exception (database down, connection dropped) leaves the file in place: no moveFailed
                + "&move=${header." + TARGET + "}/${date:now:yyyyMMdd-HHmmssSSS}-${file:onlyname}";
    }

    /**
     * The SFTP consumer: credentials and the pinned host key are set on the endpoint's configuration,
     * never written into its URI (Camel logs URIs). Camel's FTP component (sftp, with JSch): the file is
     * downloaded to {@code localWorkDirectory} first; a connection lost mid-transfer fails that file's
     * exchange and the consumer reconnects ({@code maximumReconnectAttempts}, {@code reconnectDelay});
     * the file stays on the server and is downloaded again, whole, at the next poll.
     */
    private Endpoint sftp(PosFilesSettings settings, RouteBuilder builder) throws IOException {
        PosFilesSettings.Sftp sftp = settings.sftp().orElseThrow();
        Path work = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "unison-pos-files", settings.connectionId()));
        String uri = "sftp://" + sftp.host() + ":" + sftp.port() + "/" + (sftp.directory().equals(".") ? "" : sftp.directory())
                + "?" + common(settings) + "&localWorkDirectory=" + work + "&stepwise=false&disconnect=false"
                + "&useUserKnownHostsFile=false&autoCreateKnownHostsFile=false"
                + "&strictHostKeyChecking=" + (sftp.strictHostKeyChecking() ? "yes" : "no")
                + "&maximumReconnectAttempts=" + sftp.reconnectAttempts() + "&reconnectDelay=" + sftp.reconnectDelay().toMillis()
                + "&connectTimeout=10000&soTimeout=30000&timeout=30000&serverAliveInterval=10000&throwExceptionOnConnectFailed=false";
        SftpEndpoint endpoint = builder.getContext().getEndpoint(uri, SftpEndpoint.class);
        SftpConfiguration config = endpoint.getConfiguration();
        config.setUsername(sftp.username());
        sftp.password().ifPresent(p -> config.setPassword(p.reveal()));
        sftp.privateKey().ifPresent(k -> config.setPrivateKey(k.reveal().getBytes(StandardCharsets.UTF_8)));
        sftp.privateKeyPassphrase().ifPresent(p -> config.setPrivateKeyPassphrase(p.reveal()));
        sftp.knownHostsLine().ifPresent(line -> config.setKnownHosts((line + "\n").getBytes(StandardCharsets.UTF_8)));
        if (!sftp.strictHostKeyChecking()) {
            log.warn("{} {}: strict host key checking is off for {}: any server answering there gets the files' credentials",
                    NAME, settings.connectionId(), sftp.host());
        }
        return endpoint;
    }

    PosFileIntake intake(PosFilesSettings settings, ConnectorContext context) {
        PosFileOptions options = settings.options(clock);
        PosFileIntake.Reader reader = settings.format() == PosFilesSettings.Format.CSV ? new PosCsvReader(options)::read
                : new PosLogReader(options)::read;
        return new PosFileIntake(settings.connectionId(), NAME, settings.format(), context.inbox(), context.deadLetters(), reader,
                settings.pageSize(), clock);
    }

    private static void take(Exchange e, PosFileIntake intake, PosFilesSettings settings) throws IOException {
        // a folder's file is read where it is; an SFTP file from its local work copy (the whole download)
        String local = e.getIn().getHeader("CamelFileLocalWorkPath", String.class);
        Path file = Path.of(local != null ? local : e.getIn().getHeader(Exchange.FILE_PATH, String.class));
        String name = e.getIn().getHeader(Exchange.FILE_NAME, String.class);
        Long modified = e.getIn().getHeader(Exchange.FILE_LAST_MODIFIED, Long.class);
        PosFileIntake.Taken taken = intake.take(file, name, Instant.ofEpochMilli(modified == null ? 0 : modified));
        PosFileReport r = taken.report();
        e.getIn().setHeader(TARGET, taken.status() == PosFileIntake.Taken.Status.REJECTED ? ".failed" : ".done");
        e.getIn().setHeader(REPORT, switch (taken.status()) {
            case DUPLICATE -> "the same file (sha256 " + r.fileId() + ") was processed before: nothing applied";
            case REJECTED -> "rejected as a whole (nothing applied): " + r.fileRejection();
            case PROCESSED -> "sha256 " + r.fileId() + ", " + r.transactions() + " transactions: " + r.accepted() + " handed over ("
                    + taken.stored() + " new), " + r.rejected() + " rejected, " + r.skipped() + " skipped";
        });
        if (taken.status() == PosFileIntake.Taken.Status.REJECTED) {
            log.warn("{} {}: {} rejected as a whole, moved to .failed: {}", NAME, settings.connectionId(), name, r.fileRejection());
        }
    }

    /**
     * Folder: it exists (or can be made) and can be read and written. SFTP: the server answers on its
     * port with an SSH identification string (RFC 4253 section 4.2); credentials and the host key are
     * proven by the first poll, whose failures the route logs.
     */
    @Override
    public CheckResult check(Connection connection) {
        PosFilesSettings settings = PosFilesSettings.of(connection);
        if (settings.source() == PosFilesSettings.Source.FOLDER) {
            Path dir = settings.folder().orElseThrow();
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
        PosFilesSettings.Sftp sftp = settings.sftp().orElseThrow();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(sftp.host(), sftp.port()), 5000);
            socket.setSoTimeout(5000);
            String banner = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            if (banner == null || !banner.startsWith("SSH-2.0-")) {
                return CheckResult.failed(sftp.host() + ":" + sftp.port() + " does not answer as an SSH server");
            }
            return CheckResult.ok("SFTP server " + sftp.host() + ":" + sftp.port() + " answers (" + banner.trim() + ")");
        } catch (IOException e) {
            return CheckResult.failed("SFTP server " + sftp.host() + ":" + sftp.port() + " cannot be reached: " + e.getMessage());
        }
    }

    @Override
    public List<CanonicalEvent> mapInbound(InboundDelivery delivery, Connection connection, ConnectorContext context) {
        String id = UUID.nameUUIDFromBytes((connection.id() + "/" + delivery.dedupeKey()).getBytes(StandardCharsets.UTF_8)).toString();
        URI source = URI.create("/connectors/" + NAME + "/" + connection.id());
        String body = new String(delivery.body(), StandardCharsets.UTF_8);
        return switch (delivery.messageType()) {
            case PosFileIntake.TRANSACTION -> {
                java.util.Map<String, String> h = delivery.headers();
                RecordedPosTransaction recorded = new RecordedPosTransaction(CanonicalJson.parse(body), new RecordedPosTransaction.FileRef(
                        connection.id(), h.get(PosFileIntake.H_SHA256), h.get(PosFileIntake.H_FILE),
                        Long.parseLong(h.get(PosFileIntake.H_ORDINAL)), h.get(PosFileIntake.H_POSITION)));
                yield List.of(CanonicalEvent.of(id, EventType.POS_TRANSACTION_RECORDED, source, CanonicalJson.toTree(recorded),
                        delivery.receivedAt()));
            }
            case PosFileIntake.FILE -> List.of(CanonicalEvent.of(id, EventType.POS_FILE_PROCESSED, source, CanonicalJson.parse(body),
                    delivery.receivedAt()));
            default -> throw new IllegalArgumentException(NAME + " cannot map message type " + delivery.messageType());
        };
    }
}
