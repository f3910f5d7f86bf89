package dev.unison.hub.config;

import dev.unison.hub.api.ApiRateLimiter;
import dev.unison.hub.api.ApiSupport;
import dev.unison.hub.api.BodyDeadlineFilter;
import dev.unison.hub.api.HttpEdge;
import dev.unison.hub.api.JsonErrorReportValve;
import dev.unison.hub.api.PathParameterDecoding;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.catalina.core.StandardHost;
import org.apache.camel.spi.RoutePolicyFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The HTTP edge (docs/security.md "HTTP edge"): decoding, JSON errors, body deadline, limits.
 * ({@link dev.unison.hub.api.ApiErrorController} is found by component scanning, as a controller.)
 */
@Configuration(proxyBeanMethods = false)
public class HttpEdgeConfiguration {

    /** Health component {@code httpEdge}. */
    @Bean
    HttpEdge httpEdge(UnisonProperties properties, Clock clock, MeterRegistry meters) {
        UnisonProperties.Edge settings = properties.api().edge();
        HttpEdge edge = new HttpEdge(clock, settings.slowBodyAfter(), settings.slowBodyAlert());
        edge.bindMetrics(meters);
        return edge;
    }

    @Bean
    ApiRateLimiter apiRateLimiter(UnisonProperties properties, Clock clock, HttpEdge edge) {
        UnisonProperties.RateLimit rate = properties.api().rateLimit();
        UnisonProperties.AuthThrottle auth = properties.api().authThrottle();
        Map<String, ApiRateLimiter.Rate> partners = new LinkedHashMap<>();
        rate.partners().forEach((name, r) -> partners.put(name, new ApiRateLimiter.Rate(r.requestsPerSecond(), r.burst())));
        return new ApiRateLimiter(clock, new ApiRateLimiter.Rate(rate.requestsPerSecond(), rate.burst()), partners,
                auth.maxFailures(), auth.failureWindow(), auth.blockDuration(), edge);
    }

    /** Picked up by Camel (every RoutePolicyFactory bean applies to every route). */
    @Bean
    RoutePolicyFactory pathParameterDecoding() {
        return new PathParameterDecoding();
    }

    /**
     * First in the chain after Spring's own observation filter (so the request is still measured),
     * for the first dispatch and for the one that follows the body read.
     */
    @Bean
    FilterRegistrationBean<BodyDeadlineFilter> bodyDeadlineFilter(UnisonProperties properties, HttpEdge edge) {
        FilterRegistrationBean<BodyDeadlineFilter> registration = new FilterRegistrationBean<>(
                new BodyDeadlineFilter(edge, properties.api().edge().bodyReadTimeout(), ApiSupport.MAX_BODY_BYTES));
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        registration.setAsyncSupported(true);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }

    /** Tomcat's own error pages (requests refused before the application) as JSON. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> jsonErrorReportValve() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(JsonErrorReportValve.class.getName());
            }
        });
    }
}
