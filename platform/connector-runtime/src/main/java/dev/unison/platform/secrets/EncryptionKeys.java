package dev.unison.platform.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the key of {@link SecretCipher} comes from: the setting {@code unison.secrets.encryption-key}
 * (base64, 32 bytes), or — only when the setting is empty and the production profile is not active —
 * a key file generated once under the data directory ({@code secrets/encryption.key}, owner-only
 * permissions). The file keeps the embedded default self-contained; it protects a copied database
 * or backup that does not include the key file, not a data directory read as a whole.
 */
public final class EncryptionKeys {

    private static final Logger log = LoggerFactory.getLogger(EncryptionKeys.class);
    public static final String SETTING = "unison.secrets.encryption-key";

    private EncryptionKeys() {
    }

    public static SecretCipher resolve(String configured, boolean production, Path dataDir) {
        if (configured != null && !configured.isBlank()) {
            try {
                return SecretCipher.fromBase64(configured);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(SETTING + ": " + e.getMessage()
                        + " (generate one with: openssl rand -base64 32)");
            }
        }
        if (production) {
            throw new IllegalStateException(SETTING + " is required in the production profile (base64 of 32 random "
                    + "bytes, e.g. openssl rand -base64 32): it encrypts connection tokens stored in the database");
        }
        return SecretCipher.fromBase64(keyFile(dataDir.resolve("secrets").resolve("encryption.key")));
    }

    /** Reads the key file, creating it (and its directory) owner-only on first use. */
    static String keyFile(Path file) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            Path dir = file.getParent();
            Files.createDirectories(dir);
            restrict(dir, PosixFilePermissions.fromString("rwx------"));
            String key = SecretCipher.newKeyBase64();
            Path temp = Files.createTempFile(dir, "encryption", ".tmp");
            restrict(temp, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(temp, key + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.SYNC);
            try {
                // create-once: a second hub starting on the same directory keeps the first key
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException other) {
                key = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (UnsupportedOperationException | IOException noLinks) {
                Files.move(temp, file);
                temp = null;
            } finally {
                if (temp != null) {
                    Files.deleteIfExists(temp);
                }
            }
            log.info("Generated an encryption key for stored connection tokens at {} (owner-only). Keep it with "
                    + "the data directory and out of backups of the database, or set {} instead.", file, SETTING);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the encryption key file " + file, e);
        }
    }

    private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, permissions);
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the file inherits the directory's ACL
        }
    }
}
