package dev.unison.platform.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretCipherTest {

    private final SecretCipher cipher = SecretCipher.fromBase64(SecretCipher.newKeyBase64());
    private static final String PLACE = "connection_credential/tiktok-demo/accessToken";

    @Test
    void roundTripsAndNeverStoresThePlaintext() {
        String sealed = cipher.encrypt("TTP_secret_token", PLACE);
        assertThat(sealed).startsWith("v1:").doesNotContain("TTP_secret_token");
        assertThat(cipher.decrypt(sealed, PLACE)).isEqualTo("TTP_secret_token");
    }

    @Test
    void everyValueGetsAFreshRandomIv() {
        String a = cipher.encrypt("same", PLACE);
        String b = cipher.encrypt("same", PLACE);
        assertThat(a).isNotEqualTo(b);
        byte[] ivA = java.util.Arrays.copyOf(Base64.getDecoder().decode(a.substring(3)), 12);
        byte[] ivB = java.util.Arrays.copyOf(Base64.getDecoder().decode(b.substring(3)), 12);
        assertThat(ivA).isNotEqualTo(ivB);
    }

    @Test
    void aTamperedValueIsRefused() {
        byte[] bytes = Base64.getDecoder().decode(cipher.encrypt("TTP_secret_token", PLACE).substring(3));
        for (int i : new int[] {0, 12, bytes.length - 1}) { // IV, ciphertext, tag
            byte[] changed = bytes.clone();
            changed[i] ^= 0x01;
            String tampered = "v1:" + Base64.getEncoder().encodeToString(changed);
            assertThatThrownBy(() -> cipher.decrypt(tampered, PLACE)).isInstanceOf(SecretCipher.SecretRefusedException.class)
                    .hasMessageContaining("does not verify").hasMessageNotContaining("TTP_secret_token");
        }
        assertThatThrownBy(() -> cipher.decrypt("v1:AAAA", PLACE)).isInstanceOf(SecretCipher.SecretRefusedException.class);
        assertThatThrownBy(() -> cipher.decrypt("TTP_plain", PLACE)).isInstanceOf(SecretCipher.SecretRefusedException.class);
    }

    @Test
    void anotherKeyIsRefused() {
        String sealed = cipher.encrypt("TTP_secret_token", PLACE);
        SecretCipher other = SecretCipher.fromBase64(SecretCipher.newKeyBase64());
        assertThatThrownBy(() -> other.decrypt(sealed, PLACE)).isInstanceOf(SecretCipher.SecretRefusedException.class);
    }

    @Test
    void aValueMovedToAnotherConnectionOrKeyIsRefused() {
        String sealed = cipher.encrypt("TTP_secret_token", PLACE);
        assertThatThrownBy(() -> cipher.decrypt(sealed, "connection_credential/other-shop/accessToken"))
                .isInstanceOf(SecretCipher.SecretRefusedException.class);
        assertThatThrownBy(() -> cipher.decrypt(sealed, "connection_credential/tiktok-demo/refreshToken"))
                .isInstanceOf(SecretCipher.SecretRefusedException.class);
    }

    @Test
    void keysMustBe256Bits() {
        assertThatThrownBy(() -> SecretCipher.fromBase64(Base64.getEncoder().encodeToString(new byte[16])))
                .hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> SecretCipher.fromBase64("not base64 !")).hasMessageContaining("not base64");
    }

    @Test
    void productionRequiresTheSetting(@TempDir Path dir) {
        assertThatThrownBy(() -> EncryptionKeys.resolve("", true, dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(EncryptionKeys.SETTING).hasMessageContaining("production");
        assertThatThrownBy(() -> EncryptionKeys.resolve("c2hvcnQ=", false, dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(EncryptionKeys.SETTING);
        String key = SecretCipher.newKeyBase64();
        String sealed = SecretCipher.fromBase64(key).encrypt("x", PLACE);
        assertThat(EncryptionKeys.resolve(key, true, dir).decrypt(sealed, PLACE)).isEqualTo("x");
        assertThat(dir.resolve("secrets")).doesNotExist();
    }

    @Test
    void theEmbeddedDefaultGeneratesAnOwnerOnlyKeyFileOnce(@TempDir Path dir) throws Exception {
        SecretCipher first = EncryptionKeys.resolve(null, false, dir);
        Path file = dir.resolve("secrets").resolve("encryption.key");
        assertThat(file).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        String sealed = first.encrypt("TTP_secret_token", PLACE);
        assertThat(EncryptionKeys.resolve(null, false, dir).decrypt(sealed, PLACE)).as("the same key after a restart")
                .isEqualTo("TTP_secret_token");
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }
}
