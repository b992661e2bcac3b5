-- Demo data of the tickets module for tenant `demo` (scripts/lib/stack.sh mg_seed_demo runs it
-- once, as the database root, after `madoguchi tickets import-map` made the hall's seat map).
-- Set before: @t (tenant id), @venue, @map (seat map id), @seats (its seat count).
-- An orchestra concert with two performances on sale in the hall, a general-admission lobby
-- concert, and merchandise. Times are relative to now (UTC); units are made as the back office
-- makes them (one inventory row per seat, place or item).
SET SESSION max_recursive_iterations = 100000;

INSERT INTO tickets_event (tenant_id, title, description, venue_id, seat_map_id, kind, state, per_order_limit)
VALUES (@t, '窓口フィルハーモニー 秋の定期演奏会',
        'ベートーヴェン「交響曲第7番」ほか。指揮：窓口 太郎。未就学児のご入場はご遠慮ください。',
        @venue, @map, 'seated', 'published', 8);
SET @concert = LAST_INSERT_ID();
INSERT INTO tickets_category (tenant_id, event_id, code, name, rank_no) VALUES
    (@t, @concert, 'S', 'S席', 1), (@t, @concert, 'A', 'A席', 2), (@t, @concert, 'B', 'B席', 3);
INSERT INTO tickets_ticket_type (tenant_id, event_id, name, sort_no) VALUES (@t, @concert, '一般', 1);
SET @adult = LAST_INSERT_ID();
INSERT INTO tickets_ticket_type (tenant_id, event_id, name, sort_no) VALUES (@t, @concert, '学生', 2);
SET @student = LAST_INSERT_ID();
INSERT INTO tickets_price (tenant_id, event_id, category, ticket_type_id, amount) VALUES
    (@t, @concert, 'S', @adult, 6000), (@t, @concert, 'A', @adult, 4500), (@t, @concert, 'B', @adult, 3000),
    (@t, @concert, 'S', @student, 3000), (@t, @concert, 'A', @student, 2500), (@t, @concert, 'B', @student, 1500);
-- 18:30 JST = 09:30 UTC, two and three weeks from today; on sale from yesterday until an hour before
INSERT INTO tickets_performance (tenant_id, event_id, starts_at, doors_at, sale_starts_at, sale_ends_at, ends_at)
VALUES (@t, @concert, UTC_DATE() + INTERVAL 14 DAY + INTERVAL '9:30' HOUR_MINUTE,
        UTC_DATE() + INTERVAL 14 DAY + INTERVAL '9:00' HOUR_MINUTE, UTC_TIMESTAMP() - INTERVAL 1 DAY,
        UTC_DATE() + INTERVAL 14 DAY + INTERVAL '8:30' HOUR_MINUTE,
        UTC_DATE() + INTERVAL 14 DAY + INTERVAL '12:00' HOUR_MINUTE);
SET @perf1 = LAST_INSERT_ID();
INSERT INTO tickets_performance (tenant_id, event_id, starts_at, doors_at, sale_starts_at, sale_ends_at, ends_at)
VALUES (@t, @concert, UTC_DATE() + INTERVAL 21 DAY + INTERVAL '5:00' HOUR_MINUTE,
        UTC_DATE() + INTERVAL 21 DAY + INTERVAL '4:30' HOUR_MINUTE, UTC_TIMESTAMP() - INTERVAL 1 DAY,
        UTC_DATE() + INTERVAL 21 DAY + INTERVAL '4:00' HOUR_MINUTE,
        UTC_DATE() + INTERVAL 21 DAY + INTERVAL '7:30' HOUR_MINUTE);
SET @perf2 = LAST_INSERT_ID();
INSERT INTO inventory_unit (tenant_id, kind, resource_id, unit, state)
    WITH RECURSIVE n (u) AS (SELECT 1 UNION ALL SELECT u + 1 FROM n WHERE u < @seats)
    SELECT @t, 'tickets.seat', p.id, n.u, 'free' FROM n CROSS JOIN (SELECT @perf1 AS id UNION ALL SELECT @perf2) p;

INSERT INTO tickets_event (tenant_id, title, description, venue_id, seat_map_id, kind, state, per_order_limit)
VALUES (@t, 'ロビーコンサート（自由席）', '弦楽四重奏によるロビーコンサート。自由席・立ち見あり。',
        @venue, NULL, 'ga', 'published', 6);
SET @lobby = LAST_INSERT_ID();
INSERT INTO tickets_category (tenant_id, event_id, code, name, rank_no) VALUES (@t, @lobby, 'FREE', '自由席', 1);
INSERT INTO tickets_ticket_type (tenant_id, event_id, name, sort_no) VALUES (@t, @lobby, '一般', 1);
SET @lobby_adult = LAST_INSERT_ID();
INSERT INTO tickets_price (tenant_id, event_id, category, ticket_type_id, amount)
VALUES (@t, @lobby, 'FREE', @lobby_adult, 1000);
INSERT INTO tickets_performance (tenant_id, event_id, starts_at, doors_at, sale_starts_at, sale_ends_at, ends_at)
VALUES (@t, @lobby, UTC_DATE() + INTERVAL 10 DAY + INTERVAL '3:00' HOUR_MINUTE,
        UTC_DATE() + INTERVAL 10 DAY + INTERVAL '2:30' HOUR_MINUTE, UTC_TIMESTAMP() - INTERVAL 1 DAY,
        UTC_DATE() + INTERVAL 10 DAY + INTERVAL '2:00' HOUR_MINUTE,
        UTC_DATE() + INTERVAL 10 DAY + INTERVAL '4:30' HOUR_MINUTE);
SET @lobby_perf = LAST_INSERT_ID();
INSERT INTO tickets_ga_quota (tenant_id, performance_id, name, price_category, capacity)
VALUES (@t, @lobby_perf, '自由席', 'FREE', 200);
SET @quota = LAST_INSERT_ID();
INSERT INTO inventory_unit (tenant_id, kind, resource_id, unit, state)
    WITH RECURSIVE n (u) AS (SELECT 1 UNION ALL SELECT u + 1 FROM n WHERE u < 200)
    SELECT @t, 'tickets.ga', @quota, u, 'free' FROM n;

INSERT INTO tickets_merch (tenant_id, event_id, name, price, stock) VALUES
    (@t, @concert, '公演プログラム', 1000, 300);
SET @programme = LAST_INSERT_ID();
INSERT INTO tickets_merch (tenant_id, event_id, name, price, stock) VALUES (@t, NULL, '窓口ホール トートバッグ', 2500, 100);
SET @tote = LAST_INSERT_ID();
INSERT INTO inventory_unit (tenant_id, kind, resource_id, unit, state)
    WITH RECURSIVE n (u) AS (SELECT 1 UNION ALL SELECT u + 1 FROM n WHERE u < 300)
    SELECT @t, 'tickets.merch', m.id, n.u, 'free' FROM n JOIN (SELECT @programme AS id, 300 AS stock
                                                      UNION ALL SELECT @tote, 100) m ON n.u <= m.stock;

-- The hall on the venue calendar (core/commerce/calendar.h; the import made its space with the
-- venue): 30 minutes kept free after every use, divisible into 舞台 and 客席, and the three
-- performances above occupying it from their doors to their end plus that buffer, claims made
-- as mg_calendar_occupy makes them (one row per 15-minute slot, for the hall and each part).
SET time_zone = '+00:00';
SET @hall = (SELECT space_id FROM tickets_venue WHERE tenant_id = @t AND id = @venue);
UPDATE calendar_space SET name = '大ホール', capacity = @seats, buffer_minutes = 30 WHERE tenant_id = @t AND id = @hall;
INSERT INTO calendar_space (tenant_id, parent_id, depth, name, kind, capacity) VALUES
    (@t, @hall, 1, '舞台', 'stage', 0), (@t, @hall, 1, '客席', 'seating', @seats);
INSERT INTO calendar_occupation (tenant_id, space_id, starts_at, ends_at, first_slot, last_slot, owner_kind,
                                 owner_id, label)
    SELECT p.tenant_id, @hall, COALESCE(p.doors_at, p.starts_at), p.ends_at,
           FLOOR(UNIX_TIMESTAMP(COALESCE(p.doors_at, p.starts_at)) / 900),
           CEIL((UNIX_TIMESTAMP(p.ends_at) + 30 * 60) / 900) - 1, 'tickets.performance', p.id, e.title
    FROM tickets_performance p JOIN tickets_event e ON e.tenant_id = p.tenant_id AND e.id = p.event_id
    WHERE p.tenant_id = @t AND e.venue_id = @venue;
INSERT INTO calendar_claim (tenant_id, space_id, slot, occupation_id)
    WITH RECURSIVE c (occupation, slot, last_slot) AS (
        SELECT id, first_slot, last_slot FROM calendar_occupation WHERE tenant_id = @t AND space_id = @hall
        UNION ALL SELECT occupation, slot + 1, last_slot FROM c WHERE slot < last_slot)
    SELECT @t, s.id, c.slot, c.occupation FROM c
    JOIN calendar_space s ON s.tenant_id = @t AND (s.id = @hall OR s.parent_id = @hall)
    ORDER BY s.id, c.slot;
UPDATE calendar_occupation SET claims = 3 * (last_slot - first_slot + 1) WHERE tenant_id = @t AND space_id = @hall;
