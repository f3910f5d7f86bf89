package dev.unison.platform.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The authenticated-key cache: no database read for a known key, revocation honoured on this instance at once. */
class PartnersCacheTest {

    private JdbcTemplate jdbc;

    @BeforeEach
    void database() {
        jdbc = new JdbcTemplate(new DriverManagerDataSource("jdbc:h2:mem:partners-" + System.nanoTime() + ";MODE=PostgreSQL;DB_CLOSE_DELAY=-1"));
        jdbc.execute("CREATE TABLE partner (id VARCHAR(64) PRIMARY KEY, name VARCHAR(128) NOT NULL UNIQUE, "
                + "scopes VARCHAR(2000) NOT NULL, created_at TIMESTAMP WITH TIME ZONE NOT NULL)");
        jdbc.execute("CREATE TABLE api_key (key_id VARCHAR(64) PRIMARY KEY, partner_id VARCHAR(64) NOT NULL REFERENCES partner (id), "
                + "key_hash CHAR(64) NOT NULL UNIQUE, created_at TIMESTAMP WITH TIME ZONE NOT NULL, revoked_at TIMESTAMP WITH TIME ZONE)");
    }

    /** The cache's clock, moved by the test. */
    private final AtomicLong nanos = new AtomicLong();

    private Partners partners(Duration ttl) {
        return new Partners(jdbc, Clock.systemUTC(), name -> false, ScopeCatalog.platformOnly(), ttl, nanos::get);
    }

    @Test
    void aKnownKeyIsAnsweredFromMemoryUntilItsTtl() {
        Partners partners = partners(Duration.ofMillis(300));
        Partners.IssuedPartner issued = partners.create("acme", List.of("events:write"));
        String key = issued.key().apiKey();
        assertThat(partners.authenticate(key)).get().extracting(Partners.Principal::name).isEqualTo("acme");

        // another instance revokes the key: this one keeps answering from memory, but only for the TTL
        jdbc.update("UPDATE api_key SET revoked_at = CURRENT_TIMESTAMP");
        nanos.addAndGet(Duration.ofMillis(299).toNanos());
        assertThat(partners.authenticate(key)).as("within the TTL").isPresent();
        nanos.addAndGet(Duration.ofMillis(2).toNanos());
        assertThat(partners.authenticate(key)).as("after the TTL").isEmpty();
    }

    @Test
    void revokingOrChangingScopesHereTakesEffectAtOnce() {
        Partners partners = partners(Duration.ofMinutes(5));
        Partners.IssuedPartner issued = partners.create("acme", List.of("events:write"));
        String key = issued.key().apiKey();
        assertThat(partners.authenticate(key).orElseThrow().scopes()).containsExactly("events:write");

        partners.updateScopes(issued.partner().id(), List.of("events:read"));
        assertThat(partners.authenticate(key).orElseThrow().scopes()).containsExactly("events:read");

        partners.revokeKey(issued.partner().id(), issued.key().keyId());
        assertThat(partners.authenticate(key)).isEmpty();
    }

    @Test
    void anUnknownKeyIsNotRememberedSoAKeyIssuedLaterWorks() {
        Partners partners = partners(Duration.ofMinutes(5));
        Partners.IssuedPartner issued = partners.create("acme", List.of("events:write"));
        assertThat(partners.authenticate("unison_not-a-key")).isEmpty();
        // the same secret stored afterwards (as ensureBootstrap does for a configured key) is found
        partners.ensureBootstrap("unison_not-a-key");
        assertThat(partners.authenticate("unison_not-a-key")).get().extracting(Partners.Principal::name)
                .isEqualTo(Partners.BOOTSTRAP);
        assertThat(issued.partner().name()).isEqualTo("acme");
    }

    @Test
    void aZeroTtlReadsTheDatabaseEveryTime() {
        Partners partners = partners(Duration.ZERO);
        Partners.IssuedPartner issued = partners.create("acme", List.of("events:write"));
        String key = issued.key().apiKey();
        assertThat(partners.authenticate(key)).isPresent();
        jdbc.update("UPDATE api_key SET revoked_at = CURRENT_TIMESTAMP");
        assertThat(partners.authenticate(key)).isEmpty();
    }
}
