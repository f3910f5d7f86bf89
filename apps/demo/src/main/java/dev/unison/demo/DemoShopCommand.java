package dev.unison.demo;

import java.time.Clock;
import java.util.List;

/**
 * Runs one demo shop alone, without a hub in the same process (to point a hub elsewhere at it, or
 * to try a connector by hand):
 *
 * <pre>
 * java -Dloader.main=dev.unison.demo.DemoShopCommand -cp apps/hub/target/unison-hub.jar \
 *      org.springframework.boot.loader.launch.PropertiesLauncher shopify --port 8099 \
 *      --webhook-target http://localhost:8080/webhooks/shopify/shopify-demo
 * </pre>
 * The SFCC demo site ({@code sfcc --port 8097}) has no webhooks (a hub pulls from it); it starts with
 * its demo orders and customers unless {@code --seed false}.
 */
public final class DemoShopCommand {

    private static final String USAGE = "usage: <shopify|tiktok-shop|sfcc> [--port N] [--webhook-target URL] [--seed true|false]";

    private DemoShopCommand() {
    }

    public static void main(String[] args) {
        try {
            run(List.of(args));
        } catch (IllegalArgumentException bad) {
            System.err.println(bad.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
    }

    static void run(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("which shop?");
        }
        DemoShop shop = DemoShop.of(args.get(0));
        int port = shop.defaultPort();
        String target = null;
        boolean seed = true;
        for (int i = 1; i < args.size(); i++) {
            String option = args.get(i);
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args.get(++i);
            switch (option) {
                case "--port" -> port = parsePort(value);
                case "--webhook-target" -> {
                    if (!shop.hasWebhooks()) {
                        throw new IllegalArgumentException("the " + shop.system() + " shop sends no webhooks (a hub pulls from it)");
                    }
                    target = value;
                }
                case "--seed" -> {
                    if (!value.equals("true") && !value.equals("false")) {
                        throw new IllegalArgumentException("--seed takes true or false, got '" + value + "'");
                    }
                    seed = Boolean.parseBoolean(value);
                }
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        var server = shop.create(port, Clock.systemUTC());
        server.start();
        if (seed) {
            shop.seed(server);
        }
        if (target != null) {
            shop.sendWebhooksTo(server, target);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("demo " + shop.system() + " shop at " + server.baseUrl() + " (" + shop.credentials() + "); "
                + (!shop.hasWebhooks() ? "no webhooks (a hub pulls from it)"
                        : "webhooks to " + (target == null ? "nowhere (--webhook-target URL)" : target)));
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port takes 1..65535, got '" + value + "'");
        }
    }
}
