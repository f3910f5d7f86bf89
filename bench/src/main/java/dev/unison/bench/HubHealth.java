package dev.unison.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Waiting for a forked hub to come up, shared by the benchmarks that fork one. */
public final class HubHealth {

    private HubHealth() {
    }

    /** Returns once {@code hub}'s health answers 200; throws when it does not within {@code timeout}. */
    public static void await(HttpClient http, String hub, Duration timeout) throws InterruptedException {
        Polling.until(timeout, Duration.ofMillis(250), () -> http.send(HttpRequest.newBuilder(URI.create(hub + "/actuator/health"))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200, () -> hub + " not healthy");
    }
}
