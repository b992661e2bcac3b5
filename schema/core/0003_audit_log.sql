-- The audit log (issue 3, item 7): one hash chain per tenant (tenant_id 0 is the platform).
-- Row seq n of a tenant carries in prev_hash the hash of its row n-1 (64 zeros for seq 1), and
-- in hash the SHA-256 of its own canonical serialisation (core/audit.c), so a changed, removed
-- or inserted row breaks the chain where `madoguchi audit verify` finds it.
--
-- Append-only: `madoguchi migrate` grants the application account only SELECT and INSERT on
-- audit_log (core/grants.c). Rows are written only by mg_audit_append, which takes `at` on the
-- C side and stores it exactly (microseconds, UTC), so verification hashes the same bytes.
CREATE TABLE IF NOT EXISTS audit_log (
    tenant_id BIGINT UNSIGNED NOT NULL,
    seq BIGINT UNSIGNED NOT NULL,           -- 1, 2, 3 … per tenant, without gaps
    at DATETIME(6) NOT NULL,                -- UTC
    actor VARCHAR(100) NOT NULL,            -- "staff:12", "operator:3", "customer:88", "anonymous"
    action VARCHAR(64) NOT NULL,            -- "login.success", "account.lock", "audit.export" …
    object VARCHAR(200) NOT NULL DEFAULT '',
    ip VARCHAR(45) NOT NULL DEFAULT '',
    user_agent VARCHAR(300) NOT NULL DEFAULT '',
    outcome ENUM('success', 'failure', 'denied') NOT NULL,
    detail VARCHAR(500) NULL,
    prev_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (tenant_id, seq),
    KEY audit_log_at (tenant_id, at),
    KEY audit_log_action (tenant_id, action, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The end of each tenant's chain. An append locks this row (SELECT … FOR UPDATE) for the
-- length of its transaction, so appends of one tenant queue here and never fork or leave a
-- gap, across any number of workers and hosts, without GET_LOCK or table locks.
CREATE TABLE IF NOT EXISTS audit_head (
    tenant_id BIGINT UNSIGNED NOT NULL,
    last_seq BIGINT UNSIGNED NOT NULL,
    last_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (tenant_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
