package dev.unison.connectors.sfcc;

import dev.unison.connectors.kit.config.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One SFCC connection's settings, typed and defaulted by the descriptor's schema: the one place the
 * connector reads a setting by name. The client secret stays in the {@link Connection}.
 *
 * @param apiBaseUrl {@code https://{shortCode}.api.commercecloud.salesforce.com} ("B2C Commerce API:
 *                   Base URL and request formation"), or the configured {@code apiBaseUrl}
 * @param customerListId empty: no customer stream
 */
public record SfccSettings(String apiBaseUrl, String tokenUrl, String organizationId, String tenantId, String siteId,
        String clientId, String scopes, Optional<String> customerListId, String channel, String pickupStoreAttribute,
        Map<String, String> storeLocations, String ociLocation, Map<String, String> ociLocations, Duration pollInterval, int pageSize, Duration pausedRetry,
        int requestsPerSecond, int inventoryRequestsPerSecond, int batchSize) {

    /** The setting naming each SFCC store's hub location (where a pickup order is fulfilled from). */
    public static final String STORE_LOCATIONS = "storeLocations";
    /** The setting naming each hub location's Omnichannel Inventory location. */
    public static final String OCI_LOCATIONS = "ociLocations";

    public SfccSettings {
        storeLocations = Map.copyOf(storeLocations);
        ociLocations = Map.copyOf(ociLocations);
    }

    public static SfccSettings of(Connection c) {
        Map<String, String> stores = new TreeMap<>();
        c.settings().path(STORE_LOCATIONS).fields().forEachRemaining(e -> stores.put(e.getKey(), e.getValue().asText()));
        Map<String, String> oci = new TreeMap<>();
        c.settings().path(OCI_LOCATIONS).fields().forEachRemaining(e -> oci.put(e.getKey(), e.getValue().asText()));
        String base = c.setting("apiBaseUrl") != null ? c.setting("apiBaseUrl")
                : "https://" + c.setting("shortCode") + ".api.commercecloud.salesforce.com";
        return new SfccSettings(base, c.setting("tokenUrl"), c.setting("organizationId"), c.setting("tenantId"),
                c.setting("siteId"), c.setting("clientId"), c.setting("scopes"), Optional.ofNullable(c.setting("customerListId")),
                c.setting("channel"), c.setting("pickupStoreAttribute"), stores, c.setting("ociLocation"), oci,
                c.duration("pollInterval"), (int) c.integer("pageSize"), c.duration("pausedRetry"),
                (int) c.integer("requestsPerSecond"), (int) c.integer("inventoryRequestsPerSecond"), (int) c.integer("batchSize"));
    }

    /** The Account Manager scope: the tenant and the roles ("Authorization for Admin APIs"). */
    public String scope() {
        return "SALESFORCE_COMMERCE_API:" + tenantId + " " + scopes;
    }

    /** {@code /{apiFamily}/{apiName}/v1/organizations/{organizationId}} of an API. */
    public String api(String family, String name) {
        return apiBaseUrl + "/" + family + "/" + name + "/v1/organizations/" + organizationId;
    }

    /** The namespace of this site's customer numbers in channel customer ids: the customer list, else the site. */
    public String customerNamespace() {
        return customerListId.orElse(siteId).toLowerCase(java.util.Locale.ROOT);
    }
}
