-- Commerce for every module (issue 10, item 6): namespaced inventory kinds, provisional holds,
-- the order states bookings need with their history, signed money lines, payment rows for
-- refunds and cancellation fees. Every step is safe to run again.

-- Inventory kinds are named "<module>.<kind>" ("tickets.seat", "rentals.block"): two modules
-- can never claim the same kind. The rows made before are the tickets module's.
ALTER TABLE inventory_unit MODIFY kind VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
ALTER TABLE cart_item MODIFY kind VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
ALTER TABLE order_line MODIFY kind VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
UPDATE inventory_unit SET kind = CONCAT('tickets.', kind) WHERE kind IN ('seat', 'ga', 'merch');
UPDATE cart_item SET kind = CONCAT('tickets.', kind) WHERE kind IN ('seat', 'ga', 'merch');
UPDATE order_line SET kind = CONCAT('tickets.', kind) WHERE kind IN ('seat', 'ga', 'merch');

-- A provisional hold (仮予約, an enrolment awaiting payment, a waitlist offer; core/hold.c):
-- owned by a module's booking (owner_kind "rentals.booking", owner_id its id), it holds
-- inventory units (their hold_token is MG_HOLD_TOKEN_BASE + id) until expires_at — hours to
-- weeks, where a cart holds minutes. 'confirmed' once staff approve or the buyer pays (its
-- units then sold to order_id), 'lapsed' when the job found it past its deadline,
-- 'released' when its owner gave it up.
CREATE TABLE IF NOT EXISTS provisional_hold (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    owner_kind VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    owner_id BIGINT UNSIGNED NOT NULL,
    state ENUM('held', 'confirmed', 'lapsed', 'released') NOT NULL DEFAULT 'held',
    units INT UNSIGNED NOT NULL DEFAULT 0,
    order_id BIGINT UNSIGNED NULL,
    created_at DATETIME(3) NOT NULL,
    expires_at DATETIME(3) NOT NULL,
    closed_at DATETIME(3) NULL,
    PRIMARY KEY (tenant_id, id),
    KEY provisional_hold_owner (tenant_id, owner_kind, owner_id),
    KEY provisional_hold_due (tenant_id, state, expires_at),
    KEY provisional_hold_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The states a booking needs: 'requested' (awaiting staff approval) → 'approved' or
-- 'declined'; approved → 'pending' (awaiting payment, as a ticket order is from checkout) →
-- 'paid'; 'cancelled', 'expired', 'refunded' as before. module: who sold it (its mail and
-- fee rule); hold_id: its provisional hold; use_at: the day of use (a cancellation fee
-- counts the days before it).
ALTER TABLE orders MODIFY state ENUM('requested', 'approved', 'declined', 'pending', 'paid', 'cancelled', 'expired',
    'refunded') NOT NULL;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS module VARCHAR(32) CHARACTER SET ascii NULL AFTER channel;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS hold_id BIGINT UNSIGNED NULL AFTER module;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS use_at DATETIME(3) NULL AFTER hold_id;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS note VARCHAR(255) NULL AFTER use_at;
UPDATE orders o SET module = (SELECT MIN(l.module) FROM order_line l WHERE l.tenant_id = o.tenant_id
    AND l.order_id = o.id) WHERE module IS NULL;

-- Money lines may be negative (a discount, 減免) or extra (入会金, a fee): line_type says
-- which; a 'unit' line is a unit sold (kind, resource_id, unit name it), the others carry
-- resource_id = unit = 0. The order's total (orders.total) is never negative.
ALTER TABLE order_line MODIFY amount INT NOT NULL;
ALTER TABLE order_line ADD COLUMN IF NOT EXISTS line_type ENUM('unit', 'discount', 'reduction', 'fee', 'admission',
    'cancellation_fee') NOT NULL DEFAULT 'unit' AFTER line_no;

-- Every change of an order's state, one row each: who (actor: "staff:<id>", "buyer",
-- "system", "cli"), when, from, to, and a note.
CREATE TABLE IF NOT EXISTS order_history (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    order_id BIGINT UNSIGNED NOT NULL,
    at DATETIME(3) NOT NULL,
    actor VARCHAR(64) NOT NULL,
    from_state VARCHAR(16) CHARACTER SET ascii NULL,
    to_state VARCHAR(16) CHARACTER SET ascii NOT NULL,
    note VARCHAR(255) NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    KEY order_history_order (tenant_id, order_id, id),
    KEY order_history_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Payments and refunds are records, never edits: a 'charge' is money the buyer pays (its
-- state moves started → succeeded/failed as the provider decides), a 'refund' money paid back,
-- a 'fee' the part of a paid charge kept as a cancellation fee.
ALTER TABLE payment ADD COLUMN IF NOT EXISTS kind ENUM('charge', 'refund', 'fee') NOT NULL DEFAULT 'charge'
    AFTER order_id;
ALTER TABLE payment ADD COLUMN IF NOT EXISTS note VARCHAR(255) NULL AFTER state;
