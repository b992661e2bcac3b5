-- Demo data of the rentals module for tenant `demo` (scripts/lib/stack.sh mg_seed_demo runs it
-- once, as the database root, after conf/demo/tickets.sql). Set before: @t (tenant id).
-- The 窓口デモ市民会館: its 600-seat 大ホール (divisible into 舞台 and 客席), three 会議室, a 和室 and
-- a 体育館 (A面/B面), each a space of the venue calendar (the hall's is the tickets venue's); blocks 午前/午後/夜間, fees, purposes,
-- admission tiers, equipment, opening hours and closed days (every Monday, 12/29–1/3, 祝日 open).

-- ---- the venue calendar's spaces ----
-- the 大ホール is the tickets venue's space, with its parts 舞台 and 客席 (conf/demo/tickets.sql)
SET @s_hall = (SELECT space_id FROM tickets_venue WHERE tenant_id = @t AND space_id IS NOT NULL ORDER BY id LIMIT 1);
SET @s_stage = (SELECT id FROM calendar_space WHERE tenant_id = @t AND parent_id = @s_hall AND name = '舞台');
SET @s_seats = (SELECT id FROM calendar_space WHERE tenant_id = @t AND parent_id = @s_hall AND name = '客席');
INSERT INTO calendar_space (tenant_id, name, kind, capacity) VALUES (@t, '第1会議室', 'room', 30);
SET @s_m1 = LAST_INSERT_ID();
INSERT INTO calendar_space (tenant_id, name, kind, capacity) VALUES (@t, '第2会議室', 'room', 30);
SET @s_m2 = LAST_INSERT_ID();
INSERT INTO calendar_space (tenant_id, name, kind, capacity) VALUES (@t, '第3会議室', 'room', 60);
SET @s_m3 = LAST_INSERT_ID();
INSERT INTO calendar_space (tenant_id, name, kind, capacity) VALUES (@t, '和室', 'room', 20);
SET @s_wa = LAST_INSERT_ID();
INSERT INTO calendar_space (tenant_id, name, kind, capacity) VALUES (@t, '体育館', 'court', 200);
SET @s_gym = LAST_INSERT_ID();
INSERT INTO calendar_space (tenant_id, parent_id, depth, name, kind, capacity) VALUES (@t, @s_gym, 1, 'A面', 'court', 100);
SET @s_gym_a = LAST_INSERT_ID();
INSERT INTO calendar_space (tenant_id, parent_id, depth, name, kind, capacity) VALUES (@t, @s_gym, 1, 'B面', 'court', 100);
SET @s_gym_b = LAST_INSERT_ID();

-- the rooms (not the hall, whose performances the tickets demo schedules freely): 9:00–22:00
-- every day (parts inherit), closed every Monday and over the new year
INSERT INTO calendar_hours (tenant_id, space_id, weekday, open_minute, close_minute)
    SELECT @t, s.id, w.d, 540, 1320 FROM calendar_space s
    CROSS JOIN (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
                UNION ALL SELECT 5 UNION ALL SELECT 6) w
    WHERE s.tenant_id = @t AND s.parent_id IS NULL AND s.id IN (@s_m1, @s_m2, @s_m3, @s_wa, @s_gym);
INSERT INTO calendar_closed (tenant_id, space_id, rule, reason)
    SELECT @t, s.id, r.rule, r.reason FROM calendar_space s
    CROSS JOIN (SELECT 'mon' AS rule, '休館日' AS reason UNION ALL SELECT '12-29..01-03', '年末年始') r
    WHERE s.tenant_id = @t AND s.id IN (@s_m1, @s_m2, @s_m3, @s_wa, @s_gym);

-- ---- the facility ----
INSERT INTO rentals_facility (tenant_id, name, address, weekend_percent, full_day_percent, review_users)
VALUES (@t, '窓口デモ市民会館', '東京都窓口市本町1-1', 20, 10, 1);
SET @f = LAST_INSERT_ID();
INSERT INTO rentals_block (tenant_id, facility_id, code, label, start_minute, end_minute, sort_order) VALUES
    (@t, @f, 'am', '午前', 540, 720, 1), (@t, @f, 'pm', '午後', 780, 1020, 2), (@t, @f, 'night', '夜間', 1080, 1320, 3);
