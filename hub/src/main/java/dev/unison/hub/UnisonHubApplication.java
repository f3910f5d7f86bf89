package dev.unison.hub;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The Unison hub: storage, event bus, outbox relay and partner API, wired by Spring Boot and Camel. */
@SpringBootApplication
public class UnisonHubApplication {

    public static void main(String[] args) {
        SpringApplication.run(UnisonHubApplication.class, args);
    }
}
