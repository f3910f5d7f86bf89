package dev.unison.connectors.kit.descriptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.unison.canonical.event.EventType;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConnectorDescriptorTest {

    static ConnectorDescriptor demo() {
        return ConnectorDescriptor.load(ConnectorDescriptorTest.class.getResourceAsStream("/connectors/demo-shop.yaml"),
                "demo-shop.yaml");
    }

    private static ConnectorDescriptor parse(String yaml) {
        return ConnectorDescriptor.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
    }

    @Test
    void loadsADescriptor() {
        ConnectorDescriptor d = demo();

        assertThat(d.name()).isEqualTo("demo-shop");
        assertThat(d.directions()).containsExactlyInAnyOrder(Direction.INBOUND, Direction.OUTBOUND);
        assertThat(d.produces()).containsExactly(EventType.ORDER_PLACED);
        assertThat(d.consumes()).containsExactly(EventType.AVAILABILITY_CHANGED);
        assertThat(d.secretFields()).containsExactlyInAnyOrder("accessToken", "webhookSecret");
        assertThat(d.outboundKinds()).containsExactly("inventory");
    }

    @Test
    void outboundKindsNeedAnOutboundDirectionAndPlainNames() {
        assertThatThrownBy(() -> parse("""
                name: inbound-only
                title: x
                description: y
                directions: [inbound]
                outbound: [inventory, Stock Ledger]
                config:
                  type: object
                """))
                .isInstanceOf(DescriptorException.class)
                .hasMessageContaining("kind 'Stock Ledger' must match")
                .hasMessageContaining("directions has no outbound");
    }

    @Test
    void aBundledDescriptorIsFoundByConventionAndAMissingOneIsNamed() {
        assertThat(ConnectorDescriptor.bundled(ConnectorDescriptorTest.class, "demo-shop").name()).isEqualTo("demo-shop");
        assertThatThrownBy(() -> ConnectorDescriptor.bundled(ConnectorDescriptorTest.class, "no-such-shop"))
                .isInstanceOf(DescriptorException.class)
                .hasMessageContaining("connectors/no-such-shop.yaml: not found");
    }

    @Test
    void anOutboundKindOutsideTheKitsVocabularyIsRefusedWithTheKindsThereAre() {
        assertThatThrownBy(() -> parse("""
                name: ledger-shop
                title: x
                description: y
                directions: [outbound]
                outbound: [inventory, stock-ledger]
                config:
                  type: object
                """))
                .isInstanceOf(DescriptorException.class)
                .hasMessageContaining("unknown kind 'stock-ledger' (kinds: inventory, positions, prices)");
    }

    @Test
    void everyProblemOfABrokenDescriptorIsNamed() {
        assertThatThrownBy(() -> parse("""
                name: Bad Name
                title: x
                directions: [sideways]
                produces: [commerce.order.teleported.v1]
                colour: blue
                """))
                .isInstanceOf(DescriptorException.class)
                .hasMessageContaining("test.yaml")
                .hasMessageContaining("name: must match")
                .hasMessageContaining("description: required")
                .hasMessageContaining("unknown direction 'sideways'")
                .hasMessageContaining("unknown canonical event type 'commerce.order.teleported.v1'")
                .hasMessageContaining("colour: unknown key")
                .hasMessageContaining("config: required");
    }

    @Test
    void aConfigThatIsNotAJsonSchemaIsRejected() {
        assertThatThrownBy(() -> parse("""
                name: broken
                title: x
                description: y
                directions: [inbound]
                config:
                  type: object
                  properties:
                    port: {type: 12}
                """)).hasMessageContaining("config: not a valid JSON Schema").hasMessageContaining("/properties/port/type");
    }
}
