package dev.unison.platform.connectors;

import dev.unison.platform.edge.ApiException;
import dev.unison.platform.edge.ApiRoutes;
import dev.unison.platform.edge.ApiSchemas;
import dev.unison.platform.edge.ApiSupport;
import dev.unison.platform.edge.Scope;
import dev.unison.platform.inbox.InboxDispatcher;
import dev.unison.platform.outbox.RelayShards;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.model.rest.RestParamType;

/**
 * The operator's view of the running hub in the partner API (scope {@code ops}): connections with
 * their senders' and inbox's leases, a connection check on demand, and the cluster's outbox shards.
 */
public class OperationsApiRoutes extends ApiRoutes {

    private final InstalledConnectors connectors;
    private final RelayShards relayShards;

    public OperationsApiRoutes(ApiSupport api, ApiSchemas schemas, InstalledConnectors connectors, RelayShards relayShards) {
        super(api, schemas);
        this.connectors = connectors;
        this.relayShards = relayShards;
    }

    @Override
    public void configure() {
        jsonErrors();

        rest(BASE)
                .get("/connections").id("list-connections")
                    .description("Configured connections: connector, enabled, settings with secrets masked, last check, and "
                            + "which hub instance holds each sender lease; 'instance' is the instance that answered")
                    .produces("application/json")
                    .to("direct:list-connections")
                .get("/cluster").id("get-cluster")
                    .description("The hub instances sharing this database and which one publishes each outbox shard "
                            + "(its lease); 'instance' is the instance that answered")
                    .produces("application/json")
                    .to("direct:get-cluster")
                .post("/connections/{id}/check").id("check-connection")
                    .description("Probe a connection's connectivity and credentials now (read-only)")
                    .param().name("id").type(RestParamType.path).description("connection id").endParam()
                    .produces("application/json")
                    .responseMessage().code(200).message("the outcome: ok true/false with a detail").endResponseMessage()
                    .responseMessage().code(404).message("no such connection").endResponseMessage()
                    .to("direct:check-connection");

        secured("list-connections", Scope.OPS, e -> {
            java.time.Instant now = java.time.Instant.now();
            Map<String, Object> body = new LinkedHashMap<>();
            // several instances share one database: say which one answers and which one sends
            body.put("instance", connectors.instanceId());
            body.put("connections", connectors.connections().stream().map(c -> {
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("id", c.id());
                view.put("connector", c.connector().name());
                view.put("enabled", c.enabled());
                view.put("settings", c.redactedSettings());
                view.put("lastCheck", connectors.lastCheck(c.id()).orElse(null));
                var leases = connectors.outboundQueue().leases(c.id());
                view.put("senders", leases.stream().filter(lease -> !InboxDispatcher.LEASE_KIND.equals(lease.kind())).map(lease -> {
                    Map<String, Object> sender = new LinkedHashMap<>();
                    sender.put("kind", lease.kind());
                    sender.put("instance", lease.owner());
                    sender.put("leaseExpiresAt", lease.expiresAt());
                    sender.put("active", lease.expiresAt().isAfter(now));
                    return sender;
                }).toList());
                view.put("inbox", leases.stream().filter(lease -> InboxDispatcher.LEASE_KIND.equals(lease.kind())).findFirst()
                        .map(lease -> {
                            Map<String, Object> inbox = new LinkedHashMap<>();
                            inbox.put("instance", lease.owner());
                            inbox.put("leaseExpiresAt", lease.expiresAt());
                            inbox.put("active", lease.expiresAt().isAfter(now));
                            return inbox;
                        }).orElse(null));
                return view;
            }).toList());
            ApiSupport.respond(e, 200, body);
        });

        secured("get-cluster", Scope.OPS, e -> {
            java.time.Instant now = java.time.Instant.now();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("instance", relayShards.instance());
            body.put("members", relayShards.members().stream().map(m -> {
                Map<String, Object> member = new LinkedHashMap<>();
                member.put("instance", m.instance());
                member.put("expiresAt", m.expiresAt());
                member.put("live", m.expiresAt().isAfter(now));
                return member;
            }).toList());
            body.put("relayShards", relayShards.leases().stream().map(lease -> {
                Map<String, Object> shard = new LinkedHashMap<>();
                shard.put("shard", lease.shard());
                shard.put("instance", lease.owner());
                shard.put("leaseExpiresAt", lease.expiresAt());
                shard.put("active", lease.owner() != null && lease.expiresAt() != null && lease.expiresAt().isAfter(now));
                return shard;
            }).toList());
            ApiSupport.respond(e, 200, body);
        });

        secured("check-connection", Scope.OPS, e -> {
            String id = e.getIn().getHeader("id", String.class);
            var connection = connectors.connection(id).orElseThrow(() -> ApiException.notFound("no connection " + id));
            var outcome = connectors.check(connection);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", id);
            body.put("ok", outcome.ok());
            body.put("detail", outcome.detail());
            body.put("checkedAt", outcome.checkedAt());
            ApiSupport.respond(e, 200, body);
        });
    }
}
