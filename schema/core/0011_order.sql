-- Carts, orders and payments, shared by every module (DESIGN.md: what modules share belongs
-- in core). Money is whole yen. Personal data is sealed with the tenant key (core/crypto.h).

-- A cart: the units it holds are inventory units whose hold_token is the cart's id, until
-- expires_at (the tenant's hold time, 10 minutes by default). The buyer knows the cart by a
-- random token; only its SHA-256 is stored. staff_id: a box-office cart.
CREATE TABLE IF NOT EXISTS cart (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    state ENUM('open', 'checked_out', 'abandoned') NOT NULL DEFAULT 'open',
    person_id BIGINT UNSIGNED NULL,
    staff_id BIGINT UNSIGNED NULL,
    created_at DATETIME(3) NOT NULL,
    expires_at DATETIME(3) NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE KEY cart_token (tenant_id, token_hash),
    KEY cart_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What a cart holds, one row per unit. variant_id: module-specific choice for the unit (the
-- tickets module's ticket type); amount: the price when it was put in the cart.
CREATE TABLE IF NOT EXISTS cart_item (
    tenant_id BIGINT UNSIGNED NOT NULL,
    cart_id BIGINT UNSIGNED NOT NULL,
    kind VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    resource_id BIGINT UNSIGNED NOT NULL,
    unit INT UNSIGNED NOT NULL,
    module VARCHAR(32) CHARACTER SET ascii NOT NULL,
    variant_id BIGINT UNSIGNED NULL,
    description VARCHAR(255) NOT NULL,
    amount INT UNSIGNED NOT NULL,
    PRIMARY KEY (tenant_id, cart_id, kind, resource_id, unit)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- An order. code: what the buyer and staff quote (unique per tenant). state: 'pending' until
-- paid (its units are already sold to it; it expires at payment_deadline and gives them back),
-- 'paid', 'cancelled' (by staff or buyer before payment), 'expired', 'refunded'.
-- channel: 'web', 'api' or 'box_office' (staff_id says who sold it).
CREATE TABLE IF NOT EXISTS orders (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    code CHAR(12) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    cart_id BIGINT UNSIGNED NULL,
    person_id BIGINT UNSIGNED NULL,
    buyer_name_sealed VARBINARY(600) NULL,
    buyer_email_sealed VARBINARY(400) NULL,
    buyer_email_hmac CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    state ENUM('pending', 'paid', 'cancelled', 'expired', 'refunded') NOT NULL,
    channel ENUM('web', 'api', 'box_office') NOT NULL,
    staff_id BIGINT UNSIGNED NULL,
    payment_method VARCHAR(32) CHARACTER SET ascii NOT NULL,
    payment_deadline DATETIME(3) NULL,
    total INT UNSIGNED NOT NULL,
    lang CHAR(2) CHARACTER SET ascii NOT NULL DEFAULT 'ja',
    created_at DATETIME(3) NOT NULL,
    paid_at DATETIME(3) NULL,
    closed_at DATETIME(3) NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE KEY orders_code (tenant_id, code),
    KEY orders_due (tenant_id, state, payment_deadline),
    KEY orders_created (tenant_id, created_at),
    KEY orders_email (tenant_id, buyer_email_hmac),
    KEY orders_person (tenant_id, person_id),
    KEY orders_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The units an order bought (copied from the cart at checkout).
CREATE TABLE IF NOT EXISTS order_line (
    tenant_id BIGINT UNSIGNED NOT NULL,
    order_id BIGINT UNSIGNED NOT NULL,
    line_no INT UNSIGNED NOT NULL,
    module VARCHAR(32) CHARACTER SET ascii NOT NULL,
    kind VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    resource_id BIGINT UNSIGNED NOT NULL,
    unit INT UNSIGNED NOT NULL,
    variant_id BIGINT UNSIGNED NULL,
    description VARCHAR(255) NOT NULL,
    amount INT UNSIGNED NOT NULL,
    PRIMARY KEY (tenant_id, order_id, line_no),
    KEY order_line_unit (tenant_id, kind, resource_id, unit)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A payment attempt of an order through a provider ('box_office', 'bank_transfer',
-- 'test_card', …). provider_ref: the provider's id for it (a card session).
CREATE TABLE IF NOT EXISTS payment (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    order_id BIGINT UNSIGNED NOT NULL,
    provider VARCHAR(32) CHARACTER SET ascii NOT NULL,
    provider_ref VARCHAR(128) CHARACTER SET ascii NULL,
    amount INT UNSIGNED NOT NULL,
    state ENUM('started', 'succeeded', 'failed', 'refunded') NOT NULL,
    created_at DATETIME(3) NOT NULL,
    updated_at DATETIME(3) NOT NULL,
    PRIMARY KEY (tenant_id, id),
    KEY payment_order (tenant_id, order_id),
    KEY payment_ref (tenant_id, provider, provider_ref),
    KEY payment_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Tokens staff create in the back office for API clients (gate scanners). Only the SHA-256
-- of the token is stored; it acts with the rights of staff_id's role.
CREATE TABLE IF NOT EXISTS api_token (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    staff_id BIGINT UNSIGNED NOT NULL,
    name VARCHAR(100) NOT NULL,
    token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at DATETIME(3) NOT NULL,
    last_used_at DATETIME(3) NULL,
    revoked_at DATETIME(3) NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE KEY api_token_hash (tenant_id, token_hash),
    KEY api_token_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The tenant's Ed25519 signing key (core/signing.c: e-ticket codes and other signed tokens):
-- the private key sealed with the tenant data key, so it dies with it at T+60; the public key
-- in the clear for verifiers.
CREATE TABLE IF NOT EXISTS signing_key (
    tenant_id BIGINT UNSIGNED NOT NULL,
    key_id INT UNSIGNED NOT NULL,
    public_key VARBINARY(32) NOT NULL,
    private_sealed VARBINARY(200) NOT NULL,
    created_at DATETIME(3) NOT NULL,
    PRIMARY KEY (tenant_id, key_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
