-- Keeping contractors informed (issue 16): maintenance windows announced ahead, the watcher's
-- checks, incidents with their measured downtime, and where tenant administrators are mailed.

-- A maintenance window: scheduled ahead (announced at once, reminded 24 h before, switched on
-- at starts_at and off at ends_at by the job core.maintenance) or an emergency one (starts
-- now, mailed first). Kept for the contract period; never deleted, only cancelled.
CREATE TABLE IF NOT EXISTS maintenance_window (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    starts_at DATETIME NOT NULL,              -- UTC
    ends_at DATETIME NOT NULL,                -- UTC, the expected end
    reason VARCHAR(500) NOT NULL,
    services VARCHAR(200) CHARACTER SET ascii NOT NULL DEFAULT 'all',
    emergency TINYINT(1) NOT NULL DEFAULT 0,
    state ENUM('scheduled', 'active', 'done', 'cancelled') NOT NULL DEFAULT 'scheduled',
    announced_at DATETIME NULL,
    reminded_at DATETIME NULL,
    started_at DATETIME NULL,
    ended_at DATETIME NULL,
    created_by VARCHAR(100) NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    KEY maintenance_window_start (state, starts_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What the watcher saw of each check (web:<url>, database, scheduler, backup, drill, disk,
-- certificate): failing since when, so that a failure past the threshold opens one incident.
CREATE TABLE IF NOT EXISTS monitor_check (
    name VARCHAR(200) CHARACTER SET ascii NOT NULL,
    ok TINYINT(1) NOT NULL,
    failing_since DATETIME NULL,
    detail VARCHAR(500) NOT NULL DEFAULT '',
    checked_at DATETIME NOT NULL,
    PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- An incident: opened by the watcher when a check failed past the threshold, closed when all
-- is healthy again (downtime = ended_at - started_at). A failure soon after a close reopens the
-- same incident (flapping: one mail). cause and measures (原因と対策) are filled by the operator
-- and shown to the affected tenants.
CREATE TABLE IF NOT EXISTS incident (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    started_at DATETIME NOT NULL,             -- UTC: when the check first failed
    ended_at DATETIME NULL,
    what VARCHAR(500) NOT NULL,               -- the failed checks
    services VARCHAR(200) CHARACTER SET ascii NOT NULL DEFAULT 'all',
    cause TEXT NULL,
    measures TEXT NULL,
    mailed_at DATETIME NULL,
    PRIMARY KEY (id),
    KEY incident_started (started_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Where a staff member is mailed about maintenance and incidents (sealed with the tenant's key).
ALTER TABLE staff ADD COLUMN IF NOT EXISTS email_sealed VARBINARY(400) NULL AFTER name_sealed;
