package dev.unison.hub;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The Unison hub: storage, event bus, outbox relay and partner API, wired by Spring Boot and Camel. */
@SpringBootApplication
public class UnisonHubApplication {

    public static void main(String[] args) {
        // H2 interns every string value it reads or binds in a small hash cache: hashing each outbox
        // payload and queue row cost ~5% of the hub's CPU under load, for almost no hits
        if (System.getProperty("h2.objectCache") == null) {
            System.setProperty("h2.objectCache", "false");
        }
        SpringApplication.run(UnisonHubApplication.class, args);
    }
}
