package dev.unison.connectors.kit.mapping;

/** A mapping that does not compile or cannot map its input; the message names the mapping. */
public class MappingException extends RuntimeException {
    public MappingException(String message, Throwable cause) {
        super(message, cause);
    }

    public MappingException(String message) {
        super(message);
    }
}
