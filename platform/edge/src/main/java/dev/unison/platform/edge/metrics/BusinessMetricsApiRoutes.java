package dev.unison.platform.edge.metrics;

import dev.unison.platform.edge.ApiException;
import dev.unison.platform.edge.ApiRoutes;
import dev.unison.platform.edge.ApiSchemas;
import dev.unison.platform.edge.ApiSupport;
import dev.unison.platform.edge.Scope;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.camel.model.rest.RestParamType;

/** {@code GET /api/v1/metrics}: every installed {@link BusinessMetric} for a period, overall and per channel. */
public class BusinessMetricsApiRoutes extends ApiRoutes {

    /** The default period: the last 30 days, today included. */
    static final int DEFAULT_DAYS = 30;

    private final List<BusinessMetric> metrics;
    private final Clock clock;

    public BusinessMetricsApiRoutes(ApiSupport api, ApiSchemas schemas, List<BusinessMetric> metrics, Clock clock) {
        super(api, schemas);
        this.metrics = List.copyOf(metrics);
        this.clock = clock;
    }

    @Override
    public void configure() {
        jsonErrors();
        rest(BASE)
                .get("/metrics").id("get-metrics")
                    .description("The connected-commerce metrics (identity resolution rate, cross-channel conversion rate, "
                            + "inventory deflection rate, ...) for a period: each with its numerator, denominator, unit and "
                            + "definition, overall and per channel")
                    .param().name("from").type(RestParamType.query).description("first day, inclusive (YYYY-MM-DD, UTC); "
                            + "default 29 days before to").endParam()
                    .param().name("to").type(RestParamType.query).description("last day, inclusive (YYYY-MM-DD, UTC); default today")
                        .endParam()
                    .param().name("channel").type(RestParamType.query).description("only this channel's figures").endParam()
                    .produces("application/json")
                    .responseMessage().code(400).message("a malformed parameter, named").endResponseMessage()
                    .to("direct:get-metrics");

        secured("get-metrics", Scope.METRICS_READ, e -> {
            LocalDate to = ApiSupport.dateParameter(e, "to");
            to = to == null ? LocalDate.now(clock.withZone(ZoneOffset.UTC)) : to;
            LocalDate from = ApiSupport.dateParameter(e, "from");
            from = from == null ? to.minusDays(DEFAULT_DAYS - 1) : from;
            if (to.isBefore(from)) {
                throw ApiException.badRequest("'to' is before 'from'");
            }
            String channel = e.getIn().getHeader("channel", String.class);
            List<Map<String, Object>> out = new ArrayList<>();
            for (BusinessMetric m : metrics) {
                BusinessMetric.Result r = m.compute(from.atStartOfDay(ZoneOffset.UTC).toInstant(),
                        to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
                Map<String, Object> metric = new LinkedHashMap<>();
                metric.put("name", m.name());
                metric.put("unit", m.unit());
                metric.put("definition", m.definition());
                BusinessMetric.Ratio overall = channel == null ? r.overall()
                        : r.byChannel().getOrDefault(channel, new BusinessMetric.Ratio(0, 0));
                metric.putAll(ratio(overall));
                Map<String, Object> channels = new TreeMap<>();
                r.byChannel().forEach((c, ratio) -> {
                    if (channel == null || channel.equals(c)) {
                        channels.put(c, ratio(ratio));
                    }
                });
                metric.put("byChannel", channels);
                out.add(metric);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("from", from.toString());
            body.put("to", to.toString());
            if (channel != null) {
                body.put("channel", channel);
            }
            body.put("metrics", out);
            ApiSupport.respond(e, 200, body);
        });
    }

    private static Map<String, Object> ratio(BusinessMetric.Ratio r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("numerator", r.numerator());
        out.put("denominator", r.denominator());
        out.put("value", r.value());
        return out;
    }

}
