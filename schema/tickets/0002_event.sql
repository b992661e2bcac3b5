-- Events, performances and what they sell (issue 4, item 3). Money is whole yen (INT).
-- Sold units live in core/inventory: kind 'seat' (resource = performance, unit = seat_no),
-- kind 'ga' (resource = ga quota, unit = place 1..capacity), kind 'merch' (resource =
-- merchandise item, unit = 1..stock).

-- kind: 'seated' (seat map) or 'ga' (general admission quotas only). state: a draft is seen
-- by staff only; published events are listed to the public; closed ones are not sold.
CREATE TABLE IF NOT EXISTS tickets_event (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    title VARCHAR(200) NOT NULL,
    description TEXT NOT NULL,
    venue_id BIGINT UNSIGNED NOT NULL,
    seat_map_id BIGINT UNSIGNED NULL,
    kind ENUM('seated', 'ga') NOT NULL,
    state ENUM('draft', 'published', 'closed') NOT NULL DEFAULT 'draft',
    per_order_limit INT UNSIGNED NOT NULL DEFAULT 8,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (tenant_id, id),
    KEY tickets_event_state (tenant_id, state),
    KEY tickets_event_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A date of an event. Times in UTC. Its seats are inventory units 1..seat_count of the
-- event's map, created when the performance is created.
CREATE TABLE IF NOT EXISTS tickets_performance (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    event_id BIGINT UNSIGNED NOT NULL,
    starts_at DATETIME NOT NULL,
    doors_at DATETIME NULL,
    sale_starts_at DATETIME NOT NULL,
    sale_ends_at DATETIME NOT NULL,
    state ENUM('on_sale', 'cancelled') NOT NULL DEFAULT 'on_sale',
    PRIMARY KEY (tenant_id, id),
    KEY tickets_performance_event (tenant_id, event_id, starts_at),
    KEY tickets_performance_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The seat categories an event sells, by the map's category code, best first (rank 1).
CREATE TABLE IF NOT EXISTS tickets_category (
    tenant_id BIGINT UNSIGNED NOT NULL,
    event_id BIGINT UNSIGNED NOT NULL,
    code VARCHAR(16) NOT NULL,
    name VARCHAR(100) NOT NULL,
    rank_no INT UNSIGNED NOT NULL,
    PRIMARY KEY (tenant_id, event_id, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Adult, child, concession… of an event.
CREATE TABLE IF NOT EXISTS tickets_ticket_type (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    event_id BIGINT UNSIGNED NOT NULL,
    name VARCHAR(100) NOT NULL,
    sort_no INT UNSIGNED NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    KEY tickets_ticket_type_event (tenant_id, event_id, sort_no),
    KEY tickets_ticket_type_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The price of a ticket type in a seat category (category '' for general admission quotas:
-- see tickets_ga_quota.price_category).
CREATE TABLE IF NOT EXISTS tickets_price (
    tenant_id BIGINT UNSIGNED NOT NULL,
    event_id BIGINT UNSIGNED NOT NULL,
    category VARCHAR(16) NOT NULL,
    ticket_type_id BIGINT UNSIGNED NOT NULL,
    amount INT UNSIGNED NOT NULL,
    PRIMARY KEY (tenant_id, event_id, category, ticket_type_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A general-admission quota of a performance ("standing", "lawn"): capacity units, priced as
-- the category price_category of the event.
CREATE TABLE IF NOT EXISTS tickets_ga_quota (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    performance_id BIGINT UNSIGNED NOT NULL,
    name VARCHAR(100) NOT NULL,
    price_category VARCHAR(16) NOT NULL,
    capacity INT UNSIGNED NOT NULL,
    PRIMARY KEY (tenant_id, id),
    KEY tickets_ga_quota_performance (tenant_id, performance_id),
    KEY tickets_ga_quota_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Merchandise (programmes, T-shirts), optionally tied to an event; stock = inventory units.
CREATE TABLE IF NOT EXISTS tickets_merch (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    event_id BIGINT UNSIGNED NULL,
    name VARCHAR(200) NOT NULL,
    price INT UNSIGNED NOT NULL,
    stock INT UNSIGNED NOT NULL,
    state ENUM('on_sale', 'withdrawn') NOT NULL DEFAULT 'on_sale',
    PRIMARY KEY (tenant_id, id),
    KEY tickets_merch_event (tenant_id, event_id),
    KEY tickets_merch_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
