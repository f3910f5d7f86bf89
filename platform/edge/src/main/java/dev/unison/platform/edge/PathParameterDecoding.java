package dev.unison.platform.edge;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.rest.RestEndpoint;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.springframework.web.util.UriUtils;

/**
 * Percent-decodes REST DSL path parameters, once, for every platform-http route (partner API and
 * webhooks alike).
 *
 * <p>Why: Camel's platform-http on Spring MVC (camel-platform-http-starter 4.22) fills the
 * {@code {name}} headers from {@code HttpServletRequest#getRequestURI()}, which the Servlet
 * specification defines as not decoded; so {@code /inventory/Caf%C3%A9-1} arrived as the sku
 * {@code Caf%C3%A9-1}. Decoding happens here, when the exchange starts on the platform-http route
 * (before any processor), and never again on the {@code direct:} routes it continues on. A path
 * segment is decoded as RFC 3986 says (section 2.1, UTF-8 per section 2.5): {@code %XX} only, a
 * {@code +} stays a plus (form encoding's space does not apply to paths). Encoded slashes never get
 * here: the servlet container rejects {@code %2F} in paths (answered as JSON by
 * {@link JsonErrorReportValve}).
 */
public final class PathParameterDecoding implements RoutePolicyFactory {

    /** Set on the exchange once its path parameters are decoded, so nothing decodes them twice. */
    public static final String DECODED = "unison.pathParametersDecoded";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}/]+)}");

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
        return new Decoder();
    }

    /**
     * A plain policy, not a Camel service: Camel runs a policy that is a service only once it is
     * started, and this one has nothing to start.
     */
    private static final class Decoder implements RoutePolicy {
        @Override
        public void onExchangeBegin(Route route, Exchange exchange) {
            // REST DSL routes start at a rest: endpoint (Camel inlines the direct: route behind it)
            // whose consumer is platform-http's; plain platform-http routes start at their own endpoint
            if (route.getEndpoint() instanceof RestEndpoint rest) {
                decode(join(rest.getPath(), rest.getUriTemplate()), exchange);
            } else if (route.getEndpoint() instanceof PlatformHttpEndpoint endpoint) {
                decode(endpoint.getPath(), exchange);
            }
        }

        @Override
        public void onInit(Route route) {
        }

        @Override
        public void onRemove(Route route) {
        }

        @Override
        public void onStart(Route route) {
        }

        @Override
        public void onStop(Route route) {
        }

        @Override
        public void onSuspend(Route route) {
        }

        @Override
        public void onResume(Route route) {
        }

        @Override
        public void onExchangeDone(Route route, Exchange exchange) {
        }
    }

    private static String join(String path, String uriTemplate) {
        return uriTemplate == null ? path : (path == null ? "" : path) + "/" + uriTemplate;
    }

    static void decode(String template, Exchange exchange) {
        if (template == null || exchange.getProperty(DECODED) != null) {
            return;
        }
        exchange.setProperty(DECODED, Boolean.TRUE);
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            String name = m.group(1);
            Object raw = exchange.getIn().getHeader(name);
            if (raw instanceof String value && value.indexOf('%') >= 0) {
                try {
                    exchange.getIn().setHeader(name, UriUtils.decode(value, StandardCharsets.UTF_8));
                } catch (IllegalArgumentException malformed) {
                    // the container rejects malformed escapes before; keep the value as sent if one slips through
                }
            }
        }
    }
}
