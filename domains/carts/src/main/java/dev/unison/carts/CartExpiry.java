package dev.unison.carts;

import dev.unison.platform.worker.BackgroundWorker;
import java.time.Duration;
import java.util.List;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Abandons open carts whose time is up ({@code expiresAt}, by default {@code unison.carts.abandon-after}
 * after the last change), each in its own transaction; the cart event it publishes releases the
 * cart's held stock. Also forgets expired QR tokens.
 */
public class CartExpiry extends BackgroundWorker {

    private final CartStore carts;
    private final TransactionTemplate tx;

    public CartExpiry(CartStore carts, TransactionTemplate tx) {
        super("cart-expiry", Duration.ofSeconds(1), Duration.ofSeconds(30));
        this.carts = carts;
        this.tx = tx;
    }

    @Override
    protected boolean runRound() {
        List<String> due = carts.dueForAbandonment(100);
        due.forEach(id -> tx.executeWithoutResult(status -> carts.abandon(id)));
        if (due.isEmpty()) {
            tx.executeWithoutResult(status -> carts.forgetExpiredTokens());
        }
        return due.size() == 100;
    }
}
