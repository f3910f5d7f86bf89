package dev.unison.connectors.kit.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MappingLibraryTest {

    @Test
    void mapsAnExternalMessageAndKeepsMoneyAsStrings() {
        MappingLibrary library = MappingLibrary.compile(Map.of("demo/item",
                "{ 'sku': variant.sku, 'title': title, 'price': variant.price }"));

        JsonNode out = library.mapping("demo", "item").apply(CanonicalJson.parse(
                "{\"title\":\"Shoe\",\"variant\":{\"sku\":\"S-1\",\"price\":\"89.90\"}}"));

        assertThat(out.get("sku").asText()).isEqualTo("S-1");
        assertThat(out.get("price").asText()).isEqualTo("89.90");
    }

    @Test
    void aMappingThatDoesNotCompileIsNamedAtLoadTime() {
        assertThatThrownBy(() -> MappingLibrary.compile(Map.of("demo/broken", "{ 'a': ")))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("demo/broken");
    }

    @Test
    void anUnknownMappingIsNamed() {
        MappingLibrary library = MappingLibrary.compile(Map.of());
        assertThatThrownBy(() -> library.mapping("shopify", "orders-create"))
                .hasMessageContaining("shopify/orders-create.jsonata");
    }

    /**
     * jsonata-java before 0.9.10 kept evaluation state on shared instances: variables bound by one
     * mapping leaked into others on the same thread (dashjoin/jsonata-java#93) and every evaluation
     * of a block with variables got slower. A mapping must see only its own input.
     */
    @Test
    void variablesOfOneMappingNeverLeakIntoAnother() {
        MappingLibrary library = MappingLibrary.compile(Map.of(
                "demo/binds", "( $test := 'leaked'; { 'v': $test } )",
                "demo/reads", "{ 'v': $test ? $test : 'clean' }"));
        JsonNode input = CanonicalJson.parse("{}");

        for (int i = 0; i < 3; i++) {
            assertThat(library.mapping("demo", "binds").apply(input).get("v").asText()).isEqualTo("leaked");
            assertThat(library.mapping("demo", "reads").apply(input).get("v").asText()).isEqualTo("clean");
        }
    }
}
