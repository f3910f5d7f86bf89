package dev.unison.platform.testkit.reference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.kit.simulator.SimResponse;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A paged item listing behind OAuth 2.0 client credentials (RFC 6749 section 4.4: the client
 * authenticates with HTTP Basic, {@code grant_type=client_credentials}), enforcing both: a wrong
 * client is {@code 401 invalid_client}, a data call without a token it issued is {@code 401}.
 * {@code GET /items?cursor=<n>} answers up to ten items from position n, the next cursor and
 * whether more are waiting.
 */
public final class PagedItemsSimulator extends SimulatorServer {

    static final String CLIENT_ID = "tck-client";
    static final String CLIENT_SECRET = "tck-client-secret";
    private static final int PAGE = 10;

    private final List<ObjectNode> items = new ArrayList<>();
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private volatile boolean refusing;
    private volatile CountDownLatch hold;
    private volatile boolean held;

    public PagedItemsSimulator(int port) {
        super("paged-items", port, Clock.systemUTC());
        route("POST", "/oauth2/token", this::token);
        route("GET", "/items", this::items);
    }

    synchronized void add(int count) {
        for (int i = 0; i < count; i++) {
            int n = items.size() + 1;
            items.add(CanonicalJson.mapper().createObjectNode().put("sku", "PULL-" + n).put("title", "Item " + n));
        }
    }

    void refuse(boolean refuse) {
        refusing = refuse;
        if (refuse) {
            tokens.clear();
        }
    }

    void holdNext() {
        held = false;
        hold = new CountDownLatch(1);
    }

    boolean held() {
        return held;
    }

    void release() {
        CountDownLatch h = hold;
        hold = null;
        if (h != null) {
            h.countDown();
        }
    }

    @Override
    public void close() {
        release();
        super.close();
    }

    private SimResponse token(SimRequest request) {
        if (!request.bodyText().startsWith("grant_type=client_credentials")) {
            return SimResponse.json(400, "{\"error\":\"unsupported_grant_type\"}");
        }
        String basic = "Basic " + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
        if (refusing || !basic.equals(request.header("Authorization"))) {
            return SimResponse.json(401, "{\"error\":\"invalid_client\"}");
        }
        String token = UUID.randomUUID().toString();
        tokens.add(token);
        return SimResponse.json(200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
    }

    private SimResponse items(SimRequest request) {
        String auth = request.header("Authorization");
        if (refusing || auth == null || !tokens.contains(auth.replace("Bearer ", ""))) {
            return SimResponse.json(401, "{\"error\":\"invalid_token\"}");
        }
        CountDownLatch h = hold;
        if (h != null) {
            held = true;
            try {
                h.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int from = Integer.parseInt(request.queryParam("cursor"));
        ObjectNode page = CanonicalJson.mapper().createObjectNode();
        ArrayNode list = page.putArray("items");
        int to;
        synchronized (this) {
            to = Math.min(items.size(), from + PAGE);
            items.subList(Math.min(from, to), to).forEach(list::add);
            page.put("more", to < items.size());
        }
        return SimResponse.json(200, page.put("next", Integer.toString(to)).toString());
    }
}