INSERT INTO rentals_purpose (tenant_id, facility_id, code, label, percent, sort_order) VALUES
    (@t, @f, 'general', '一般（会議・練習・サークル活動）', 100, 1),
    (@t, @f, 'culture', '文化・教育活動', 100, 2),
    (@t, @f, 'commercial', '営利目的（販売・有料講座など）', 300, 3);
INSERT INTO rentals_admission_tier (tenant_id, facility_id, max_yen, label, percent) VALUES
    (@t, @f, 0, '入場料なし', 100), (@t, @f, 1000, '入場料 1,000円以下', 150), (@t, @f, 4294967295, '入場料 1,001円以上', 200);

INSERT INTO rentals_room (tenant_id, facility_id, space_id, name, floor, capacity, default_purpose, sort_order) VALUES
    (@t, @f, @s_hall, '大ホール', '1階', 600, 'culture', 1);
SET @hall = LAST_INSERT_ID();
INSERT INTO rentals_room (tenant_id, facility_id, parent_room_id, space_id, name, floor, capacity, sort_order) VALUES
    (@t, @f, @hall, @s_stage, '大ホール 舞台', '1階', 0, 1), (@t, @f, @hall, @s_seats, '大ホール 客席', '1階', 600, 2);
INSERT INTO rentals_room (tenant_id, facility_id, space_id, name, floor, capacity, sort_order) VALUES
    (@t, @f, @s_m1, '第1会議室', '2階', 30, 2), (@t, @f, @s_m2, '第2会議室', '2階', 30, 3),
    (@t, @f, @s_m3, '第3会議室', '3階', 60, 4), (@t, @f, @s_wa, '和室', '3階', 20, 5);
INSERT INTO rentals_room (tenant_id, facility_id, space_id, name, floor, capacity, lottery_only, sort_order) VALUES
    (@t, @f, @s_gym, '体育館', '別棟', 200, 1, 6);
SET @gym = LAST_INSERT_ID();
INSERT INTO rentals_room (tenant_id, facility_id, parent_room_id, space_id, name, floor, capacity, sort_order) VALUES
    (@t, @f, @gym, @s_gym_a, '体育館 A面', '別棟', 100, 1), (@t, @f, @gym, @s_gym_b, '体育館 B面', '別棟', 100, 2);

-- base fees per block (税込): the hall, its parts, the rooms, the gym
INSERT INTO rentals_fee (tenant_id, room_id, block_code, amount)
    SELECT @t, r.id, b.code,
           CASE WHEN r.name = '大ホール' THEN CASE b.code WHEN 'am' THEN 30000 WHEN 'pm' THEN 40000 ELSE 45000 END
                WHEN r.name LIKE '大ホール %' THEN CASE b.code WHEN 'am' THEN 15000 WHEN 'pm' THEN 20000 ELSE 22000 END
                WHEN r.name = '第3会議室' THEN CASE b.code WHEN 'am' THEN 2400 WHEN 'pm' THEN 3200 ELSE 3600 END
                WHEN r.name LIKE '第%会議室' THEN CASE b.code WHEN 'am' THEN 1200 WHEN 'pm' THEN 1600 ELSE 1800 END
                WHEN r.name = '和室' THEN CASE b.code WHEN 'am' THEN 1000 WHEN 'pm' THEN 1400 ELSE 1600 END
                WHEN r.name = '体育館' THEN CASE b.code WHEN 'am' THEN 6000 WHEN 'pm' THEN 8000 ELSE 9000 END
                ELSE CASE b.code WHEN 'am' THEN 3000 WHEN 'pm' THEN 4000 ELSE 4500 END END
    FROM rentals_room r JOIN rentals_block b ON b.tenant_id = r.tenant_id AND b.facility_id = r.facility_id
    WHERE r.tenant_id = @t AND r.facility_id = @f;

INSERT INTO rentals_equipment (tenant_id, facility_id, name, stock, fee_per_block) VALUES
    (@t, @f, 'プロジェクター', 2, 1000), (@t, @f, 'スクリーン', 2, 500), (@t, @f, 'ワイヤレスマイク', 4, 300),
    (@t, @f, '長机', 40, 0), (@t, @f, 'パイプ椅子', 200, 0), (@t, @f, 'グランドピアノ', 1, 5000);
