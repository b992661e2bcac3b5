import datetime

from helpers import new_client, sql
"""The demo tenant that scripts/run (and scripts/test) seed: a hall of at least 500 seats, a
concert with two performances on sale, a general-admission event and merchandise (issue 4,
item 8), all reachable the way a visitor finds them."""


def test_the_demo_tenant_has_a_hall_two_performances_on_sale_a_ga_event_and_merchandise():
    tenant = sql("SELECT id FROM tenant WHERE slug = 'demo'").strip()
    assert tenant, "scripts/test seeds the demo tenant as scripts/run does"
    assert int(sql(f"SELECT MAX(seat_count) FROM tickets_seat_map WHERE tenant_id = {tenant}")) >= 500
    seated = sql(f"SELECT e.id FROM tickets_event e WHERE e.tenant_id = {tenant} AND e.kind = 'seated'"
                 " AND e.state = 'published'").split()
    assert len(seated) == 1
    on_sale = int(sql(f"SELECT COUNT(*) FROM tickets_performance WHERE tenant_id = {tenant} AND event_id = {seated[0]}"
                      " AND sale_starts_at <= UTC_TIMESTAMP() AND sale_ends_at > UTC_TIMESTAMP()"))
    assert on_sale == 2
    # every seat of both performances is a free unit
    units = int(sql(f"SELECT COUNT(*) FROM inventory_unit u JOIN tickets_performance p ON p.tenant_id = u.tenant_id"
                    f" AND p.id = u.resource_id WHERE u.tenant_id = {tenant} AND u.kind = 'tickets.seat'"
                    f" AND p.event_id = {seated[0]} AND u.state = 'free'"))
    assert units == 2 * int(sql(f"SELECT seat_count FROM tickets_seat_map WHERE tenant_id = {tenant}"))
    assert int(sql(f"SELECT COUNT(*) FROM tickets_event WHERE tenant_id = {tenant} AND kind = 'ga'"
                   " AND state = 'published'")) == 1
    assert int(sql(f"SELECT COUNT(*) FROM inventory_unit WHERE tenant_id = {tenant} AND kind = 'tickets.ga'")) == 200
    assert int(sql(f"SELECT COUNT(*) FROM tickets_merch WHERE tenant_id = {tenant}")) == 2

    client = new_client()
    page = client.get("/demo/tickets", headers={"Accept-Language": "ja"})
    assert page.status_code == 200
    assert "秋の定期演奏会" in page.text and "ロビーコンサート" in page.text


def test_the_demo_hall_is_on_the_venue_calendar_with_its_parts_and_performances():
    tenant = sql("SELECT id FROM tenant WHERE slug = 'demo'").strip()
    hall = sql(f"SELECT s.id, s.name, s.buffer_minutes FROM tickets_venue v JOIN calendar_space s"
               f" ON s.tenant_id = v.tenant_id AND s.id = v.space_id WHERE v.tenant_id = {tenant}").split()
    assert hall[1:] == ["大ホール", "30"]
    parts = sql(f"SELECT name FROM calendar_space WHERE tenant_id = {tenant} AND parent_id = {hall[0]}"
                " ORDER BY id").split()
    assert parts == ["舞台", "客席"]
    # each performance occupies the hall from its doors to its end plus 30 minutes, claims for
    # the hall and both parts, and nothing overlaps
    rows = sql(f"SELECT o.claims, o.last_slot - o.first_slot + 1, (SELECT COUNT(*) FROM calendar_claim c"
               f" WHERE c.tenant_id = o.tenant_id AND c.occupation_id = o.id),"
               f" UNIX_TIMESTAMP(o.ends_at) - UNIX_TIMESTAMP(o.starts_at)"
               f" FROM calendar_occupation o WHERE o.tenant_id = {tenant} AND o.owner_kind = 'tickets.performance'"
               ).strip().splitlines()
    assert len(rows) == 3
    for row in rows:
        claims, slots, made, seconds = map(int, row.split("\t"))
        assert claims == made == 3 * slots and slots * 900 == seconds + 1800


def test_the_demo_tenant_rents_its_hall_rooms_and_gym():
    """Issue 11, item 9: the 市民会館's 600-seat 大ホール (舞台/客席), three 会議室, a 和室 and a 体育館
    (A面/B面) in the rooms API; a Monday is 休館; a free Tuesday afternoon of the 第1会議室 books."""
    client = new_client()
    r = client.get("/demo/api/v1/rooms")
    assert r.status_code == 200, r.text
    rooms = {room["name"]: room for room in r.json()["rooms"]}
    for name in ("大ホール", "大ホール 舞台", "大ホール 客席", "第1会議室", "第2会議室", "第3会議室", "和室",
                 "体育館", "体育館 A面", "体育館 B面"):
        assert name in rooms, name
    assert rooms["大ホール"]["capacity"] == 600
    assert sorted(rooms["大ホール"]["parts"]) == sorted([rooms["大ホール 舞台"]["id"], rooms["大ホール 客席"]["id"]])
    assert len(rooms["体育館"]["parts"]) == 2
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=9))).date()
    monday = today + datetime.timedelta(days=14 + (7 - today.weekday()) % 7)
    r = client.get(f"/demo/api/v1/rooms/{rooms['第1会議室']['id']}/availability?from={monday.isoformat()}&days=2")
    assert r.status_code == 200, r.text
    days = r.json()["days"]
    assert {b["state"] for b in days[0]["blocks"]} == {"closed"}
    assert [b["label"] for b in days[1]["blocks"]] == ["午前", "午後", "夜間"]
    assert {b["state"] for b in days[1]["blocks"]} == {"free"}
    tenant = sql("SELECT id FROM tenant WHERE slug = 'demo'").strip()
    assert int(sql(f"SELECT COUNT(*) FROM rentals_equipment WHERE tenant_id = {tenant}")) >= 4
    # a performance in the 大ホール makes that evening taken for rentals, the hall's parts too
    start = int(sql(f"SELECT MIN(UNIX_TIMESTAMP(starts_at)) FROM calendar_occupation WHERE tenant_id = {tenant}"
                    " AND owner_kind = 'tickets.performance' AND HOUR(starts_at) = 9"))  # doors 18:00 JST
    jst = datetime.timezone(datetime.timedelta(hours=9))
    evening = datetime.datetime.fromtimestamp(start, jst)
    assert 17 <= evening.hour < 21
    for name in ("大ホール", "大ホール 舞台", "大ホール 客席"):
        r = client.get(f"/demo/api/v1/rooms/{rooms[name]['id']}/availability?from={evening.date().isoformat()}&days=1")
        blocks = {b["block"]: b["state"] for b in r.json()["days"][0]["blocks"]}
        assert blocks["night"] == "taken", (name, blocks)
        assert blocks["am"] == "free", (name, blocks)
