-- One venue calendar for every module (issue 11, item 1; core/commerce/calendar.h,
-- docs/calendar.md). Every step is safe to run again. (0013 is the commerce migration.)

-- A space: a hall, a room, a court; parent_id NULL for a top-level space, else the whole it is
-- a part of (depth 0 at the top). buffer_minutes: kept free after every occupation.
CREATE TABLE IF NOT EXISTS calendar_space (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    parent_id BIGINT UNSIGNED NULL,
    depth TINYINT UNSIGNED NOT NULL DEFAULT 0,
    name VARCHAR(200) NOT NULL,
    kind VARCHAR(32) NOT NULL DEFAULT '',
    capacity INT UNSIGNED NOT NULL DEFAULT 0,
    buffer_minutes INT UNSIGNED NOT NULL DEFAULT 0,
    active TINYINT(1) NOT NULL DEFAULT 1,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (tenant_id, id),
    KEY calendar_space_parent (tenant_id, parent_id),
    KEY calendar_space_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Opening hours of a weekday (0 Sunday … 6 Saturday) in minutes after local midnight of the
-- tenant's zone; open = close: closed that weekday. A space without rows inherits its parent's;
-- no rows up the chain: open all day.
CREATE TABLE IF NOT EXISTS calendar_hours (
    tenant_id BIGINT UNSIGNED NOT NULL,
    space_id BIGINT UNSIGNED NOT NULL,
    weekday TINYINT UNSIGNED NOT NULL,
    open_minute SMALLINT UNSIGNED NOT NULL,
    close_minute SMALLINT UNSIGNED NOT NULL,
    PRIMARY KEY (tenant_id, space_id, weekday)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- 休館日 rules of a space (its parts inherit them), as written by staff: "2026-08-15" (one day),
-- "12-29..01-03" (every year, across the new year), "mon" … "sun" (every such weekday),
-- "holidays" (every national holiday of holiday_jp).
CREATE TABLE IF NOT EXISTS calendar_closed (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    space_id BIGINT UNSIGNED NOT NULL,
    rule VARCHAR(16) CHARACTER SET ascii NOT NULL,
    reason VARCHAR(200) NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    UNIQUE KEY calendar_closed_rule (tenant_id, space_id, rule),
    KEY calendar_closed_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The platform's list of Japanese national holidays (祝日), loaded from schema/holidays-jp.csv
-- by `madoguchi migrate`; no tenant rows.
CREATE TABLE IF NOT EXISTS holiday_jp (
    day DATE NOT NULL,
    name VARCHAR(64) NOT NULL,
    PRIMARY KEY (day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- An occupation of a space over [starts_at, ends_at) by an owner of a module ("tickets.performance",
-- 42). first_slot..last_slot: the claimed slots (UNIX time / 900, widened outward, plus the
-- space's buffer). hold_id/expires_at: a provisional occupation, lapsing with its hold at
-- expires_at; both NULL once confirmed. claims: how many claim rows it made.
CREATE TABLE IF NOT EXISTS calendar_occupation (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    space_id BIGINT UNSIGNED NOT NULL,
    starts_at DATETIME NOT NULL,
    ends_at DATETIME NOT NULL,
    first_slot INT UNSIGNED NOT NULL,
    last_slot INT UNSIGNED NOT NULL,
    claims INT UNSIGNED NOT NULL DEFAULT 0,
    owner_kind VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    owner_id BIGINT UNSIGNED NOT NULL,
    hold_id BIGINT UNSIGNED NULL,
    expires_at DATETIME NULL,
    label VARCHAR(200) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (tenant_id, id),
    KEY calendar_occupation_owner (tenant_id, owner_kind, owner_id),
    KEY calendar_occupation_span (tenant_id, space_id, starts_at),
    KEY calendar_occupation_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The guarantee: one row per (space, slot) an occupation holds, for its space and every part
-- below it. The primary key is the lock: a second claim of the same slot of the same space is
-- a duplicate key, whatever module or host asks. expires_at (a provisional occupation's
-- deadline) lets the next claimant delete a lapsed claim in its own transaction.
CREATE TABLE IF NOT EXISTS calendar_claim (
    tenant_id BIGINT UNSIGNED NOT NULL,
    space_id BIGINT UNSIGNED NOT NULL,
    slot INT UNSIGNED NOT NULL,
    occupation_id BIGINT UNSIGNED NOT NULL,
    expires_at DATETIME NULL,
    PRIMARY KEY (tenant_id, space_id, slot),
    KEY calendar_claim_occupation (tenant_id, occupation_id),
    KEY calendar_claim_lapse (tenant_id, expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
