package dev.unison.platform.storage;

import com.zaxxer.hikari.HikariDataSource;
import dev.unison.hub.support.TestDatabases;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on H2 in file mode, as the embedded default runs it. */
class H2StorageIT extends AbstractStorageContractIT {

    @TempDir
    Path dataDir;

    @Override
    protected HikariDataSource newDatabase() {
        return TestDatabases.h2(dataDir);
    }

    @Override
    protected HikariDataSource anotherDatabase() {
        return TestDatabases.h2(dataDir.resolve("another"));
    }
}
