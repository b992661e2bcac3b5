-- 抽選: verifiable lotteries of any module (core/commerce/lottery.c, docs/lottery.md).
-- A draw's seed is drawn when it is created; only its SHA-256 (commitment) is shown until the
-- draw, when entries_hash (SHA-256 of the canonical entries) is fixed and the seed revealed.
CREATE TABLE IF NOT EXISTS lottery_draw (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    owner VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    kind VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    title VARCHAR(200) NOT NULL,
    opens_at DATETIME NOT NULL,
    closes_at DATETIME NOT NULL,
    first_come_at DATETIME NOT NULL,
    confirm_days INT UNSIGNED NOT NULL,
    max_choices INT UNSIGNED NOT NULL,
    max_wins INT UNSIGNED NOT NULL,
    seed BINARY(32) NOT NULL,
    commitment CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    entries_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    state ENUM('open', 'drawn') NOT NULL DEFAULT 'open',
    drawn_at DATETIME NULL,
    drawn_by VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    KEY lottery_draw_tenant (tenant_id, id),
    KEY lottery_draw_due (state, closes_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What is drawn: a room's block (capacity 1), a course's places (capacity N).
CREATE TABLE IF NOT EXISTS lottery_item (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    draw_id BIGINT UNSIGNED NOT NULL,
    item_key VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    capacity INT UNSIGNED NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY lottery_item_key (tenant_id, draw_id, item_key),
    KEY lottery_item_draw (tenant_id, draw_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A winning entry gets a provisional hold (core/commerce/hold.h, owner 'core.lottery', the
-- entry's id) that lapses at confirm_by; the module may put its units into it.
-- One entry per applicant key (a person, or a family member of one), its ranked choices as
-- text ("3,4;7": ranks by ';', a bundle's items by ','), and its result after the draw.
CREATE TABLE IF NOT EXISTS lottery_entry (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    draw_id BIGINT UNSIGNED NOT NULL,
    applicant_id BIGINT UNSIGNED NOT NULL,
    member INT UNSIGNED NOT NULL DEFAULT 0,
    max_wins INT UNSIGNED NOT NULL,
    choices VARCHAR(1000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    state ENUM('entered', 'won', 'lost', 'confirmed', 'lapsed') NOT NULL DEFAULT 'entered',
    won VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    confirm_by DATETIME NULL,
    hold_id BIGINT UNSIGNED NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY lottery_entry_applicant (tenant_id, draw_id, applicant_id, member),
    KEY lottery_entry_lapse (state, confirm_by)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The items each winning entry got (one row per item of each won choice).
CREATE TABLE IF NOT EXISTS lottery_award (
    tenant_id BIGINT UNSIGNED NOT NULL,
    draw_id BIGINT UNSIGNED NOT NULL,
    entry_id BIGINT UNSIGNED NOT NULL,
    item_id BIGINT UNSIGNED NOT NULL,
    choice_rank INT UNSIGNED NOT NULL,
    PRIMARY KEY (tenant_id, entry_id, item_id),
    KEY lottery_award_item (tenant_id, item_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
