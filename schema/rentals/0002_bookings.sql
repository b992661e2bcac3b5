-- Registered users, bookings, their fee lines and equipment (issue 11, items 3–5).
--
-- 利用者登録 on a core customer account (person): the personal data (name, e-mail, phone) stays
-- sealed in the core; what is here is the rentals status. kind 'group' (団体) adds the group's
-- name, its representative's title and the member count.
CREATE TABLE IF NOT EXISTS rentals_user (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    person_id BIGINT UNSIGNED NOT NULL,          -- core customer account
    kind ENUM('individual','group') NOT NULL DEFAULT 'individual',
    group_name VARCHAR(200) NOT NULL DEFAULT '',
    representative VARCHAR(200) NOT NULL DEFAULT '',
    member_count INT UNSIGNED NOT NULL DEFAULT 0,
    resident TINYINT(1) NOT NULL DEFAULT 1,      -- 市内 / 市外
    state ENUM('pending','approved','declined','suspended') NOT NULL DEFAULT 'approved',
    late_cancellations INT UNSIGNED NOT NULL DEFAULT 0,
    no_shows INT UNSIGNED NOT NULL DEFAULT 0,
    registered_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (tenant_id, id),
    UNIQUE KEY rentals_user_person (tenant_id, person_id),
    KEY rentals_user_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A booking of consecutive blocks of one room on one day. Its time is one occupation of the
-- venue calendar (occupation_id), provisional under a core hold (hold_id) until confirmed.
-- state: provisional (仮予約) → confirmed (本予約) | cancelled | lapsed (deadline passed) |
-- declined (by staff).
CREATE TABLE IF NOT EXISTS rentals_booking (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    code VARCHAR(40) NOT NULL,                   -- "R" + 8 digits: what people and the API name
    room_id BIGINT UNSIGNED NOT NULL,
    user_id BIGINT UNSIGNED NULL,                -- rentals_user; NULL for a counter booking
    person_id BIGINT UNSIGNED NULL,              -- the core customer account, when known
    use_date DATE NOT NULL,                      -- local date of use
    first_block VARCHAR(16) NOT NULL,
    last_block VARCHAR(16) NOT NULL,
    starts_at DATETIME NOT NULL,                 -- UTC
    ends_at DATETIME NOT NULL,
    purpose VARCHAR(32) NOT NULL,
    attendees INT UNSIGNED NOT NULL DEFAULT 0,
    admission_yen INT UNSIGNED NOT NULL DEFAULT 0,
    state ENUM('provisional','confirmed','cancelled','lapsed','declined') NOT NULL DEFAULT 'provisional',
    deadline DATETIME NULL,                      -- UTC; provisional only
    hold_id BIGINT UNSIGNED NULL,                -- core provisional hold
    occupation_id BIGINT UNSIGNED NULL,          -- venue calendar
    total INT NOT NULL DEFAULT 0,
    paid INT NOT NULL DEFAULT 0,
    reduction_percent INT UNSIGNED NOT NULL DEFAULT 0,
    reduction_reason VARCHAR(200) NOT NULL DEFAULT '',
    reduction_state ENUM('none','requested','approved','refused') NOT NULL DEFAULT 'none',
    booked_by_staff BIGINT UNSIGNED NULL,        -- a counter booking
    contact_name VARBINARY(1024) NULL,           -- sealed with the tenant's key (counter/API person)
    contact_email VARBINARY(1024) NULL,
    contact_phone VARBINARY(512) NULL,
    cancel_fee INT NOT NULL DEFAULT 0,
    refund INT NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    closed_at DATETIME(6) NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE KEY rentals_booking_code (tenant_id, code),
    KEY rentals_booking_room_day (tenant_id, room_id, use_date),
    KEY rentals_booking_due (tenant_id, state, deadline),
    KEY rentals_booking_user_month (tenant_id, user_id, use_date),
    KEY rentals_booking_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The fee of a booking, line by line as it was shown (fees.c; MG_LINE_* types, signed).
CREATE TABLE IF NOT EXISTS rentals_booking_line (
    tenant_id BIGINT UNSIGNED NOT NULL,
    booking_id BIGINT UNSIGNED NOT NULL,
    line_no INT UNSIGNED NOT NULL,
    line_type VARCHAR(24) NOT NULL,
    label VARCHAR(200) NOT NULL,
    amount INT NOT NULL,
    PRIMARY KEY (tenant_id, booking_id, line_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Equipment taken by a booking.
CREATE TABLE IF NOT EXISTS rentals_booking_equipment (
    tenant_id BIGINT UNSIGNED NOT NULL,
    booking_id BIGINT UNSIGNED NOT NULL,
    equipment_id BIGINT UNSIGNED NOT NULL,
    quantity INT UNSIGNED NOT NULL,
    PRIMARY KEY (tenant_id, booking_id, equipment_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Equipment in use per block of a day, shared by the facility's rooms. A booking adds its
-- quantity with one conditional UPDATE (used + q <= stock) in its own transaction, so two
-- bookings can never take more than the stock whatever their order; cancelling or lapsing
-- subtracts it in the transaction that closes the booking. Quantities, not identities, are
-- booked: the venue calendar's claims (one row per slot and space) would need one space per
-- projector and chair; the core inventory one unit row per chair per block of every day.
CREATE TABLE IF NOT EXISTS rentals_equipment_use (
    tenant_id BIGINT UNSIGNED NOT NULL,
    equipment_id BIGINT UNSIGNED NOT NULL,
    use_date DATE NOT NULL,
    block_code VARCHAR(16) NOT NULL,
    used INT UNSIGNED NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, equipment_id, use_date, block_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
