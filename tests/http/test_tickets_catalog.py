"""The tickets catalogue (issue 4, item 3): events, seat categories, ticket types, the price grid,
performances whose seats become inventory units, general-admission quotas and merchandise stock
with their capacity rules, and public browsing by sale window. Venues and seat maps are
inserted with SQL (the seat-map importer is another feature)."""

import os
import re
import time
import uuid

import pytest

from helpers import Hall, jst, madoguchi, new_client, ROOT, set_clock, sql

pytestmark = pytest.mark.usefixtures("real_clock")


DAY = 24 * 3600
EN = {"Accept-Language": "en"}
JA = {"Accept-Language": "ja"}


@pytest.fixture(scope="module")
def hall():
    h = Hall()
    yield h
    h.admin.close()


def priced_event(hall, kind="seated", **extra):
    """An event with named categories, two ticket types and prices (S and A for seated events, a
    'GA' category for general admission)."""
    event = hall.event(kind, **extra)
    adult, child = hall.ticket_type(event, "大人", "1"), hall.ticket_type(event, "子ども", "2")
    if kind == "seated":
        r = hall.post(f"/tickets/events/{event}/categories",
                      {"code_0": "S", "name_0": "S席", "rank_0": "1", "code_1": "A", "name_1": "A席", "rank_1": "2"})
        assert r.status_code == 303, r.text
        grid = {"cat_0": "S", "cat_1": "A", "type_0": adult, "type_1": child,
                "price_0_0": "8000", "price_0_1": "4000", "price_1_0": "6000", "price_1_1": ""}
    else:
        r = hall.post(f"/tickets/events/{event}/categories/new", {"code": "GA", "name": "スタンディング", "rank": "1"})
        assert r.status_code == 303, r.text
        grid = {"cat_0": "GA", "type_0": adult, "type_1": child, "price_0_0": "5000", "price_0_1": "2500"}
    assert hall.post(f"/tickets/events/{event}/prices", grid).status_code == 303
    return event, adult, child


def test_seated_event_with_categories_types_prices_and_two_performances(hall):
    event, adult, child = priced_event(hall)
    prices = sql(f"SELECT category, ticket_type_id, amount FROM tickets_price WHERE tenant_id = {hall.id}"
                 f" AND event_id = {event} ORDER BY amount")
    assert prices.split("\n")[:3] == [f"S\t{child}\t4000", f"A\t{adult}\t6000", f"S\t{adult}\t8000"]
    assert f"A\t{child}" not in prices  # an empty cell is not sold
    first = hall.performance(event, 20 * DAY, -DAY, 19 * DAY)
    second = hall.performance(event, 21 * DAY, -DAY, 20 * DAY)
    for p in (first, second):
        assert hall.units("seat", p) == 6 and hall.units("seat", p, "free") == 6
    hall.set_units("seat", first, [1, 2], "sold")
    page = hall.get(f"/tickets/events/{event}")
    assert page.status_code == 200
    assert re.search(r"<td>4</td>\s*<td>0</td>\s*<td>2</td>", page.text), page.text  # free, held, sold
    assert 'value="S席"' in page.text and 'value="8000"' in page.text
    assert hall.post(f"/tickets/events/{event}/state", {"to": "published"}).status_code == 303
    listed = hall.public("/tickets")
    assert "春の演奏会" in listed.text and f"/{hall.slug}/tickets/performances/{first}" in listed.text
    detail = hall.public(f"/tickets/events/{event}")
    assert detail.status_code == 200 and "大ホール" in detail.text
    assert "¥8,000" in detail.text and "¥4,000" in detail.text and "¥6,000" in detail.text
    assert detail.text.count("On sale — choose tickets") == 2
    for action in ("tickets.event.create", "tickets.category.update", "tickets.ticket_type.create",
                   "tickets.price.update", "tickets.performance.create", "tickets.event.publish"):
        assert hall.audited(action), action


