-- Everything that can be sold or booked, one row per unit (core/inventory.c; DESIGN.md "Seat
-- and slot locking"). kind names what the resource is ('seat': resource = a performance,
-- unit = seat_no; 'ga': a general-admission quota; 'merch': a merchandise item; rentals and
-- lessons add theirs). A unit is taken by one conditional UPDATE: free, or held with a lapsed
-- hold, becomes held by hold_token (a cart id) until hold_expires; sold units carry the order.
-- 'blocked' units (house seats, kills) are taken by nobody until staff release them.
-- A lapsed hold counts as free everywhere; the core.hold_sweep job only tidies the rows.
CREATE TABLE IF NOT EXISTS inventory_unit (
    tenant_id BIGINT UNSIGNED NOT NULL,
    kind VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    resource_id BIGINT UNSIGNED NOT NULL,
    unit INT UNSIGNED NOT NULL,
    state ENUM('free', 'held', 'sold', 'blocked') NOT NULL DEFAULT 'free',
    hold_token BIGINT UNSIGNED NULL,
    hold_expires DATETIME(3) NULL,
    order_id BIGINT UNSIGNED NULL,
    PRIMARY KEY (tenant_id, kind, resource_id, unit),
    KEY inventory_unit_hold (tenant_id, hold_token),
    KEY inventory_unit_order (tenant_id, order_id),
    KEY inventory_unit_lapse (tenant_id, state, hold_expires)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
