package dev.unison.connectors.kit.descriptor;

/** A connector descriptor that cannot be used; the message names the descriptor and the problem. */
public class DescriptorException extends RuntimeException {
    public DescriptorException(String message) {
        super(message);
    }

    public DescriptorException(String message, Throwable cause) {
        super(message, cause);
    }
}