def test_public_times_are_japan_time_in_either_language(hall):
    event, _, _ = priced_event(hall, title="時刻の確認")
    starts = time.gmtime(time.time() + 30 * DAY + 9 * 3600)
    hall.performance(event, 30 * DAY, -DAY, 29 * DAY)
    assert hall.post(f"/tickets/events/{event}/state", {"to": "published"}).status_code == 303
    ja = hall.public(f"/tickets/events/{event}", JA)
    assert f"{starts.tm_year}年{starts.tm_mon}月{starts.tm_mday}日" in ja.text
    assert time.strftime("%H:%M", starts) in ja.text and "日本時間" in ja.text
    en = hall.public(f"/tickets/events/{event}", EN)
    assert time.strftime("%d %b %Y", starts).lstrip("0") in en.text and "Japan time" in en.text


def test_a_cancelled_performance_is_shown_so_and_sells_nothing(hall):
    event, _, _ = priced_event(hall, title="中止の確認")
    # other days than the other tests' performances in this hall: the venue calendar keeps one a time
    kept, cancelled = hall.performance(event, 32 * DAY, -DAY, 29 * DAY), hall.performance(event, 33 * DAY, -DAY, 30 * DAY)
    assert hall.post(f"/tickets/events/{event}/state", {"to": "published"}).status_code == 303
    assert hall.post(f"/tickets/performances/{cancelled}/cancel", {}).status_code == 303
    assert hall.post(f"/tickets/performances/{cancelled}/cancel", {}).status_code == 409
    page = hall.public(f"/tickets/events/{event}")
    assert "Cancelled" in page.text
    assert f"/tickets/performances/{kept}" in page.text and f"/tickets/performances/{cancelled}" not in page.text
    assert hall.audited("tickets.performance.cancel")


def test_ga_quota_capacity_raises_and_lowers_only_to_what_is_free(hall):
    event, _, _ = priced_event(hall, "ga", title="野外ライブ")
    perf = hall.performance(event, 40 * DAY, -DAY, 39 * DAY)
    assert hall.units("seat", perf) == 0  # general admission: places come with quotas
    r = hall.post(f"/tickets/performances/{perf}/quotas", {"name": "芝生席", "capacity": "5", "price_category": "GA"})
    assert r.status_code == 303, r.text
    quota = sql(f"SELECT id FROM tickets_ga_quota WHERE tenant_id = {hall.id} AND performance_id = {perf}").strip()
    assert hall.units("ga", quota) == 5

    change = {"name": "芝生席", "price_category": "GA"}
    assert hall.post(f"/tickets/quotas/{quota}", {**change, "capacity": "8"}).status_code == 303
    assert hall.units("ga", quota) == 8
    hall.set_units("ga", quota, [2, 3, 4], "sold")
    hall.set_units("ga", quota, [8], "held")
    r = hall.post(f"/tickets/quotas/{quota}", {**change, "capacity": "3"})
    assert r.status_code == 409
    assert "4 places are sold, held or blocked" in r.text and 'value="3"' in r.text
    assert hall.units("ga", quota) == 8  # nothing removed
    assert hall.post(f"/tickets/quotas/{quota}", {**change, "capacity": "5"}).status_code == 303
    assert hall.units("ga", quota) == 5 and hall.units("ga", quota, "free") == 1
    assert hall.units("ga", quota, "sold") == 3 and hall.units("ga", quota, "held") == 1
    assert sql(f"SELECT capacity FROM tickets_ga_quota WHERE tenant_id = {hall.id} AND id = {quota}").strip() == "5"
    assert hall.post(f"/tickets/quotas/{quota}", {**change, "capacity": "7"}).status_code == 303
    units = sql(f"SELECT unit FROM inventory_unit WHERE tenant_id = {hall.id} AND kind = 'tickets.ga' AND resource_id = {quota}"
                " ORDER BY unit").split()
    assert len(units) == 7 and len(set(units)) == 7
    page = hall.get(f"/tickets/performances/{perf}")
    assert "Free 3, held 1, sold 3, blocked 0" in page.text
    assert hall.audited("tickets.quota.update")


