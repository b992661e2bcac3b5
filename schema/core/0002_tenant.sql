-- Contractors (契約者). A tenant row is never deleted: after the 30-day purge it stays as a
-- tombstone so its slug is never reused. Every tenant-owned table leads its primary key and
-- each index with tenant_id; tenant_id 0 is the platform itself (operator actions, notices).
CREATE TABLE IF NOT EXISTS tenant (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    slug VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name VARCHAR(200) NOT NULL,
    contract_start DATE NOT NULL,
    contract_end DATE NULL,
    time_zone VARCHAR(64) CHARACTER SET ascii NOT NULL DEFAULT 'Asia/Tokyo',
    state ENUM('active', 'suspended', 'terminated') NOT NULL DEFAULT 'active',
    -- the tenant's data key, AES-256-GCM wrapped by the master key (context "tenant:<id>")
    data_key_wrapped VARBINARY(128) NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (id),
    UNIQUE KEY tenant_slug (slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Which modules (services) a tenant has contracted.
CREATE TABLE IF NOT EXISTS tenant_module (
    tenant_id BIGINT UNSIGNED NOT NULL,
    module VARCHAR(32) CHARACTER SET ascii NOT NULL,
    PRIMARY KEY (tenant_id, module),
    CONSTRAINT tenant_module_tenant FOREIGN KEY (tenant_id) REFERENCES tenant (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
