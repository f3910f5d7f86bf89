package dev.unison.connectors.kit.simulator;

/** Thrown by a simulator route to answer an error response (bad auth, over the rate limit, bad input). */
public class SimulatorRejection extends RuntimeException {

    private final transient SimResponse response;

    public SimulatorRejection(SimResponse response) {
        super("rejected with " + response.status(), null, false, false);
        this.response = response;
    }

    public SimResponse response() {
        return response;
    }
}
