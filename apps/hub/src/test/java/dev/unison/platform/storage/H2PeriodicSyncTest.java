package dev.unison.platform.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.datasource.DelegatingDataSource;

class H2PeriodicSyncTest {

    @TempDir
    Path dir;

    @Test
    void appliesToH2DatabasesKeptInFilesOnly() {
        assertThat(H2PeriodicSync.appliesTo("jdbc:h2:file:./data/db/unison;MODE=PostgreSQL;WRITE_DELAY=0")).isTrue();
        assertThat(H2PeriodicSync.appliesTo("jdbc:h2:./data/db/unison")).isTrue();
        assertThat(H2PeriodicSync.appliesTo("jdbc:h2:tcp://db-host/~/unison")).isTrue();
        assertThat(H2PeriodicSync.appliesTo("jdbc:h2:mem:test;DB_CLOSE_DELAY=-1")).isFalse();
        assertThat(H2PeriodicSync.appliesTo("jdbc:h2:tcp://db-host/mem:unison")).isFalse();
        assertThat(H2PeriodicSync.appliesTo("jdbc:postgresql://localhost:5432/unison")).isFalse();
        assertThat(H2PeriodicSync.appliesTo(null)).isFalse();
    }

    @Test
    void syncsTheFileAgainAndAgainWhileRunning() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        H2PeriodicSync sync = new H2PeriodicSync(fileDatabase(), Duration.ofMillis(20), meters);
        sync.start();
        try {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> meters.get("unison.h2.sync").timer().count() >= 3);
        } finally {
            sync.stop();
        }
        long afterStop = meters.get("unison.h2.sync").timer().count();
        // stopped: no round may follow (five intervals)
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1))
                .until(() -> meters.get("unison.h2.sync").timer().count() == afterStop);
    }

    @Test
    void aFailedSyncIsRetriedAndTheWorkerKeepsGoing() {
        JdbcDataSource database = fileDatabase();
        AtomicInteger refusals = new AtomicInteger(2);
        DataSource flaky = new DelegatingDataSource(database) {
            @Override
            public Connection getConnection() throws SQLException {
                if (refusals.getAndDecrement() > 0) {
                    throw new SQLTransientConnectionException("pool exhausted");
                }
                return super.getConnection();
            }
        };
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        H2PeriodicSync sync = new H2PeriodicSync(flaky, Duration.ofMillis(20), meters);
        sync.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> meters.get("unison.h2.sync").timer().count() >= 1);
        } finally {
            sync.stop();
        }
        assertThat(refusals.get()).isNegative();
    }

    @Test
    void anIntervalThatIsNotPositiveIsRefusedNamingTheKey() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        for (Duration interval : new Duration[] {Duration.ZERO, Duration.ofSeconds(-1), null}) {
            assertThatThrownBy(() -> new H2PeriodicSync(fileDatabase(), interval, meters))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unison.storage.h2-sync-interval");
        }
    }

    private JdbcDataSource fileDatabase() {
        JdbcDataSource database = new JdbcDataSource();
        database.setURL("jdbc:h2:file:" + dir.resolve("db") + ";WRITE_DELAY=0");
        database.setUser("sa");
        return database;
    }
}
