package dev.unison.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import dev.unison.hub.support.ForkedHub;
import dev.unison.platform.testkit.HttpApi;
import dev.unison.hub.support.StoreLoad;
import dev.unison.hub.support.StoreLoad.Sale;
import dev.unison.hub.support.TestDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Three hub processes on one PostgreSQL and one Kafka (the production profile), with real
 * processes: tills, Shopify webhooks and a partner's events are spread over all three, and so is
 * the publishing of the outbox (each instance leases a share of its shards); one instance is
 * killed with SIGKILL mid-load. The survivors take over its Kafka partitions, its outbox shards
 * (once its leases expire) and its job locks (the inbox dispatcher's is a row lock its dead
 * connection releases);
 * the senders resend what never got an answer, to a survivor, as a till, Shopify and a partner
 * would. Afterwards every accepted input is applied exactly once (stock per sku, each order, each
 * partner event) and the shop converges to the ledger.
 */
class MultiInstanceIT {

    private static final String KEY = "multi-instance-it-key-1234567890";
    private static final List<String> STORES = List.of("STORE-A", "STORE-B");
    private static final int SKUS = 12;
    private static final long STOCK = 500;
    private static final int SALES = 450;
    private static final int WEB_ORDERS = 45;
    private static final int PARTNER_EVENTS = 90;

    @TempDir
    Path work;
    private final List<Process> processes = new ArrayList<>();
    private ShopifySimulator shopify;
    private EmbeddedKafkaKraftBroker kafka;

    @AfterEach
    void cleanUp() {
        processes.forEach(Process::destroyForcibly);
        if (shopify != null) {
            shopify.close();
        }
        if (kafka != null) {
            kafka.destroy();
        }
    }

    @Test
    void threeInstancesOneKilledMidLoadEveryInputAppliedOnceAndTheShopConverges() throws Exception {
        kafka = new EmbeddedKafkaKraftBroker(1, 6, "unison.events");
        kafka.afterPropertiesSet();
        TestDatabases.PgCoordinates pg = TestDatabases.freshPostgresSchema();
        shopify = new ShopifySimulator(ForkedHub.freePort(), "multi-shop.myshopify.com", "shpat_multi", "multi-secret",
                Clock.systemUTC());
        shopify.start();
        Files.writeString(work.resolve("application-production.yaml"), """
                unison:
                  inventory:
                    locations:
                      - {id: STORE-A, type: store, channels: [store, shopify]}
                      - {id: STORE-B, type: store, channels: [store, shopify]}
                """);
        Files.writeString(work.resolve("connections.yaml"), """
                connections:
                  - id: multi-shop
                    connector: shopify
                    settings:
                      shopDomain: multi-shop.myshopify.com
                      accessToken: ${MULTI_TOKEN}
                      webhookSecret: ${MULTI_SECRET}
                      adminBaseUrl: %s
                      locationId: '%d'
                """.formatted(shopify.baseUrl(), ShopifySimulator.DEFAULT_LOCATION_ID));
        byte[] sealing = new byte[32];
        new java.security.SecureRandom().nextBytes(sealing);
        Map<String, String> environment = Map.of("MULTI_TOKEN", "shpat_multi", "MULTI_SECRET", "multi-secret",
                "UNISON_DB_URL", pg.url(), "UNISON_DB_USER", pg.user(), "UNISON_DB_PASSWORD", pg.password(),
                "KAFKA_BOOTSTRAP_SERVERS", kafka.getBrokersAsString(),
                "UNISON_SECRETS_ENCRYPTION_KEY", java.util.Base64.getEncoder().encodeToString(sealing));
        Path logs = Files.createDirectories(Path.of("target", "multi-instance-it-logs"));

        // all three start at once on the empty database: one migrates it (Flyway's lock), all create the bootstrap key
        int[] ports = {ForkedHub.freePort(), ForkedHub.freePort(), ForkedHub.freePort()};
        Process[] hubs = new Process[3];
        HttpApi[] apis = new HttpApi[3];
        for (int i = 0; i < 3; i++) {
            hubs[i] = start(i, ports[i], environment, logs);
        }
        for (int i = 0; i < 3; i++) {
            apis[i] = ForkedHub.awaitUp(ports[i], hubs[i], Duration.ofSeconds(240));
        }

        // the outbox shards spread over the three relays (16 / 3: 6, 6 and 4) before the load
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(shardsPerInstance(apis[0]).values())
                .as("shards per instance").hasSize(3).allSatisfy(n -> assertThat(n).isBetween(4, 6)));

