package dev.unison.platform.edge;

import dev.unison.platform.edge.ApiRateLimiter;
import dev.unison.platform.edge.ApiSupport;
import dev.unison.platform.edge.BodyDeadlineFilter;
import dev.unison.platform.edge.HttpEdge;
import dev.unison.platform.edge.JsonErrorReportValve;
import dev.unison.platform.edge.PathParameterDecoding;
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
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.core.Ordered;

/**
 * The HTTP edge (docs/security.md "HTTP edge"): decoding, JSON errors, body deadline, limits.
 */
// before Spring MVC's error handling: its default error controller and attributes back off from ours
@AutoConfiguration(beforeName = "org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration")
@EnableConfigurationProperties(ApiProperties.class)
public class HttpEdgeAutoConfiguration {

    /** Health component {@code httpEdge}. */
    @Bean
    HttpEdge httpEdge(ApiProperties properties, Clock clock, MeterRegistry meters) {
        ApiProperties.Edge settings = properties.edge();
        HttpEdge edge = new HttpEdge(clock, settings.slowBodyAfter(), settings.slowBodyAlert());
        edge.bindMetrics(meters);
        return edge;
    }

    @Bean
    ApiRateLimiter apiRateLimiter(ApiProperties properties, Clock clock, HttpEdge edge) {
        ApiProperties.RateLimit rate = properties.rateLimit();
        ApiProperties.AuthThrottle auth = properties.authThrottle();
        Map<String, ApiRateLimiter.Rate> partners = new LinkedHashMap<>();
        rate.partners().forEach((name, r) -> partners.put(name, new ApiRateLimiter.Rate(r.requestsPerSecond(), r.burst())));
        return new ApiRateLimiter(clock, new ApiRateLimiter.Rate(rate.requestsPerSecond(), rate.burst()), partners,
                auth.maxFailures(), auth.failureWindow(), auth.blockDuration(), edge);
    }

    /** The JSON error body for requests Spring MVC answers itself (no route matched, bad method). */
    @Bean
    ApiErrorController apiErrorController(org.springframework.boot.webmvc.error.ErrorAttributes errorAttributes) {
        return new ApiErrorController(errorAttributes);
    }

    /** The {@code {"error","detail"}} body of every error Spring MVC answers. */
    @Bean
    ApiErrorAttributes apiErrorAttributes() {
        return new ApiErrorAttributes();
    }

    /**
     * Bounded tag cardinality: a scan of random URLs must not create a time series per URL.
     * Past 100 distinct {@code uri} values, further ones are not recorded.
     */
    @Bean
    io.micrometer.core.instrument.config.MeterFilter boundedHttpUriTags() {
        return io.micrometer.core.instrument.config.MeterFilter.maximumAllowableTags("http.server.requests", "uri", 100,
                io.micrometer.core.instrument.config.MeterFilter.deny());
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
    FilterRegistrationBean<BodyDeadlineFilter> bodyDeadlineFilter(ApiProperties properties, HttpEdge edge) {
        FilterRegistrationBean<BodyDeadlineFilter> registration = new FilterRegistrationBean<>(
                new BodyDeadlineFilter(edge, properties.edge().bodyReadTimeout(), ApiSupport.MAX_BODY_BYTES,
                        properties.edge().maxInFlight()));
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
