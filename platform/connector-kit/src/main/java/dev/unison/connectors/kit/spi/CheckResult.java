package dev.unison.connectors.kit.spi;

/** The outcome of a connection check: reachable and authorised, or why not. */
public record CheckResult(boolean ok, String detail) {

    public static CheckResult ok(String detail) {
        return new CheckResult(true, detail);
    }

    public static CheckResult failed(String detail) {
        return new CheckResult(false, detail);
    }
}
