-- The restore drills (`madoguchi drill`, the core.restore_drill job; core/drill.c): which
-- backup was restored into a scratch server, and whether it started, passed CHECK TABLE and held
-- exactly the counts and checksums of its manifest. A platform table: it belongs to no tenant.
-- The operator console shows the last one and alerts when none passed in 48 hours.
CREATE TABLE IF NOT EXISTS restore_drill (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    backup_id CHAR(16) CHARACTER SET ascii NOT NULL,
    started_at DATETIME(6) NOT NULL,
    finished_at DATETIME(6) NOT NULL,
    outcome ENUM('passed', 'failed') NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (id),
    KEY restore_drill_finished (finished_at),
    KEY restore_drill_outcome (outcome, finished_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