def test_merchandise_stock_is_units(hall):
    event, _, _ = priced_event(hall, title="物販のある公演")
    r = hall.post("/tickets/merch", {"name": "公演プログラム", "price": "1500", "stock": "3", "event_id": event})
    assert r.status_code == 303, r.text
    item = sql(f"SELECT id FROM tickets_merch WHERE tenant_id = {hall.id} AND name = '公演プログラム'").strip()
    assert hall.units("merch", item) == 3
    change = {"name": "公演プログラム", "price": "1500", "event_id": event}
    assert hall.post(f"/tickets/merch/{item}", {**change, "stock": "5"}).status_code == 303
    assert hall.units("merch", item) == 5
    hall.set_units("merch", item, [1, 2], "sold")
    r = hall.post(f"/tickets/merch/{item}", {**change, "stock": "1"})
    assert r.status_code == 409 and "2 are sold, held or blocked" in r.text
    assert hall.post(f"/tickets/merch/{item}", {**change, "stock": "2"}).status_code == 303
    assert hall.units("merch", item) == 2 and hall.units("merch", item, "sold") == 2
    r = hall.post(f"/tickets/merch/{item}", {**change, "price": "-100", "stock": "2"})
    assert r.status_code == 422 and "cannot be negative" in r.text and 'value="-100"' in r.text
    assert hall.post(f"/tickets/events/{event}/state", {"to": "published"}).status_code == 303
    assert "公演プログラム" in hall.public(f"/tickets/events/{event}").text
    assert hall.post(f"/tickets/merch/{item}/withdraw", {}).status_code == 303
    assert "公演プログラム" not in hall.public(f"/tickets/events/{event}").text
    assert hall.audited("tickets.merch.create") and hall.audited("tickets.merch.withdraw")


def test_bad_input_is_answered_by_the_field_with_typed_values_kept(hall):
    event, _, _ = priced_event(hall, title="入力確認")
    r = hall.post(f"/tickets/events/{event}/performances",
                  {"starts_at": jst(10 * DAY), "sale_starts_at": jst(5 * DAY), "sale_ends_at": jst(2 * DAY)})
    assert r.status_code == 422
    assert re.search(r'id="sale_ends_at"[^>]*>\s*<p class="field-error">The sale must end after it starts', r.text)
    assert f'value="{jst(5 * DAY)}"' in r.text and f'value="{jst(2 * DAY)}"' in r.text
    r = hall.post(f"/tickets/events/{event}/performances",
                  {"starts_at": "2026-02-30T18:00", "sale_starts_at": "soon", "sale_ends_at": jst(DAY)}, lang=JA)
    assert r.status_code == 422 and 'value="soon"' in r.text and "2026-05-01 18:30" in r.text  # the hint, in Japanese
    assert "日本時間の日時を入力してください" in r.text
    assert sql(f"SELECT COUNT(*) FROM tickets_performance WHERE tenant_id = {hall.id} AND event_id = {event}").strip() == "0"

    adult = sql(f"SELECT id FROM tickets_ticket_type WHERE tenant_id = {hall.id} AND event_id = {event}"
                " ORDER BY sort_no LIMIT 1").strip()
    r = hall.post(f"/tickets/events/{event}/prices", {"cat_0": "S", "type_0": adult, "price_0_0": "-500"})
    assert r.status_code == 422
    assert re.search(r'value="-500"[^>]*/>\s*<p class="field-error">A price cannot be negative', r.text)

    r = hall.post("/tickets/events", {"title": "", "description": "残しておく説明", "venue_id": hall.venue,
                                      "kind": "seated", "seat_map_id": "", "per_order_limit": "0"})
    assert r.status_code == 422
    assert "Enter a title of up to 200 characters." in r.text and "残しておく説明" in r.text
    assert "Choose a seat map for reserved seating." in r.text and "Enter a number from 1 to 100." in r.text


