package dev.unison.platform.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.canonical.json.CanonicalJson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiSchemasTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private final ApiSchemas schemas = new ApiSchemas(Clock.fixed(NOW, ZoneOffset.UTC),
            Map.of("reservation-max-hold", Duration.ofDays(7)));

    private List<String> reservation(String quantity, String expiresAt) {
        return schemas.validateRequest("post-reservation", CanonicalJson.parse("{\"reservationId\": \"r1\", \"sku\": \"S\", "
                + "\"locationId\": \"L\", \"quantity\": " + quantity + ", \"expiresAt\": \"" + expiresAt + "\"}"));
    }

    @Test
    void aValidBodyPasses() {
        assertThat(reservation("2", "2026-11-27T10:00:00Z")).isEmpty();
    }

    @Test
    void numbersBeyondLongAreOutOfRangeNotWrapped() {
        assertThat(reservation("18446744073709551617", "2026-11-27T10:00:00Z"))
                .singleElement().asString().startsWith("/quantity: ");
        assertThat(reservation("1e30", "2026-11-27T10:00:00Z")).singleElement().asString().startsWith("/quantity: ");
        assertThat(schemas.validateRequest("post-inventory-adjustment", CanonicalJson.parse("""
                {"adjustmentId": "a", "sku": "S", "locationId": "L", "quantity": 0, "kind": "count", "occurredAt": "x"}""")))
                .containsExactlyInAnyOrder("/quantity: must not be 0",
                        "/kind: does not have a value in the enumeration [\"receipt\", \"adjustment\", \"return\"]",
                        "/occurredAt: does not match the date-time pattern must be a valid RFC 3339 date-time");
    }

    @Test
    void instantWindowIsRelativeToTheClockAndNamedLimits() {
        assertThat(reservation("1", "2026-12-03T09:59:59Z")).isEmpty();
        assertThat(reservation("1", "2026-12-03T10:00:01Z")).singleElement().asString()
                .startsWith("/expiresAt: must not be more than PT168H from now");
        assertThat(reservation("1", "2026-11-26T09:00:00Z")).singleElement().asString()
                .startsWith("/expiresAt: must be in the future");
        assertThat(reservation("1", "9999-12-31T23:59:59Z")).singleElement().asString().startsWith("/expiresAt: ");
        assertThat(reservation("1", "+1000000000-01-01T00:00:00Z")).isNotEmpty().allMatch(v -> v.startsWith("/expiresAt: "));
        assertThat(reservation("1", "2026-11-27t10:00:00z")).isEmpty();
        assertThat(reservation("1", "2026-11-27T23:59:60Z")).as("a leap second java.time cannot hold").isNotEmpty()
                .allMatch(v -> v.startsWith("/expiresAt: "));
        assertThat(ApiSchemas.instant("2026-11-27 10:00:00Z")).isEqualTo(Instant.parse("2026-11-27T10:00:00Z"));
    }

    @Test
    void requiredAndUnknownFieldsPointAtTheField() {
        assertThat(schemas.validateRequest("post-inventory-count", CanonicalJson.parse(
                "{\"countId\": \"c\", \"asOf\": \"2026-11-26T09:00:00Z\", \"counts\": [{\"sku\": \"S\", \"quantity\": -1}], \"x\": 1}")))
                .containsExactlyInAnyOrder("/locationId: required", "/x: unknown field",
                        "/counts/0/quantity: " + schemas.validateRequest("post-inventory-count", CanonicalJson.parse(
                                "{\"countId\": \"c\", \"locationId\": \"L\", \"asOf\": \"2026-11-26T09:00:00Z\", "
                                        + "\"counts\": [{\"sku\": \"S\", \"quantity\": -1}]}")).get(0).substring("/counts/0/quantity: ".length()));
    }
}
