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
}
