-- Inventory kinds are namespaced by module since core migration 0013 ("tickets.seat"): the
-- tickets keep the kind of the unit they were sold for, so their rows follow.
ALTER TABLE tickets_ticket MODIFY kind VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
UPDATE tickets_ticket SET kind = CONCAT('tickets.', kind) WHERE kind IN ('seat', 'ga', 'merch');
