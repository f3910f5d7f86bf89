package dev.unison.platform.edge;

import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;

/**
 * Base of every partner API route builder, in whichever module it lives: operations under
 * {@link #BASE}, each a {@code direct:<operation>} route that checks the caller's key and scope
 * (declared here, once, and registered in the {@link ScopeCatalog}) before its handler runs.
 */
public abstract class ApiRoutes extends RouteBuilder {

    public static final String BASE = "/api/v1";

    protected final ApiSupport api;
    protected final ApiSchemas schemas;

    protected ApiRoutes(ApiSupport api, ApiSchemas schemas) {
        this.api = api;
        this.schemas = schemas;
    }

    /** Errors of this builder's routes as JSON ({@code onException} is scoped to one builder). */
    protected void jsonErrors() {
        onException(Exception.class).handled(true).process(ApiSupport::respondError);
    }

    /** An operation needing {@code scope}. */
    protected void secured(String operation, Scope scope, Processor handler) {
        from("direct:" + operation).routeId(operation + "-route")
                .process(api.require(operation, scope))
                .process(handler);
    }

    /** As {@link #secured}, with the body checked against the operation's request schema (422 naming each field). */
    protected void validated(String operation, Scope scope, Processor handler) {
        from("direct:" + operation).routeId(operation + "-route")
                .process(api.require(operation, scope))
                .process(schemas.validator(operation))
                .process(handler);
    }
}
