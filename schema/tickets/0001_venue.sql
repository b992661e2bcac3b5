-- Venues and their seat maps (issue 4, item 2). A seat map is uploaded as XML (validated by
-- schema/seatmap.rng) and kept as sent; its seats are unpacked into tickets_seat, numbered
-- seat_no 1..N in the map's order, which is also the unit number of the seat in
-- core/inventory (kind 'seat', resource = the performance), so a performance's units are a
-- plain range 1..seat_count.
CREATE TABLE IF NOT EXISTS tickets_venue (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    name VARCHAR(200) NOT NULL,
    address VARCHAR(400) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (tenant_id, id),
    KEY tickets_venue_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One uploaded map of a venue (a venue may have several layouts). width/height: the SVG
-- viewBox the coordinates of the seats live in.
CREATE TABLE IF NOT EXISTS tickets_seat_map (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    venue_id BIGINT UNSIGNED NOT NULL,
    name VARCHAR(200) NOT NULL,
    xml MEDIUMTEXT NOT NULL,
    width INT UNSIGNED NOT NULL,
    height INT UNSIGNED NOT NULL,
    seat_count INT UNSIGNED NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    created_by BIGINT UNSIGNED NULL, -- staff.id
    PRIMARY KEY (tenant_id, id),
    KEY tickets_seat_map_venue (tenant_id, venue_id),
    KEY tickets_seat_map_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A seat of a map. category: the map's seat category code (e.g. 'S', 'A'); an event prices
-- each code. best: the order "best available" tries seats in (lower is better: the map's
-- own rank, else front rows and the centre first). x, y: the seat's centre in the map.
CREATE TABLE IF NOT EXISTS tickets_seat (
    tenant_id BIGINT UNSIGNED NOT NULL,
    seat_map_id BIGINT UNSIGNED NOT NULL,
    seat_no INT UNSIGNED NOT NULL,
    section VARCHAR(64) NOT NULL,
    row_label VARCHAR(16) NOT NULL,
    number_label VARCHAR(16) NOT NULL,
    label VARCHAR(120) NOT NULL,      -- as printed: "1階 A列 12番"
    category VARCHAR(16) NOT NULL,
    x INT NOT NULL,
    y INT NOT NULL,
    best INT UNSIGNED NOT NULL,
    row_order INT UNSIGNED NOT NULL,  -- seats of one row, left to right (for adjacency)
    wheelchair TINYINT(1) NOT NULL DEFAULT 0,
    companion TINYINT(1) NOT NULL DEFAULT 0,
    restricted_view TINYINT(1) NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, seat_map_id, seat_no),
    UNIQUE KEY tickets_seat_place (tenant_id, seat_map_id, section, row_label, number_label),
    KEY tickets_seat_best (tenant_id, seat_map_id, category, best)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
