package dev.unison.attribution;

import dev.unison.canonical.json.CanonicalJson;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;

/**
 * The drop folders ({@code unison.attribution.feeds}): an ad server's exposure log or a network's
 * export copied (or SFTP'd) into a folder is read by Camel's file component once it has stopped
 * changing ({@code readLock=changed}), streamed through {@link AdFileIntake}, and moved to
 * {@code .done/} with its report beside it, or to {@code .failed/} when it could not be read at all
 * (its reason in the report and the log). A row is published once however often its file is read
 * (the outbox ids), so a file dropped twice, or read by two instances sharing the folder, only
 * reports duplicates.
 */
public class AdFileFeedRoutes extends RouteBuilder {

    private final AdFileIntake intake;
    private final Map<String, AttributionProperties.Feed> feeds;

    public AdFileFeedRoutes(AdFileIntake intake, Map<String, AttributionProperties.Feed> feeds) {
        this.intake = intake;
        this.feeds = feeds;
    }

    @Override
    public void configure() {
        feeds.forEach((name, feed) -> {
            AdFileParser.Kind kind = AdFileParser.Kind.fromWireName(feed.kind());
            Path dir = feed.directory().toAbsolutePath();
            fromF("file:%s?include=.*\\.(csv|jsonl|ndjson)(\\.gz)?&readLock=changed&readLockMinAge=1s"
                    + "&move=.done/${file:name}&moveFailed=.failed/${file:name}&delay=2000", dir)
                    .routeId("attribution-feed-" + name)
                    .onException(AdFileParser.UnreadableFileException.class)
                        .process(e -> writeReport(e, Map.of("kind", kind.name().toLowerCase(Locale.ROOT), "unreadable",
                                e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class).getMessage()), ".failed"))
                        .log(LoggingLevel.WARN, "attribution feed " + name + ": ${file:name} unreadable, moved to .failed: "
                                + "${exception.message}")
                    .end()
                    .process(e -> {
                        String file = e.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class);
                        String bare = file.endsWith(".gz") ? file.substring(0, file.length() - 3) : file;
                        AdFileParser.Format format = bare.endsWith(".csv") ? AdFileParser.Format.CSV : AdFileParser.Format.JSON_LINES;
                        AdFileIntake.Report report;
                        try (InputStream in = e.getIn().getBody(InputStream.class)) {
                            report = intake.ingest(AdFileIntake.Sender.feed(name), kind, format, in);
                        }
                        writeReport(e, AttributionApiRoutes.fileReport(report), ".done");
                        e.getIn().setHeader("unison.report", "lines " + report.lines() + ", accepted " + report.accepted()
                                + ", duplicates " + report.duplicates() + ", rejected " + report.rejected());
                        e.getIn().setHeader("unison.rejected", report.rejected());
                    })
                    .choice()
                        .when(header("unison.rejected").isGreaterThan(0))
                            .log(LoggingLevel.WARN, "attribution feed " + name + ": ${file:name}: ${header.unison.report} "
                                    + "(the rejected rows, by line, in .done/${file:name}.report.json)")
                        .otherwise()
                            .log("attribution feed " + name + ": ${file:name}: ${header.unison.report}");
        });
    }

    /** Writes {@code <file>.report.json} into the folder the file is moved to. */
    private static void writeReport(Exchange e, Map<String, Object> report, String folder) throws java.io.IOException {
        Path parent = Path.of(e.getIn().getHeader(Exchange.FILE_PARENT, String.class)).resolve(folder);
        Files.createDirectories(parent);
        Files.writeString(parent.resolve(e.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class) + ".report.json"),
                CanonicalJson.write(report), StandardCharsets.UTF_8);
    }
}
