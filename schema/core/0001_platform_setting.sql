-- Platform-wide settings the operator can change without a deploy (maintenance notice,
-- defaults). One row per setting; tenants have their own settings in later tables.
CREATE TABLE IF NOT EXISTS platform_setting (
    name VARCHAR(64) NOT NULL,
    value TEXT NOT NULL,
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
