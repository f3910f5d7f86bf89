package dev.unison.platform.edge;

import dev.unison.canonical.json.CanonicalJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.http.HttpStatus;

/**
 * Tomcat's own error answers as {@code {"error": "...", "detail": "..."}} JSON instead of its HTML
 * page. Tomcat rejects some requests before any application code runs (Apache Tomcat 11
 * configuration reference, HTTP connector: {@code encodedSolidusHandling}, {@code allowBackslash},
 * header and request-line parsing, {@code maxHttpRequestHeaderSize}): an encoded slash, backslash
 * or NUL in the path, a NUL in a header, a request line or headers over the size limit. Those
 * errors never reach Spring's {@code /error} page; the Host's error report valve writes their body,
 * so this valve replaces it (set through {@code StandardHost#setErrorReportValveClass}). Errors the
 * application answers itself (the partner API, Spring's {@code /error}) are left as they are.
 */
public class JsonErrorReportValve extends ErrorReportValve {

    public JsonErrorReportValve() {
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get() || !response.setErrorReported()) {
            return;
        }
        HttpStatus known = HttpStatus.resolve(status);
        String reason = known == null ? "Error" : known.getReasonPhrase();
        String error = reason.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        // Tomcat's own message may quote the offending request: never echoed back
        String detail = reason + ": the request was refused by the HTTP server before it reached the hub"
                + (status == 400 ? " (malformed request line, path or header: e.g. an encoded '/', '\\' or NUL, "
                        + "a control character in a header, or a request line or headers over the size limit)" : "");
        byte[] body = CanonicalJson.write(ApiSupport.errorBody(error, detail)).getBytes(StandardCharsets.UTF_8);
        try {
            response.resetBuffer();
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.setContentLength(body.length);
            OutputStream out = response.getOutputStream();
            out.write(body);
            response.finishResponse();
        } catch (IOException | IllegalStateException ignored) {
            // the client is gone or the response cannot be written any more: nothing left to tell it
        }
    }
}
