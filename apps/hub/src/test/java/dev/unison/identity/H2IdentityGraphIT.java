package dev.unison.identity;

import com.zaxxer.hikari.HikariDataSource;
import dev.unison.hub.support.TestDatabases;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The identity graph contract on H2 in file mode, as the embedded default runs it. */
class H2IdentityGraphIT extends AbstractIdentityGraphContractIT {

    @TempDir
    Path dataDir;

    @Override
    protected HikariDataSource newDatabase() {
        return TestDatabases.h2(dataDir);
    }
}
