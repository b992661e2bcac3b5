-- Facilities, rooms, their 利用区分 blocks, purposes, admission tiers, equipment and fees (issue
-- 11, items 2 and 5). A room is a space of the venue calendar (core/commerce/calendar.h,
-- space_id): what is free is the calendar's to say, never a column here. A divisible room's parts
-- are rooms too, each on its own part-space (parent_room_id names the whole).
CREATE TABLE IF NOT EXISTS rentals_facility (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    name VARCHAR(200) NOT NULL,
    address VARCHAR(400) NOT NULL DEFAULT '',
    weekend_percent INT UNSIGNED NOT NULL DEFAULT 0,   -- 土日祝加算 on the blocks
    full_day_percent INT UNSIGNED NOT NULL DEFAULT 0,  -- 全日 discount
    deadline_days_after INT UNSIGNED NOT NULL DEFAULT 7,  -- 仮予約: paid or approved within
    deadline_days_before INT UNSIGNED NOT NULL DEFAULT 3, -- and no later than this before use
    resident_months INT UNSIGNED NOT NULL DEFAULT 3,   -- booking window of residents
    other_months INT UNSIGNED NOT NULL DEFAULT 1,      -- and of everyone else
    monthly_limit INT UNSIGNED NOT NULL DEFAULT 4,     -- bookings a month per user (0: none)
    review_users TINYINT(1) NOT NULL DEFAULT 0,        -- registrations wait for staff review
    -- the cancellation ladder, "min_days:percent" steps of a fee (core mg_fee_rule):
    -- 100 % refund to 30 days before, 50 % to 7, none after
    cancel_ladder VARCHAR(200) NOT NULL DEFAULT '30:0,7:50,0:100',
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (tenant_id, id),
    KEY rentals_facility_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS rentals_room (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    facility_id BIGINT UNSIGNED NOT NULL,
    parent_room_id BIGINT UNSIGNED NULL,   -- a part (舞台, A面) of this whole room
    space_id BIGINT UNSIGNED NOT NULL,     -- the venue calendar's space
    name VARCHAR(200) NOT NULL,
    floor VARCHAR(40) NOT NULL DEFAULT '',
    capacity INT UNSIGNED NOT NULL DEFAULT 0,
    default_purpose VARCHAR(32) NOT NULL DEFAULT 'general',
    lottery_only TINYINT(1) NOT NULL DEFAULT 0,  -- booked through the 抽選 only (core, later)
    active TINYINT(1) NOT NULL DEFAULT 1,
    sort_order INT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    UNIQUE KEY rentals_room_space (tenant_id, space_id),
    KEY rentals_room_facility (tenant_id, facility_id, sort_order),
    KEY rentals_room_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The 利用区分 of a facility (午前 9–12, 午後 13–17, 夜間 18–22, or others), in day order.
CREATE TABLE IF NOT EXISTS rentals_block (
    tenant_id BIGINT UNSIGNED NOT NULL,
    facility_id BIGINT UNSIGNED NOT NULL,
    code VARCHAR(16) NOT NULL,          -- "am", "pm", "night": what the API names
    label VARCHAR(40) NOT NULL,         -- "午前"
    start_minute INT UNSIGNED NOT NULL, -- after local midnight
    end_minute INT UNSIGNED NOT NULL,
    sort_order INT NOT NULL,
    PRIMARY KEY (tenant_id, facility_id, code),
    KEY rentals_block_order (tenant_id, facility_id, sort_order)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The base fee of a room for a block (税込 yen).
CREATE TABLE IF NOT EXISTS rentals_fee (
    tenant_id BIGINT UNSIGNED NOT NULL,
    room_id BIGINT UNSIGNED NOT NULL,
    block_code VARCHAR(16) NOT NULL,
    amount INT UNSIGNED NOT NULL,
    PRIMARY KEY (tenant_id, room_id, block_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- 利用目的 and its multiplier (percent: 営利 300).
CREATE TABLE IF NOT EXISTS rentals_purpose (
    tenant_id BIGINT UNSIGNED NOT NULL,
    facility_id BIGINT UNSIGNED NOT NULL,
    code VARCHAR(32) NOT NULL,
    label VARCHAR(80) NOT NULL,
    percent INT UNSIGNED NOT NULL DEFAULT 100,
    sort_order INT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, facility_id, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- 入場料 tiers: an admission up to max_yen multiplies the blocks by percent (the first tier
-- whose max_yen is at or above the admission applies; 0 = 入場料なし).
CREATE TABLE IF NOT EXISTS rentals_admission_tier (
    tenant_id BIGINT UNSIGNED NOT NULL,
    facility_id BIGINT UNSIGNED NOT NULL,
    max_yen INT UNSIGNED NOT NULL,
    label VARCHAR(80) NOT NULL,
    percent INT UNSIGNED NOT NULL,
    PRIMARY KEY (tenant_id, facility_id, max_yen)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- 付帯設備 of a facility, shared by its rooms: stock units, fee per unit per block.
CREATE TABLE IF NOT EXISTS rentals_equipment (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    facility_id BIGINT UNSIGNED NOT NULL,
    name VARCHAR(120) NOT NULL,
    stock INT UNSIGNED NOT NULL,
    fee_per_block INT UNSIGNED NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    KEY rentals_equipment_facility (tenant_id, facility_id),
    KEY rentals_equipment_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
