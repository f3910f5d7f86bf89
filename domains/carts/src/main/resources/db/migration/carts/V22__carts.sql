-- The connected cart (docs/carts.md): one row per cart, whatever channel it was opened in. Closed
-- carts are deleted by the retention sweep (unison.retention.carts); their rows below go with them.
-- status: open | converted | abandoned. version grows on every change (a stale replace is refused).
CREATE TABLE cart (
    cart_id         VARCHAR(128) PRIMARY KEY,
    channel         VARCHAR(64)  NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    profile_id      VARCHAR(64),
    currency        VARCHAR(3),
    lines           VARCHAR(1048576) NOT NULL,
    reserve_at      VARCHAR(64),
    expires_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    version         BIGINT       NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    -- the partner that wrote it through the API (null: a connector's cart, from the bus)
    owner           VARCHAR(64),
    order_id        VARCHAR(128),
    converted_in    VARCHAR(64),
    closed_at       TIMESTAMP WITH TIME ZONE
);
CREATE INDEX ix_cart_profile ON cart (profile_id, status);
CREATE INDEX ix_cart_expiry ON cart (status, expires_at);

-- The identifiers a cart was given (normalized, as identity stores them): a lookup by any
-- identifier of the shopper's profile finds the cart even when no profile held them yet.
CREATE TABLE cart_identifier (
    cart_id    VARCHAR(128) NOT NULL REFERENCES cart (cart_id) ON DELETE CASCADE,
    identifier VARCHAR(400) NOT NULL,
    CONSTRAINT pk_cart_identifier PRIMARY KEY (cart_id, identifier)
);
CREATE INDEX ix_cart_identifier ON cart_identifier (identifier);

-- Short-lived tokens the app shows as a QR code; only their SHA-256 is kept.
CREATE TABLE cart_qr (
    token_hash VARCHAR(64)  PRIMARY KEY,
    cart_id    VARCHAR(128) NOT NULL REFERENCES cart (cart_id) ON DELETE CASCADE,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ix_cart_qr_expiry ON cart_qr (expires_at);
