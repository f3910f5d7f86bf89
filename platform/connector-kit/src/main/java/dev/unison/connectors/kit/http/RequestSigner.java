package dev.unison.connectors.kit.http;

import java.net.URI;
import java.net.http.HttpRequest;

/**
 * The hook where a connector authenticates each outbound request the way its API demands: a
 * token header (Shopify's {@code X-Shopify-Access-Token}), or a signature computed over method,
 * path, query and body (TikTok Shop's {@code sign}), which may rewrite the URI. Every call a
 * connector makes goes through its signer, so no request leaves unauthenticated.
 */
@FunctionalInterface
public interface RequestSigner {

    /**
     * @param request the request being built (method and body already decided)
     * @param uri     the target, before signing
     * @param body    the exact bytes that will be sent (empty for none)
     * @return the builder, with headers and possibly a new URI set
     */
    HttpRequest.Builder sign(HttpRequest.Builder request, URI uri, byte[] body);
}
