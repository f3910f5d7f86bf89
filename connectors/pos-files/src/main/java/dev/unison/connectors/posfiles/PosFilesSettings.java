package dev.unison.connectors.posfiles;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.config.Secret;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@code pos-files} connection's settings, read once from the connection (descriptor
 * {@code connectors/pos-files.yaml}: types, defaults and the rules tying them together are there).
 * SFTP settings are flat ({@code sftpHost}, {@code sftpPassword}, ...) because the kit keeps secrets
 * per top-level setting.
 */
record PosFilesSettings(String connectionId, Format format, Source source, Optional<Path> folder, String include,
        Duration pollDelay, Duration readLockMinAge, Optional<Sftp> sftp, int pageSize, PosFileOptions.FractionalQuantity fractionalQuantity,
        Optional<ZoneId> localTimeZone, boolean requireTrailer, PosLogPaths posLogPaths) {

    enum Format {
        CSV("csv", ".*\\.csv(\\.gz)?"), POSLOG("poslog", ".*\\.xml(\\.gz)?");

        final String wireName;
        final String defaultInclude;

        Format(String wireName, String defaultInclude) {
            this.wireName = wireName;
            this.defaultInclude = defaultInclude;
        }
    }

    enum Source { FOLDER, SFTP }

    /** The SFTP server: credentials are secrets (never in a URI or a log), the host key pinned unless told otherwise. */
    record Sftp(String host, int port, String username, Optional<Secret> password, Optional<Secret> privateKey,
            Optional<Secret> privateKeyPassphrase, String directory, Optional<String> hostKey, boolean strictHostKeyChecking,
            int reconnectAttempts, Duration reconnectDelay) {

        /**
         * The OpenSSH known_hosts line of the pinned host key: {@code [host]:port key} (the bracketed
         * form for a port other than 22, as OpenSSH writes it).
         */
        Optional<String> knownHostsLine() {
            return hostKey.map(key -> (port == 22 ? host : "[" + host + "]:" + port) + " " + key);
        }
    }

    static PosFilesSettings of(Connection connection) {
        Format format = Format.valueOf(connection.setting("format").toUpperCase(java.util.Locale.ROOT));
        Source source = Source.valueOf(connection.setting("source").toUpperCase(java.util.Locale.ROOT));
        Optional<Path> folder = Optional.ofNullable(connection.setting("folder")).map(f -> Path.of(f).toAbsolutePath());
        String include = Optional.ofNullable(connection.setting("include")).orElse(format.defaultInclude);
        java.util.regex.Pattern.compile(include); // a broken expression fails at start, with the connection's name
        Optional<Sftp> sftp = source != Source.SFTP ? Optional.empty() : Optional.of(new Sftp(connection.setting("sftpHost"),
                (int) connection.integer("sftpPort"), connection.setting("sftpUsername"), connection.secret("sftpPassword"),
                connection.secret("sftpPrivateKey"), connection.secret("sftpPrivateKeyPassphrase"), connection.setting("sftpDirectory"),
                Optional.ofNullable(connection.setting("sftpHostKey")), connection.bool("sftpStrictHostKeyChecking"),
                (int) connection.integer("sftpReconnectAttempts"), connection.duration("sftpReconnectDelay")));
        PosFileOptions.FractionalQuantity fractional = "one-unit-at-extended-amount".equals(connection.setting("fractionalQuantity"))
                ? PosFileOptions.FractionalQuantity.ONE_UNIT_AT_EXTENDED_AMOUNT : PosFileOptions.FractionalQuantity.REJECT;
        Optional<ZoneId> zone = Optional.ofNullable(connection.setting("localTimeZone")).map(z -> {
            try {
                return ZoneId.of(z);
            } catch (java.time.DateTimeException e) {
                throw new IllegalArgumentException("connections." + connection.id() + ".localTimeZone: not a time zone: '" + z + "'");
            }
        });
        PosLogPaths paths = PosLogPaths.defaults();
        List<String> loyalty = list(connection, "posLogLoyaltyIdPaths");
        List<String> gtin = list(connection, "posLogGtinPaths");
        List<String> token = list(connection, "posLogPaymentTokenPaths");
        try {
            paths = new PosLogPaths(loyalty.isEmpty() ? paths.loyaltyId() : loyalty, gtin.isEmpty() ? paths.gtin() : gtin,
                    token.isEmpty() ? paths.paymentToken() : token);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("connections." + connection.id() + ": " + e.getMessage(), e);
        }
        return new PosFilesSettings(connection.id(), format, source, folder, include, connection.duration("pollDelay"),
                connection.duration("readLockMinAge"), sftp, (int) connection.integer("pageSize"), fractional, zone,
                connection.bool("requireTrailer"), paths);
    }

    private static List<String> list(Connection connection, String field) {
        JsonNode node = connection.settings().path(field);
        List<String> values = new ArrayList<>();
        node.forEach(v -> values.add(v.asText()));
        return values;
    }

    /** The reader options: stores are not checked here (the inventory domain, which owns locations, refuses an unknown one). */
    PosFileOptions options(Clock clock) {
        PosFileOptions options = PosFileOptions.defaults(store -> true).withClock(clock).withFractionalQuantity(fractionalQuantity)
                .withRequireTrailer(requireTrailer).withPosLog(posLogPaths);
        return localTimeZone.map(options::withLocalTimeZone).orElse(options);
    }
}
