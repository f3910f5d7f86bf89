package dev.unison.connectors.kit.simulator;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a simulator route answers. */
public record SimResponse(int status, Map<String, String> headers, byte[] body) {

    public static SimResponse json(int status, String json) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json; charset=utf-8");
        return new SimResponse(status, headers, json.getBytes(StandardCharsets.UTF_8));
    }

    public SimResponse withStatus(int newStatus) {
        return new SimResponse(newStatus, headers, body);
    }

    public SimResponse withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new SimResponse(status, copy, body);
    }
}
