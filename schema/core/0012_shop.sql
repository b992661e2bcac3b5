-- Carts, orders and payments, second part (core/cart.c, core/order.c, core/payment.c).

-- Settings a tenant may change without a deploy, one row per setting (platform_setting is the
-- platform's). A setting without a row has its default in the code that reads it:
-- 'cart_hold_seconds' (core/cart.c): how long a cart holds its units, 600 by default.
CREATE TABLE IF NOT EXISTS tenant_setting (
    tenant_id BIGINT UNSIGNED NOT NULL,
    name VARCHAR(64) CHARACTER SET ascii NOT NULL,
    value VARCHAR(1000) NOT NULL,
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (tenant_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Where the buyer sees an order (below public_url), set by the module that sold it at
-- checkout: the confirmation mails link to it.
ALTER TABLE orders ADD COLUMN IF NOT EXISTS view_path VARCHAR(255) CHARACTER SET ascii NULL AFTER lang;

-- The test card provider (core/payment.c) keeps its own state here as a real provider keeps
-- it on its side: a payment session the buyer is sent to, what the buyer chose there, and
-- whether the signed callback reached the tenant's site (retried by the job
-- core.test_card_callbacks until it did).
CREATE TABLE IF NOT EXISTS test_card_session (
    tenant_id BIGINT UNSIGNED NOT NULL,
    session CHAR(43) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    order_code CHAR(12) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    amount INT UNSIGNED NOT NULL,
    return_path VARCHAR(255) CHARACTER SET ascii NULL,
    result ENUM('open', 'succeeded', 'declined') NOT NULL DEFAULT 'open',
    card_last4 CHAR(4) CHARACTER SET ascii NULL,
    created_at DATETIME(3) NOT NULL,
    decided_at DATETIME(3) NULL,
    delivered_at DATETIME(3) NULL,
    attempts INT UNSIGNED NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, session),
    KEY test_card_session_undelivered (tenant_id, result, delivered_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