        List<String> skus = new ArrayList<>();
        for (int i = 0; i < SKUS; i++) {
            skus.add("MULTI-" + i);
        }
        Map<String, Long> items = StoreLoad.listInShop(shopify, webhookUrl(ports[0]), "multi-shop", apis[0], KEY, skus);
        StoreLoad.openingCounts(apis[0], KEY, STORES, skus, STOCK);
        String partner = "mkt" + System.nanoTime() % 1_000_000;
        HttpApi.Reply created = apis[0].post("/api/v1/admin/partners", KEY,
                "{\"name\":\"" + partner + "\",\"scopes\":[\"events:write\",\"events:read\"]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String partnerKey = created.json().get("apiKey").asText();

        // the load: tills, Shopify and the partner, each request to instance (i mod 3)
        Random random = new Random(11);
        List<Sale> sales = new ArrayList<>();
        for (int i = 0; i < SALES; i++) {
            sales.add(new Sale(STORES.get(random.nextInt(STORES.size())), i, skus.get(random.nextInt(SKUS))));
        }
        List<ShopifySimulator.Delivery> webOrders = new ArrayList<>();
        Map<String, String> webSkuOfOrder = new HashMap<>();
        for (int i = 0; i < WEB_ORDERS; i++) {
            String sku = skus.get(random.nextInt(SKUS));
            ObjectNode order = shopify.newOrder("web" + i + "@example.com", "USD", new ShopifySimulator.Line(sku, 1, "19.90"));
            webSkuOfOrder.put(order.get("id").asText(), sku);
            webOrders.add(shopify.webhook("orders/create", order));
        }
        List<String> partnerEvents = new ArrayList<>();
        for (int i = 0; i < PARTNER_EVENTS; i++) {
            partnerEvents.add("""
                    {"type": "commerce.customer.upserted.v1", "id": "cust-%d",
                     "data": {"id": "%s:%d", "channel": "%s", "identifiers": [{"type": "email", "value": "member%d-%s@example.com"}]}}
                    """.formatted(i, partner, i, partner, i, partner));
        }

        Map<Integer, Integer> saleAnswers = new ConcurrentHashMap<>();
        Map<Integer, Integer> webAnswers = new ConcurrentHashMap<>();
        Map<Integer, Integer> partnerAnswers = new ConcurrentHashMap<>();
        AtomicInteger answered = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(9);
        List<Future<?>> sent = new ArrayList<>();
        int rounds = Math.max(SALES, Math.max(WEB_ORDERS, PARTNER_EVENTS));
        for (int i = 0; i < rounds; i++) {
            int n = i;
            if (n < SALES) {
                sent.add(senders.submit(() -> saleAnswers.put(n, status(() -> apis[n % 3].post("/api/v1/pos/transactions",
                        KEY, sales.get(n).json()).status(), answered))));
            }
            if (n < WEB_ORDERS) {
                sent.add(senders.submit(() -> webAnswers.put(n, status(() -> shopify.send(webhookUrl(ports[n % 3]),
                        webOrders.get(n)), answered))));
            }
            if (n < PARTNER_EVENTS) {
                sent.add(senders.submit(() -> partnerAnswers.put(n, status(() -> apis[n % 3].post("/api/v1/events",
                        partnerKey, partnerEvents.get(n)).status(), answered))));
            }
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> answered.get() >= 150);
        for (int i = 0; i < 3; i++) {
            assertThat(publishedBy(apis[i])).as("events instance " + i + " relayed before the kill").isPositive();
        }
        hubs[1].destroyForcibly(); // SIGKILL mid-load
        assertThat(hubs[1].waitFor()).isNotZero();
        for (Future<?> f : sent) {
            f.get(120, TimeUnit.SECONDS);
        }
        senders.shutdown();

        // whatever got no success answer is sent again to a survivor, as its sender would retry
        HttpApi survivor = apis[2];
        int resent = 0;
        for (int i = 0; i < SALES; i++) {
            if (saleAnswers.get(i) != 201) {
                HttpApi.Reply again = survivor.post("/api/v1/pos/transactions", KEY, sales.get(i).json());
                assertThat(again.status()).as("resent sale " + i + ": " + again.body()).isIn(200, 201);
                resent++;
            }
        }
        for (int i = 0; i < WEB_ORDERS; i++) {
            if (webAnswers.get(i) != 200) {
                assertThat(shopify.send(webhookUrl(ports[2]), webOrders.get(i))).as("Shopify retry of order " + i).isEqualTo(200);
                resent++;
            }
        }
        for (int i = 0; i < PARTNER_EVENTS; i++) {
            if (partnerAnswers.get(i) != 202) {
                HttpApi.Reply again = survivor.post("/api/v1/events", partnerKey, partnerEvents.get(i));
                assertThat(again.status()).as("resent partner event " + i + ": " + again.body()).isIn(200, 202);
                resent++;
            }
        }
        assertThat(saleAnswers.values().stream().filter(s -> s != 201).count() + webAnswers.values().stream()
                .filter(s -> s != 200).count()).as("the kill cut some requests off").isPositive();

        // every web order is stored once; every partner event published
        await().atMost(Duration.ofSeconds(180)).untilAsserted(() -> {
            for (String orderId : webSkuOfOrder.keySet()) {
                assertThat(survivor.get("/api/v1/orders/shopify/" + orderId, KEY).status()).as("order " + orderId).isEqualTo(200);
            }
            for (int i = 0; i < PARTNER_EVENTS; i++) {
                JsonNode event = survivor.get("/api/v1/events/cust-" + i, partnerKey).json();
                assertThat(event.path("status").asText()).as("partner event " + i).isEqualTo("published");
            }
        });
        // stock: each sale and each web order taken exactly once
        Map<String, Long> soldPerSku = new HashMap<>();
        sales.forEach(s -> soldPerSku.merge(s.sku(), 1L, Long::sum));
        webSkuOfOrder.values().forEach(sku -> soldPerSku.merge(sku, 1L, Long::sum));
        Map<String, Long> soldPerPosition = new HashMap<>();
        sales.forEach(s -> soldPerPosition.merge(s.sku() + "@" + s.store(), 1L, Long::sum));
        await().atMost(Duration.ofSeconds(180)).untilAsserted(() -> {
            for (String sku : skus) {
                long onHand = 0;
                for (JsonNode position : survivor.get("/api/v1/inventory/" + sku, KEY).json().get("positions")) {
                    onHand += position.get("onHand").asLong();
                    assertThat(position.get("onHand").asLong()).as("till sales of " + sku + " at " + position.get("locationId"))
                            .isLessThanOrEqualTo(STOCK - soldPerPosition.getOrDefault(sku + "@"
                                    + position.get("locationId").asText(), 0L));
                }
                assertThat(onHand).as("on hand of " + sku).isEqualTo(STOCK * STORES.size() - soldPerSku.getOrDefault(sku, 0L));
            }
        });
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            for (String sku : skus) {
                assertThat(shopify.available(items.get(sku), ShopifySimulator.DEFAULT_LOCATION_ID)).as("shop quantity of " + sku)
                        .isEqualTo(STOCK * STORES.size() - soldPerSku.getOrDefault(sku, 0L));
            }
        });
        // the sender lease moved to a survivor, and the ops endpoint says which instance holds it
        long killedPid = hubs[1].pid();
        JsonNode connections = survivor.get("/api/v1/connections", KEY).json();
        assertThat(connections.get("instance").asText()).endsWith("/" + hubs[2].pid());
        JsonNode shop = null;
        for (JsonNode c : connections.get("connections")) {
            if (c.get("id").asText().equals("multi-shop")) {
                shop = c;
            }
        }
        assertThat(shop).as("multi-shop listed").isNotNull();
        assertThat(shop.get("senders").toString()).as("inventory sender").contains("\"kind\":\"inventory\"");
        for (JsonNode sender : shop.get("senders")) {
            if (sender.get("kind").asText().equals("inventory")) {
                assertThat(sender.get("instance").asText()).as("held by a survivor")
                        .matches(".*/(" + hubs[0].pid() + "|" + hubs[2].pid() + ")").doesNotEndWith("/" + killedPid);
            }
        }
        // the killed instance's outbox shards went to the survivors once its leases expired
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<String, Integer> shards = shardsPerInstance(survivor);
            assertThat(shards.keySet()).as("instances holding shards")
                    .allSatisfy(instance -> assertThat(instance).doesNotEndWith("/" + killedPid));
            assertThat(shards.values().stream().mapToInt(Integer::intValue).sum()).as("every shard held").isEqualTo(16);
        });
        System.out.printf("Multi-instance: %d sales, %d web orders, %d partner events over 3 instances; one killed; "
                + "%d resent to a survivor%n", SALES, WEB_ORDERS, PARTNER_EVENTS, resent);
        for (int i : new int[] {0, 2}) {
            hubs[i].destroy();
            hubs[i].waitFor();
        }
    }

    /** Active outbox shard leases per instance, as {@code GET /api/v1/cluster} shows them. */
    private static Map<String, Integer> shardsPerInstance(HttpApi api) throws Exception {
        HttpApi.Reply cluster = api.get("/api/v1/cluster", KEY);
        assertThat(cluster.status()).as(cluster.body()).isEqualTo(200);
        Map<String, Integer> shards = new HashMap<>();
        for (JsonNode shard : cluster.json().get("relayShards")) {
            if (shard.get("active").asBoolean()) {
                shards.merge(shard.get("instance").asText(), 1, Integer::sum);
            }
        }
        return shards;
    }

    /** The instance's count of events it relayed to Kafka (its Prometheus endpoint). */
    private static double publishedBy(HttpApi api) throws Exception {
        String metrics = api.get("/actuator/prometheus", null).body();
        return metrics.lines().filter(line -> line.startsWith("unison_outbox_published_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static int status(java.util.concurrent.Callable<Integer> request, AtomicInteger answered) {
        try {
            return request.call();
        } catch (Exception connectionLost) {
            return -1;
        } finally {
            answered.incrementAndGet();
        }
    }

    private static String webhookUrl(int port) {
        return "http://127.0.0.1:" + port + "/webhooks/shopify/multi-shop";
    }

    private Process start(int index, int port, Map<String, String> environment, Path logs) throws IOException {
        Path data = Files.createDirectories(work.resolve("data-" + index));
        Process process = ForkedHub.start(List.of(
                "--spring.profiles.active=production",
                "--spring.config.additional-location=file:" + work.toAbsolutePath() + "/",
                "--server.port=" + port,
                "--unison.data-dir=" + data.toAbsolutePath(),
                "--unison.bootstrap-api-key=" + KEY,
                "--unison.connections-location=file:" + work.resolve("connections.yaml").toAbsolutePath()),
                environment, logs.resolve("hub-" + index + ".log"));
        processes.add(process);
        return process;
    }
}
