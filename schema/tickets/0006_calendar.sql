-- Venues on the venue calendar (issue 11, item 1; core/commerce/calendar.h): a venue maps to a
-- calendar space, made with the venue (or, for a venue made before, the first time a
-- performance is scheduled there, and below for those that exist now); a performance occupies
-- it from its doors (else its start) to its end (else 3 hours after the start) plus the space's
-- buffer. Safe to run again.
ALTER TABLE tickets_venue ADD COLUMN IF NOT EXISTS space_id BIGINT UNSIGNED NULL;
ALTER TABLE tickets_performance ADD COLUMN IF NOT EXISTS ends_at DATETIME NULL;

BEGIN NOT ATOMIC
    FOR v IN (SELECT tenant_id, id, name FROM tickets_venue WHERE space_id IS NULL ORDER BY tenant_id, id) DO
        INSERT INTO calendar_space (tenant_id, name, kind) VALUES (v.tenant_id, v.name, 'hall');
        UPDATE tickets_venue SET space_id = LAST_INSERT_ID() WHERE tenant_id = v.tenant_id AND id = v.id;
    END FOR;
END;
