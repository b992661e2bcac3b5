-- The 30/60-day purges (issue 5, item 4; core/purge.c).
--
-- A tenant row is never deleted: after the 30-day purge it stays as a tombstone, so its slug is
-- never handed out again. purged_at says the purge began (from then on its pages answer 410
-- and nothing of it is served); the rows are gone once the purge's deletion record exists.
ALTER TABLE tenant ADD COLUMN IF NOT EXISTS purged_at DATETIME(6) NULL AFTER state;

-- Evidence of each purge step, to print or export for the contractor: what was deleted, how
-- many rows or files, when, by which job run. A platform table: the tenant it speaks of is
-- subject_tenant_id, deliberately NOT a column named tenant_id, so the purge's check (every
-- table with a tenant_id column holds zero rows of the purged tenant) does not count it.
-- step: 'rows' = every row of the tenant deleted (T+30); 'backups' = every backup taken before
-- that deleted (T+60); 'key' = the tenant's data key destroyed (T+60); 'replay' = rows that a
-- restore brought back, deleted again by `madoguchi purge replay`.
-- Written only by the purge as the schema owner; the application account may only read it
-- (core/grants.c).
CREATE TABLE IF NOT EXISTS deletion_record (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    subject_tenant_id BIGINT UNSIGNED NOT NULL,
    subject_slug VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    subject_name VARCHAR(200) NOT NULL,
    step ENUM('rows', 'backups', 'key', 'replay') NOT NULL,
    at DATETIME(6) NOT NULL,                 -- UTC, the time the job ran "as of"
    row_count BIGINT UNSIGNED NOT NULL DEFAULT 0,
    file_count INT UNSIGNED NOT NULL DEFAULT 0,
    job VARCHAR(64) CHARACTER SET ascii NOT NULL,  -- "core.purge" or "purge replay"
    job_run_id BIGINT UNSIGNED NULL,         -- job_run.id of the run that did it
    detail TEXT NOT NULL,                    -- per table / per folder, for the record
    PRIMARY KEY (id),
    -- the purge looks up which steps of a tenant are done (one record each; replay re-creates
    -- a missing one from the ledger)
    KEY deletion_record_step (subject_tenant_id, step, at),
    KEY deletion_record_slug (subject_slug, at),
    KEY deletion_record_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