def test_draft_is_invisible_and_a_published_event_follows_its_sale_window(hall):
    slug_events = hall.public("/tickets")
    event, _, _ = priced_event(hall, title="販売期間の確認")
    perf = hall.performance(event, 10 * DAY, 2 * DAY, 5 * DAY)
    assert "販売期間の確認" not in hall.public("/tickets").text
    assert hall.public(f"/tickets/events/{event}").status_code == 404  # a draft
    assert slug_events.status_code == 200
    assert hall.post(f"/tickets/events/{event}/state", {"to": "published"}).status_code == 303

    page = hall.public(f"/tickets/events/{event}")
    assert "Not yet on sale (from" in page.text and f"/tickets/performances/{perf}" not in page.text
    set_clock(3 * DAY)
    page = hall.public(f"/tickets/events/{event}")
    assert "On sale — choose tickets" in page.text and f"/{hall.slug}/tickets/performances/{perf}" in page.text
    hall.set_units("seat", perf, range(1, 7), "sold")
    assert "Sold out" in hall.public(f"/tickets/events/{event}").text
    set_clock(6 * DAY)
    assert "Sale ended" in hall.public(f"/tickets/events/{event}").text


def test_an_empty_catalogue_says_so(hall):
    with new_client() as c:
        slug = f"empty-{uuid.uuid4().hex[:8]}"
        assert madoguchi("tenant", "create", "--slug", slug, "--name", "空の会館", "--modules", "tickets").returncode == 0
        r = c.get(f"/{slug}/tickets", headers=EN)
        assert r.status_code == 200 and "No events are on sale at the moment." in r.text


def test_another_tenants_event_is_not_found(hall):
    event, _, _ = priced_event(hall, title="他テナント確認")
    perf = hall.performance(event, 11 * DAY, -DAY, 9 * DAY)  # the hall is taken on day 10
    assert hall.post(f"/tickets/events/{event}/state", {"to": "published"}).status_code == 303
    other = Hall()
    try:
        for path in (f"/tickets/events/{event}", f"/tickets/performances/{perf}"):
            r = other.get(path)
            assert r.status_code == 404 and "他テナント確認" not in r.text
        r = other.post(f"/tickets/events/{event}/state", {"to": "closed"})
        assert r.status_code == 404
        r = other.public(f"/tickets/events/{event}")
        assert r.status_code == 404 and "他テナント確認" not in r.text
        assert "他テナント確認" not in other.public("/tickets").text
    finally:
        other.admin.close()
    assert sql(f"SELECT state FROM tickets_event WHERE tenant_id = {hall.id} AND id = {event}").strip() == "published"


def test_state_moves_one_way_and_needs_a_price(hall):
    event = hall.event(title="状態遷移")
    r = hall.post(f"/tickets/events/{event}/state", {"to": "published"})
    assert r.status_code == 422 and "Set at least one price before publishing the event." in r.text
    r = hall.post(f"/tickets/events/{event}/state", {"to": "closed"})
    assert r.status_code == 409
    event, _, _ = priced_event(hall, title="状態遷移2")
    assert hall.post(f"/tickets/events/{event}/state", {"to": "published"}).status_code == 303
    assert hall.post(f"/tickets/events/{event}/state", {"to": "closed"}).status_code == 303
    assert hall.post(f"/tickets/events/{event}/state", {"to": "published"}).status_code == 409
    assert hall.audited("tickets.event.close")


def test_the_purge_covers_every_tickets_table():
    """tickets_purge deletes from a fixed list; a tickets_* table added later without a purge
    statement would keep a purged tenant's rows."""
    tables = sql("SELECT DISTINCT TABLE_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
                 " AND TABLE_NAME LIKE 'tickets\\_%' AND COLUMN_NAME = 'tenant_id'").split()
    assert "tickets_event" in tables and "tickets_merch" in tables
    source = "".join(open(os.path.join(ROOT, "modules", "tickets", name)).read()
                     for name in os.listdir(os.path.join(ROOT, "modules", "tickets")) if name.endswith((".c", ".h")))
    for table in tables:
        assert re.search(rf'"DELETE FROM {table} WHERE tenant_id = \? LIMIT 1000"', source), table
