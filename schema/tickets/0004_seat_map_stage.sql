-- Where a seat map's stage is (<stage> in the XML, schema/seatmap.rng), kept so the SVG map is
-- drawn from rows without parsing the XML again; NULL when the map has none. The label is
-- what the map says ("舞台", "STAGE"); '' when it says nothing.
ALTER TABLE tickets_seat_map
    ADD COLUMN IF NOT EXISTS stage_x INT NULL,
    ADD COLUMN IF NOT EXISTS stage_y INT NULL,
    ADD COLUMN IF NOT EXISTS stage_width INT NULL,
    ADD COLUMN IF NOT EXISTS stage_height INT NULL,
    ADD COLUMN IF NOT EXISTS stage_label VARCHAR(200) NOT NULL DEFAULT '';
