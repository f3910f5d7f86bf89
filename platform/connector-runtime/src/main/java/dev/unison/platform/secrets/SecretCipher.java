package dev.unison.platform.secrets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for secrets the hub stores (JDK {@code javax.crypto}; NIST SP 800-38D): a fresh
 * random 96-bit IV per value, a 128-bit tag, and associated data that binds the ciphertext to
 * where it is stored (connection id and key), so a row copied onto another connection or key does
 * not decrypt. The stored form is {@code v1:} + base64(IV || ciphertext || tag).
 */
public final class SecretCipher {

    public static final int KEY_BYTES = 32;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String PREFIX = "v1:";

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    public SecretCipher(byte[] key) {
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException("the encryption key must be " + KEY_BYTES + " bytes (256 bits), got "
                    + (key == null ? 0 : key.length));
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
    }

    /** Reads a base64 key (standard or URL alphabet) of exactly 32 bytes. */
    public static SecretCipher fromBase64(String base64) {
        byte[] bytes;
        try {
            String trimmed = base64.strip();
            bytes = trimmed.contains("-") || trimmed.contains("_") ? Base64.getUrlDecoder().decode(trimmed)
                    : Base64.getDecoder().decode(trimmed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the encryption key is not base64: " + e.getMessage());
        }
        return new SecretCipher(bytes);
    }

    /** A new random 256-bit key, base64. */
    public static String newKeyBase64() {
        byte[] bytes = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    public String encrypt(String plaintext, String associatedData) {
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv)
                    .put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    /**
     * @throws SecretRefusedException when the value was changed, was sealed with another key or
     *         for another place (the tag does not verify), or is not in the stored form at all
     */
    public String decrypt(String stored, String associatedData) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            throw new SecretRefusedException("not an encrypted value of this hub (expected " + PREFIX + "...)");
        }
        byte[] all;
        try {
            all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new SecretRefusedException("the encrypted value is not base64");
        }
        if (all.length < IV_BYTES + TAG_BITS / 8) {
            throw new SecretRefusedException("the encrypted value is too short");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, IV_BYTES));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new SecretRefusedException("the encrypted value does not verify: altered, sealed with another key, "
                    + "or stored for another connection");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    /** A stored secret that could not be opened; the message never contains the value. */
    public static final class SecretRefusedException extends RuntimeException {
        public SecretRefusedException(String message) {
            super(message);
        }
    }
}
