package dev.unison.platform.edge;

import java.util.Locale;
import java.util.Map;
import org.springframework.boot.web.error.ErrorAttributeOptions;
import org.springframework.boot.webmvc.error.DefaultErrorAttributes;
import org.springframework.http.HttpStatus;
import org.springframework.web.context.request.WebRequest;

/**
 * Errors raised before a request reaches a Camel route (unknown path, wrong method, unsupported
 * media type) get the same body as the partner API's own: {@code {"error": "...", "detail": "..."}},
 * and never a stack trace or exception message.
 */
public class ApiErrorAttributes extends DefaultErrorAttributes {

    @Override
    public Map<String, Object> getErrorAttributes(WebRequest request, ErrorAttributeOptions options) {
        Map<String, Object> defaults = super.getErrorAttributes(request, ErrorAttributeOptions.defaults());
        int status = defaults.get("status") instanceof Integer s ? s : 500;
        HttpStatus known = HttpStatus.resolve(status);
        String reason = known == null ? "error" : known.getReasonPhrase();
        String error = reason.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        return Map.of("error", error, "detail", reason + " (" + defaults.getOrDefault("path", "") + ")");
    }
}
