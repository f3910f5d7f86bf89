package dev.unison.platform.testkit;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/**
 * The hub the connector TCK boots inside a connector's own module: the auto-configurations found
 * on the classpath (messaging, HTTP edge, storage, connector runtime, and the inventory domain),
 * the connector under test, and the shipped fan-out routes. The connector contract needs no
 * domain; inventory is here only because migration V12, written before the modules were split,
 * alters its reservation table, and splitting V12 would change a checksum existing databases hold.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class TckHub {
}
