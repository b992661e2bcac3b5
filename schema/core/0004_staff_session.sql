-- Contractor staff (back-office accounts). Never deleted, only deactivated; ids come from one
-- AUTO_INCREMENT counter that InnoDB persists, so an id is never handed out twice, and a login
-- name stays taken by its deactivated account.
CREATE TABLE IF NOT EXISTS staff (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    login VARCHAR(64) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
    -- display name, AES-256-GCM sealed with the tenant's data key
    name_sealed VARBINARY(600) NOT NULL,
    role ENUM('admin', 'general', 'restricted') NOT NULL,
    password_hash VARCHAR(255) CHARACTER SET ascii NOT NULL,
    must_change_password TINYINT(1) NOT NULL DEFAULT 1,
    failed_logins INT NOT NULL DEFAULT 0,
    locked_until DATETIME(6) NULL,
    totp_secret_sealed VARBINARY(200) NULL,
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    active TINYINT(1) NOT NULL DEFAULT 1,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    last_login_at DATETIME(6) NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE KEY staff_login (tenant_id, login),
    KEY staff_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The last password hashes of each account, so a change cannot go back to one of the last 5.
CREATE TABLE IF NOT EXISTS staff_password_history (
    tenant_id BIGINT UNSIGNED NOT NULL,
    staff_id BIGINT UNSIGNED NOT NULL,
    changed_at DATETIME(6) NOT NULL,
    password_hash VARCHAR(255) CHARACTER SET ascii NOT NULL,
    PRIMARY KEY (tenant_id, staff_id, changed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One-time recovery codes for two-factor login, stored as SHA-256 of the normalised code.
CREATE TABLE IF NOT EXISTS staff_recovery_code (
    tenant_id BIGINT UNSIGNED NOT NULL,
    staff_id BIGINT UNSIGNED NOT NULL,
    code_hash CHAR(64) CHARACTER SET ascii NOT NULL,
    used_at DATETIME(6) NULL,
    PRIMARY KEY (tenant_id, staff_id, code_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Logged-in sessions. The cookie holds a 256-bit token; only its SHA-256 is stored. tenant_id 0
-- holds the platform operators' sessions. stage: 'password' = password checked, second factor
-- pending; 'complete' = fully logged in.
CREATE TABLE IF NOT EXISTS session (
    tenant_id BIGINT UNSIGNED NOT NULL,
    token_hash CHAR(64) CHARACTER SET ascii NOT NULL,
    kind ENUM('staff', 'operator', 'customer') NOT NULL,
    subject_id BIGINT UNSIGNED NOT NULL,
    stage ENUM('password', 'complete') NOT NULL,
    csrf_token CHAR(43) CHARACTER SET ascii NOT NULL,
    created_at DATETIME(6) NOT NULL,
    last_seen_at DATETIME(6) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    ip VARCHAR(45) NOT NULL DEFAULT '',
    user_agent VARCHAR(300) NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, token_hash),
    KEY session_subject (tenant_id, kind, subject_id),
    KEY session_expiry (tenant_id, expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
