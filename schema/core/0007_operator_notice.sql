-- Platform operator accounts (issue 3, item 1), notices (新着情報) and who read them (item 9).
--
-- Operators belong to the platform, not to a tenant. Their rows carry tenant_id 0 (the
-- platform, as in session and audit_log) so that login, lockout and password changes run
-- through the same code and the same statement shapes as staff (core/staff.c, "account").
-- Never deleted, only deactivated; ids come from one AUTO_INCREMENT counter, never reused.
CREATE TABLE IF NOT EXISTS operator (
    tenant_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    login VARCHAR(64) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
    name VARCHAR(200) NOT NULL,
    password_hash VARCHAR(255) CHARACTER SET ascii NOT NULL,
    must_change_password TINYINT(1) NOT NULL DEFAULT 1,
    failed_logins INT NOT NULL DEFAULT 0,
    locked_until DATETIME(6) NULL,
    -- reserved for two-factor login of operators (sealed like the staff's)
    totp_secret_sealed VARBINARY(200) NULL,
    active TINYINT(1) NOT NULL DEFAULT 1,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    last_login_at DATETIME(6) NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE KEY operator_login (tenant_id, login),
    KEY operator_id_counter (id),
    CONSTRAINT operator_platform_only CHECK (tenant_id = 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The last password hashes of each operator, so a change cannot go back to one of the last 5.
CREATE TABLE IF NOT EXISTS operator_password_history (
    tenant_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
    operator_id BIGINT UNSIGNED NOT NULL,
    changed_at DATETIME(6) NOT NULL,
    password_hash VARCHAR(255) CHARACTER SET ascii NOT NULL,
    PRIMARY KEY (tenant_id, operator_id, changed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Notices: tenant_id 0 is a platform-wide notice posted by an operator (maintenance,
-- incidents), any other tenant_id a notice of that tenant posted by its administrators. ids
-- come from one counter across tenants, so notice_read can name a notice by id alone.
CREATE TABLE IF NOT EXISTS notice (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    kind ENUM('maintenance', 'incident', 'info') NOT NULL,
    title VARCHAR(200) NOT NULL,
    body TEXT NOT NULL,
    published_at DATETIME(6) NOT NULL,       -- UTC
    created_by VARCHAR(100) NOT NULL,        -- "operator:3", "staff:12" (as in audit_log.actor)
    PRIMARY KEY (tenant_id, id),
    KEY notice_id_counter (id),
    KEY notice_published (tenant_id, published_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Which staff member has marked which notice (platform or own tenant) as read.
CREATE TABLE IF NOT EXISTS notice_read (
    tenant_id BIGINT UNSIGNED NOT NULL,
    staff_id BIGINT UNSIGNED NOT NULL,
    notice_id BIGINT UNSIGNED NOT NULL,
    read_at DATETIME(6) NOT NULL,
    PRIMARY KEY (tenant_id, staff_id, notice_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
