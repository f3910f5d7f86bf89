package dev.unison.carts;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code unison.carts.*} (docs/configuration.md "Carts").
 *
 * @param abandonAfter an open cart untouched this long is abandoned and its held stock released
 *        (default 48 hours; a cart may name an earlier {@code expiresAt})
 * @param qrTtl how long a QR token shown by the app finds its cart (default 10 minutes)
 */
@ConfigurationProperties(prefix = "unison.carts")
public record CartsProperties(Duration abandonAfter, Duration qrTtl) {

    public CartsProperties {
        abandonAfter = abandonAfter == null ? Duration.ofHours(48) : abandonAfter;
        qrTtl = qrTtl == null ? Duration.ofMinutes(10) : qrTtl;
        if (abandonAfter.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("unison.carts.abandon-after must be at least 1 minute, got " + abandonAfter);
        }
        if (qrTtl.compareTo(Duration.ofSeconds(10)) < 0 || qrTtl.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("unison.carts.qr-ttl must be 10 s to 1 day, got " + qrTtl);
        }
    }
}
