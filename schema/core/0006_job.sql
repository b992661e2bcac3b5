-- The scheduler's records (`madoguchi jobs`, core/jobs.c). Platform tables: they belong to no
-- tenant, so they have no tenant_id.

-- One row per run of a job: scheduled (manual = 0, scheduled_for is the slot of its schedule)
-- or started by an operator (`madoguchi jobs run`, manual = 1, scheduled_for is the time it ran
-- "as of"). A failed scheduled run is tried again for the same slot with attempt + 1.
-- outcome: 'running' while a scheduler holds the job's lease and runs it; 'abandoned' when that
-- scheduler stopped before the end (recorded by the next one to take the lease).
CREATE TABLE IF NOT EXISTS job_run (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    job VARCHAR(64) CHARACTER SET ascii NOT NULL,
    scheduled_for DATETIME(6) NOT NULL,
    manual TINYINT(1) NOT NULL DEFAULT 0,
    attempt INT NOT NULL DEFAULT 1,
    started_at DATETIME(6) NOT NULL,
    finished_at DATETIME(6) NULL,
    outcome ENUM('running', 'ok', 'failed', 'abandoned') NOT NULL,
    detail TEXT NULL,
    holder VARCHAR(128) NOT NULL,
    PRIMARY KEY (id),
    KEY job_run_schedule (job, manual, scheduled_for),
    KEY job_run_outcome (job, outcome)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Who runs a job now. A scheduler takes the row with a conditional UPDATE that succeeds only
-- when it is free or expired, renews it while the job runs, and frees it at the end; a
-- scheduler that dies leaves it to expire. Times come from the schedulers' clocks (NTP-synced
-- hosts), never from the server's.
CREATE TABLE IF NOT EXISTS job_lease (
    job VARCHAR(64) CHARACTER SET ascii NOT NULL,
    holder VARCHAR(128) NOT NULL DEFAULT '',
    expires_at DATETIME(6) NOT NULL,
    PRIMARY KEY (job)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
