"""Venues and seat maps (issue 4, item 2) and the staff's seat chart (item 6): importing a map
pasted as XML (errors name the line, the XML stays), a 600-seat map numbered 1..600, the SVG
map, the chart's states and counts, blocking then releasing seats, the picker's controls
(one per free seat, none for sold or blocked ones), the import command, and that one tenant
cannot reach another's venue, map or chart."""

import os
import re
import subprocess
import uuid

import pytest

from helpers import create_staff, logged_in, madoguchi, page_csrf, ROOT, sql


EN = {"Accept-Language": "en"}
JA = {"Accept-Language": "ja"}

BAD_MAP = """<?xml version="1.0"?>
<seatmap width="400" height="300">
  <section name="1階" category="S">
    <row name="A" y="50">
      <seat number="1" x="100"/>
      <seat number="2"/>
    </row>
  </section>
</seatmap>
"""


def gen_map(n):
    done = subprocess.run([os.path.join(ROOT, "scripts", "gen-seatmap"), str(n)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def new_tenant():
    slug = f"sm-{uuid.uuid4().hex[:10]}"
    done = madoguchi("tenant", "create", "--slug", slug, "--name", "座席表ホール", "--modules", "tickets")
    assert done.returncode == 0, done.stderr
    tenant_id = sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip()
    return slug, tenant_id


@pytest.fixture(scope="module")
def hall():
    """A tenant with the tickets module, its administrator logged in, a venue and a small map."""
    slug, tenant_id = new_tenant()
    password = create_staff(slug, "admin", "admin")
    client = logged_in(slug, "admin", password)
    venue = create_venue(client, slug, "市民会館 大ホール")
    yield {"slug": slug, "tenant_id": tenant_id, "client": client, "venue": venue}
    client.close()


def create_venue(client, slug, name):
    page = client.get(f"/{slug}/admin/tickets/venues", headers=EN)
    assert page.status_code == 200, page.text
    r = client.post(f"/{slug}/admin/tickets/venues", headers=EN,
                    data={"name": name, "address": "東京都千代田区1-1", "csrf": page_csrf(page.text)})
    assert r.status_code == 303, r.text
    return int(re.search(r"/tickets/venues/(\d+)$", r.headers["Location"]).group(1))


def upload(client, slug, venue, name, xml, lang=EN):
    page = client.get(f"/{slug}/admin/tickets/venues/{venue}", headers=lang)
    assert page.status_code == 200, page.text
    return client.post(f"/{slug}/admin/tickets/venues/{venue}/maps", headers=lang,
                       data={"name": name, "xml": xml, "csrf": page_csrf(page.text)})


def imported_map(hall, n, name=None):
    r = upload(hall["client"], hall["slug"], hall["venue"], name or f"{n}席", gen_map(n))
    assert r.status_code == 303, r.text
    return int(re.search(r"/tickets/maps/(\d+)$", r.headers["Location"]).group(1))


def performance_with_units(tenant_id, map_id):
    """An event and a performance on the map (as the catalog will create them), its seats'
    inventory units free."""
    sql(f"INSERT INTO tickets_event (tenant_id, title, description, venue_id, seat_map_id, kind, state) "
        f"SELECT {tenant_id}, '第九演奏会', '', venue_id, id, 'seated', 'published' FROM tickets_seat_map "
        f"WHERE tenant_id = {tenant_id} AND id = {map_id}")
    event = sql(f"SELECT MAX(id) FROM tickets_event WHERE tenant_id = {tenant_id}").strip()
    sql(f"INSERT INTO tickets_performance (tenant_id, event_id, starts_at, sale_starts_at, sale_ends_at) "
        f"VALUES ({tenant_id}, {event}, '2030-12-24 09:00:00', '2030-01-01 00:00:00', '2030-12-24 08:00:00')")
    perf = sql(f"SELECT MAX(id) FROM tickets_performance WHERE tenant_id = {tenant_id}").strip()
    sql(f"INSERT INTO inventory_unit (tenant_id, kind, resource_id, unit, state) "
        f"SELECT {tenant_id}, 'tickets.seat', {perf}, seat_no, 'free' FROM tickets_seat "
        f"WHERE tenant_id = {tenant_id} AND seat_map_id = {map_id}")
    return int(perf)


def set_unit(tenant_id, perf, unit, state):
    extra = ", hold_token = 4242, hold_expires = NOW(3) + INTERVAL 1 HOUR" if state == "held" else ""
    extra += ", order_id = 77" if state == "sold" else ""
    sql(f"UPDATE inventory_unit SET state = '{state}'{extra} WHERE tenant_id = {tenant_id} AND kind = 'tickets.seat' "
        f"AND resource_id = {perf} AND unit = {unit}")


def unit_states(tenant_id, perf):
    out = sql(f"SELECT unit, state FROM inventory_unit WHERE tenant_id = {tenant_id} AND kind = 'tickets.seat' "
              f"AND resource_id = {perf} ORDER BY unit")
    return {int(u): s for u, s in (line.split("\t") for line in out.splitlines())}


def test_an_import_error_names_its_line_and_keeps_the_xml(hall):
    slug, client = hall["slug"], hall["client"]
    r = upload(client, slug, hall["venue"], "壊れた座席表", BAD_MAP)
    assert r.status_code == 422
    assert re.search(r'class="field-error"[^>]*>line 6: seat needs x\.<', r.text), r.text
    # the pasted XML and the name are still there to be corrected
    assert "&lt;seat number=\"2\"/&gt;" in r.text and 'value="壊れた座席表"' in r.text
    r = upload(client, slug, hall["venue"], "壊れた座席表", BAD_MAP, lang=JA)
    assert r.status_code == 422 and "6行目: seat には x が必要です。" in r.text
    duplicate = BAD_MAP.replace('<seat number="2"/>', '<seat number="1" x="130"/>')
    r = upload(client, slug, hall["venue"], "重複", duplicate)
    assert r.status_code == 422 and "line 6: the seat 1階 A列 1番 is already on line 5." in r.text
    outside = BAD_MAP.replace('<seat number="2"/>', '<seat number="2" x="401"/>')
    r = upload(client, slug, hall["venue"], "はみ出し", outside)
    assert r.status_code == 422 and "line 6: the seat 1階 A列 2番 (x 401, y 50) is outside the map." in r.text
    assert sql(f"SELECT COUNT(*) FROM tickets_seat_map WHERE tenant_id = {hall['tenant_id']} "
               f"AND name IN ('壊れた座席表', '重複', 'はみ出し')").strip() == "0"
    assert "failure" in sql(f"SELECT outcome FROM audit_log WHERE tenant_id = {hall['tenant_id']} "
                            f"AND action = 'tickets.seatmap.import'")


def test_a_600_seat_map_imports_with_seat_no_1_to_600(hall):
    map_id = imported_map(hall, 600, "通常配置")
    t = hall["tenant_id"]
    count, low, high, distinct_best = sql(
        f"SELECT COUNT(*), MIN(seat_no), MAX(seat_no), COUNT(DISTINCT best) FROM tickets_seat "
        f"WHERE tenant_id = {t} AND seat_map_id = {map_id}").split()
    assert (count, low, high, distinct_best) == ("600", "1", "600", "600")
    assert sql(f"SELECT seat_count FROM tickets_seat_map WHERE tenant_id = {t} AND id = {map_id}").strip() == "600"
    # best seat: front row (row A of 1階), near the centre; first row ordered left to right
    assert sql(f"SELECT row_label FROM tickets_seat WHERE tenant_id = {t} AND seat_map_id = {map_id} "
               f"AND best = 1").strip() == "A"
    orders = sql(f"SELECT row_order FROM tickets_seat WHERE tenant_id = {t} AND seat_map_id = {map_id} "
                 f"AND section = '1階' AND row_label = 'A' ORDER BY x").split()
    assert orders == [str(i) for i in range(1, len(orders) + 1)]
    assert "success" in sql(f"SELECT outcome FROM audit_log WHERE tenant_id = {t} "
                            f"AND action = 'tickets.seatmap.import' AND object = 'seat_map:{map_id}'")
    page = hall["client"].get(f"/{hall['slug']}/admin/tickets/maps/{map_id}", headers=EN)
    assert page.status_code == 200
    assert page.text.count("<title>") >= 600  # one per seat in the SVG, plus the page's
    svg = hall["client"].get(f"/{hall['slug']}/admin/tickets/maps/{map_id}/svg", headers=EN)
    assert svg.status_code == 200 and svg.headers["Content-Type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg.text
    assert svg.text.count('class="free"') == 600 + 1  # the seats and the legend's entry
    assert "1階 A列 1番 — category A — Available" in svg.text


def test_the_staff_chart_shows_states_and_blocks_then_releases(hall):
    slug, client, t = hall["slug"], hall["client"], hall["tenant_id"]
    map_id = imported_map(hall, 50)
    perf = performance_with_units(t, map_id)
    set_unit(t, perf, 1, "sold")
    set_unit(t, perf, 2, "held")
    set_unit(t, perf, 3, "blocked")
    chart = client.get(f"/{slug}/admin/tickets/performances/{perf}/seats", headers=EN)
    assert chart.status_code == 200, chart.text
    for state, count in (("free", 47), ("held", 1), ("sold", 1), ("blocked", 1)):
        assert re.search(rf'class="count-{state}">{count}<', chart.text), state
    assert re.search(r'<g class="sold">\s*<title>[^<]* — Sold</title>\s*<rect', chart.text)
    assert re.search(r'<g class="held">\s*<title>[^<]* — Held</title>\s*<circle fill="url\(#seatmap-hatch\)"', chart.text)
    # controls: free and blocked seats (to block or release), none for sold or held ones
    assert 'name="seat" value="3"' in chart.text and 'name="seat" value="4"' in chart.text
    assert 'value="1" id="seat-1"' not in chart.text and 'value="2" id="seat-2"' not in chart.text

    r = client.post(f"/{slug}/admin/tickets/performances/{perf}/seats", headers=EN,
                    data=[("csrf", page_csrf(chart.text)), ("action", "block"), ("seat", "4"), ("seat", "5"),
                          ("seat", "1")])
    assert r.status_code == 303 and r.headers["Location"].endswith("?blocked=2")  # the sold seat stays sold
    states = unit_states(t, perf)
    assert (states[1], states[4], states[5], states[6]) == ("sold", "blocked", "blocked", "free")
    after = client.get(r.headers["Location"], headers=EN)
    assert "Seats blocked: 2" in after.text and re.search(r'class="count-blocked">3<', after.text)

    r = client.post(f"/{slug}/admin/tickets/performances/{perf}/seats", headers=EN,
                    data=[("csrf", page_csrf(after.text)), ("action", "release"), ("seat", "3"), ("seat", "4")])
    assert r.status_code == 303 and r.headers["Location"].endswith("?released=2")
    states = unit_states(t, perf)
    assert (states[3], states[4], states[5]) == ("free", "free", "blocked")
    actions = sql(f"SELECT action, detail FROM audit_log WHERE tenant_id = {t} AND object = 'performance:{perf}'")
    assert "tickets.seats.block\t2 of 3 seats blocked" in actions
    assert "tickets.seats.release\t2 of 2 seats released" in actions

    r = client.post(f"/{slug}/admin/tickets/performances/{perf}/seats", headers=EN,
                    data={"csrf": page_csrf(after.text), "action": "block"})
    assert r.status_code == 422 and "Choose at least one seat." in r.text


def test_the_picker_has_a_control_per_free_seat_and_none_for_others(hall):
    slug, client, t = hall["slug"], hall["client"], hall["tenant_id"]
    map_id = imported_map(hall, 20)
    perf = performance_with_units(t, map_id)
    for unit, state in ((1, "sold"), (2, "blocked"), (3, "held")):
        set_unit(t, perf, unit, state)
    page = client.get(f"/{slug}/admin/tickets/performances/{perf}/seats/picker?seat=4", headers=EN)
    assert page.status_code == 200, page.text
    controls = re.findall(r'<input type="checkbox" name="seat" value="(\d+)"', page.text)
    assert sorted(map(int, controls)) == list(range(4, 21))  # free ones (4 is held by this viewer)
    assert re.search(r'value="4" id="seat-4" checked="checked"', page.text)
    # each control has a label naming the seat, and rows are groups named by their row
    assert re.search(r'<label class="seat-picker__seat" for="seat-5">', page.text)
    assert re.search(r'role="group" aria-labelledby="seat-row-\d+"', page.text)
    assert '<g class="selected">' in page.text and '<g class="blocked">' in page.text


def test_import_map_command_takes_a_large_file(hall, tmp_path):
    path = tmp_path / "hall.xml"
    path.write_text(gen_map(3000), encoding="utf-8")
    done = madoguchi("tickets", "import-map", "--tenant", hall["slug"], "--venue-name", "アリーナ", str(path))
    assert done.returncode == 0, done.stderr
    map_id = re.search(r"seat map (\d+): 3000 seats", done.stdout).group(1)
    t = hall["tenant_id"]
    assert sql(f"SELECT COUNT(*), MAX(seat_no) FROM tickets_seat WHERE tenant_id = {t} "
               f"AND seat_map_id = {map_id}").split() == ["3000", "3000"]
    assert "tickets.seatmap.import" in sql(f"SELECT action FROM audit_log WHERE tenant_id = {t} AND actor = 'cli'")
    bad = tmp_path / "bad.xml"
    bad.write_text(BAD_MAP, encoding="utf-8")
    done = madoguchi("tickets", "import-map", "--tenant", hall["slug"], "--venue-name", "x", str(bad))
    assert done.returncode == 1 and "line 6: seat needs x." in done.stderr


def test_a_tenant_cannot_see_another_tenants_venue_map_or_chart(hall):
    map_id = imported_map(hall, 10)
    perf = performance_with_units(hall["tenant_id"], map_id)
    other_slug, _ = new_tenant()
    with logged_in(other_slug, "admin", create_staff(other_slug, "admin", "admin")) as other:
        base = f"/{other_slug}/admin/tickets"
        for path in (f"/venues/{hall['venue']}", f"/maps/{map_id}", f"/maps/{map_id}/svg",
                     f"/performances/{perf}/seats"):
            assert other.get(base + path, headers=EN).status_code == 404, path
        venues = other.get(base + "/venues", headers=EN)
        assert venues.status_code == 200 and "市民会館 大ホール" not in venues.text
        page = other.get(base + "/venues", headers=EN)
        r = other.post(f"{base}/venues/{hall['venue']}/maps", headers=EN,
                       data={"name": "x", "xml": gen_map(5), "csrf": page_csrf(page.text)})
        assert r.status_code == 404


def test_restricted_staff_cannot_manage_venues(hall):
    slug = hall["slug"]
    password = create_staff(slug, "gate", "restricted")
    with logged_in(slug, "gate", password) as gate:
        assert gate.get(f"/{slug}/admin/tickets/venues", headers=EN).status_code == 403
