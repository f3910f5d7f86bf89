package dev.unison.connectors.kit.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignaturesTest {

    // RFC 4231, test case 2
    private static final String KEY = "Jefe";
    private static final byte[] DATA = "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII);
    private static final String HEX = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

    @Test
    void matchesTheRfc4231Vector() {
        assertThat(Signatures.hmacSha256Hex(KEY, DATA)).isEqualTo(HEX);
        assertThat(Signatures.hmacSha256Base64(KEY, DATA)).isEqualTo("W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
    }

    @Test
    void verifiesGoodSignaturesInEitherEncoding() {
        assertThat(Signatures.verifyHex(KEY, DATA, HEX)).isTrue();
        assertThat(Signatures.verifyHex(KEY, DATA, HEX.toUpperCase())).isTrue();
        assertThat(Signatures.verifyBase64(KEY, DATA, Signatures.hmacSha256Base64(KEY, DATA))).isTrue();
    }

    @Test
    void rejectsTamperedBodiesWrongKeysAndGarbage() {
        byte[] tampered = "what do ya want for nothing!".getBytes(StandardCharsets.US_ASCII);
        String good = Signatures.hmacSha256Base64(KEY, DATA);

        assertThat(Signatures.verifyBase64(KEY, tampered, good)).isFalse();
        assertThat(Signatures.verifyBase64("other", DATA, good)).isFalse();
        assertThat(Signatures.verifyBase64(KEY, DATA, null)).isFalse();
        assertThat(Signatures.verifyBase64(KEY, DATA, "")).isFalse();
        assertThat(Signatures.verifyBase64(KEY, DATA, "%%%not-base64%%%")).isFalse();
        assertThat(Signatures.verifyHex(KEY, DATA, "zz")).isFalse();
        assertThat(Signatures.verifyHex(KEY, DATA, HEX.substring(2))).isFalse();
    }
}
