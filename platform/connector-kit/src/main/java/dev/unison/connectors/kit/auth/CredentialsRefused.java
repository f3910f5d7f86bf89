package dev.unison.connectors.kit.auth;

/**
 * An external system refused a connection's credentials for good (HTTP 401/403 after a fresh
 * token, OAuth {@code invalid_client}): retrying soon is pointless, an operator has to act.
 */
public final class CredentialsRefused extends Exception {

    public CredentialsRefused(String message) {
        super(message);
    }
}
