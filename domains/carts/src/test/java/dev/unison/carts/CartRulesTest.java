package dev.unison.carts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.canonical.model.CartLine;
import dev.unison.canonical.model.CartStatus;
import dev.unison.canonical.model.Money;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CartRulesTest {

    @Test
    void theSameSkuTwiceIsOneLineOfBothQuantities() {
        List<CartLine> merged = CartRules.mergeLines(List.of(new CartLine("A", 1, null),
                new CartLine("B", 2, Money.of("5.00", "USD")), new CartLine("A", 3, Money.of("9.90", "USD"))));
        assertThat(merged).containsExactly(new CartLine("A", 4, Money.of("9.90", "USD")),
                new CartLine("B", 2, Money.of("5.00", "USD")));
    }

    @Test
    void aConvertedCartIsCheckedOutOnTheBusAndBack() {
        assertThat(CartRules.apiStatus(CartStatus.CHECKED_OUT)).isEqualTo("converted");
        assertThat(CartRules.apiStatus(CartStatus.OPEN)).isEqualTo("open");
        assertThat(CartRules.apiStatus(CartStatus.ABANDONED)).isEqualTo("abandoned");
        for (CartStatus s : CartStatus.values()) {
            assertThat(CartRules.canonicalStatus(CartRules.apiStatus(s))).isEqualTo(s);
        }
    }

    @Test
    void qrTokensAreRandomUrlSafeAndStoredOnlyAsTheirHash() {
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String token = CartRules.newToken();
            assertThat(token).matches("[A-Za-z0-9_-]{32}");
            tokens.add(token);
        }
        assertThat(tokens).hasSize(1000);
        String token = tokens.iterator().next();
        assertThat(CartRules.hash(token)).matches("[0-9a-f]{64}").isEqualTo(CartRules.hash(token)).doesNotContain(token);
        // SHA-256 of "abc" (FIPS 180-2 example)
        assertThat(CartRules.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void cartIdsFitAPathAReservationIdAndAPosTransaction() {
        assertThat(CartRules.CART_ID.matcher("app-cart-81").matches()).isTrue();
        assertThat(CartRules.CART_ID.matcher("shopify:demo.myshopify.com:c1-abc").matches()).isTrue();
        assertThat(CartRules.CART_ID.matcher("cart 1").matches()).isFalse();
        assertThat(CartRules.CART_ID.matcher("-x").matches()).isFalse();
        assertThat(CartRules.CART_ID.matcher("a".repeat(129)).matches()).isFalse();
    }

    @Test
    void contactsAreMaskedOtherIdentifiersShown() {
        assertThat(CartRules.mask("email", "jane.doe@example.com")).isEqualTo("j***@example.com");
        assertThat(CartRules.mask("phone", "+14155550100")).isEqualTo("+1********00");
        assertThat(CartRules.mask("loyalty_id", "L-000123")).isEqualTo("L-000123");
    }
}
