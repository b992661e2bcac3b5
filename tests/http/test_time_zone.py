"""The tenant's time zone (issue 10, item 7): times are stored in UTC and shown and read in the
tenant's zone. A tenant in Europe/London across the changes of the clocks of 2027 (BST starts
2027-03-28 01:00 UTC, ends 2027-10-31 01:00 UTC): a performance at local 01:30 on the night the
clocks go back (that hour happens twice: the earlier, BST, is taken), one at 01:30 on the night
they go forward (no such time: refused with the next valid one), what the back office, the
public pages and the API show, what is stored, and the orders filter by local day (23 and 25
hour days). Zone names are checked when set."""

import calendar
import csv
import datetime
import io
import re
import uuid
from zoneinfo import ZoneInfo

import pytest

from helpers import (api, checkout, console_post, create_staff, field_error, hold, logged_in, madoguchi, mails_to,
                     make_show, new_cart, new_client, page_csrf, send_mail, sql)

LONDON = ZoneInfo("Europe/London")
EN = {"Accept-Language": "en"}
JA = {"Accept-Language": "ja"}


def utc(y, mo, d, h, mi):
    return calendar.timegm((y, mo, d, h, mi, 0))


def london_input(t):
    """A datetime-local value in London time for the instant t."""
    return datetime.datetime.fromtimestamp(t, LONDON).strftime("%Y-%m-%dT%H:%M")


class LondonShow:
    """make_show's tenant (a published seated event, one performance on sale) moved to
    Europe/London with `madoguchi tenant update`, and its administrator logged in."""

    def __init__(self):
        self.show = make_show()
        self.slug, self.tid, self.event = self.show["slug"], self.show["tid"], self.show["event"]
        done = madoguchi("tenant", "update", self.slug, "--tz", "Europe/London")
        assert done.returncode == 0, done.stderr
        assert "Europe/London" in done.stdout
        self.admin = logged_in(self.slug, "admin", create_staff(self.slug, "admin", "admin"))
        self.csrf = page_csrf(self.admin.get(f"/{self.slug}/admin/", headers=EN).text)

    def get(self, path, lang=EN):
        return self.admin.get(f"/{self.slug}/admin{path}", headers=lang)

    def add_performance(self, starts, doors=None, sale_to=None, ends=None):
        now = datetime.datetime.now(LONDON)
        data = {"starts_at": starts, "doors_at": doors or "", "ends_at": ends or "",
                "sale_starts_at": (now - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
                "sale_ends_at": sale_to or "2027-03-01T12:00", "csrf": self.csrf}
        return self.admin.post(f"/{self.slug}/admin/tickets/events/{self.event}/performances", headers=EN, data=data)

    def stored(self, perf, column="starts_at"):
        return int(sql(f"SELECT UNIX_TIMESTAMP({column}) FROM tickets_performance WHERE tenant_id = {self.tid}"
                       f" AND id = {perf}").strip())


@pytest.fixture(scope="module")
def london():
    s = LondonShow()
    yield s
    s.admin.close()


def performance_id(response):
    assert response.status_code == 303, response.text
    return re.search(r"/tickets/performances/(\d+)$", response.headers["Location"]).group(1)


def test_zone_names_are_checked_when_set(london):
    slug = f"tz-{uuid.uuid4().hex[:10]}"
    for bad in ("Mars/Olympus_Mons", "Asia/Tokio", "../../etc/passwd", "JST-9", "UTC+9"):
        done = madoguchi("tenant", "create", "--slug", slug, "--name", "時刻会館", "--tz", bad)
        assert done.returncode == 1 and "not a time zone of the tz database" in done.stderr, (bad, done.stderr)
        done = madoguchi("tenant", "update", london.slug, "--tz", bad)
        assert done.returncode == 1 and "not a time zone of the tz database" in done.stderr, (bad, done.stderr)
    assert sql(f"SELECT COUNT(*) FROM tenant WHERE slug = '{slug}'").strip() == "0"
    assert sql(f"SELECT time_zone FROM tenant WHERE id = {london.tid}").strip() == "Europe/London"
    done = madoguchi("tenant", "create", "--slug", slug, "--name", "時刻会館", "--tz", "America/New_York")
    assert done.returncode == 0, done.stderr
    assert sql(f"SELECT time_zone FROM tenant WHERE slug = '{slug}'").strip() == "America/New_York"
    # the default stays Japan's
    other = f"tz-{uuid.uuid4().hex[:10]}"
    assert madoguchi("tenant", "create", "--slug", other, "--name", "既定会館").returncode == 0
    assert sql(f"SELECT time_zone FROM tenant WHERE slug = '{other}'").strip() == "Asia/Tokyo"


def test_the_hour_the_clocks_go_back_takes_the_earlier_time(london):
    # the first ends before the second's doors: the venue calendar keeps one performance at a time
    first = performance_id(london.add_performance("2027-10-31T01:30", doors="2027-10-31T01:00",
                                                  sale_to="2027-10-30T12:00", ends="2027-10-31T01:50"))
    second = performance_id(london.add_performance("2027-10-31T02:30", sale_to="2027-10-30T12:00"))
    # stored in UTC: 01:30 BST (the first of the two 01:30s) is 00:30 UTC, 02:30 GMT is 02:30 UTC
    assert london.stored(first) == utc(2027, 10, 31, 0, 30)
    assert london.stored(first, "doors_at") == utc(2027, 10, 31, 0, 0)
    assert london.stored(second) == utc(2027, 10, 31, 2, 30)
    assert london.stored(second) - london.stored(first) == 2 * 3600  # one hour apart on the clock

    # the back office shows and edits them in London time, and says so
    page = london.get(f"/tickets/events/{london.event}")
    assert page.status_code == 200
    assert "Sun 31 Oct 2027, 01:30" in page.text and "Sun 31 Oct 2027, 02:30" in page.text
    assert "Starts (Europe/London)" in page.text and "(JST)" not in page.text
    edit = london.get(f"/tickets/performances/{first}")
    assert 'value="2027-10-31T01:30"' in edit.text and 'value="2027-10-31T01:00"' in edit.text
    ja = london.get(f"/tickets/performances/{first}", JA)
    assert "開演（Europe/London）" in ja.text and "日本時間" not in ja.text

    # the public pages
    public_en = new_client().get(f"/{london.slug}/tickets/events/{london.event}", headers=EN)
    assert public_en.status_code == 200
    assert "Sun 31 Oct 2027, 01:30" in public_en.text and "Sun 31 Oct 2027, 02:30" in public_en.text
    assert "All times are local time in Europe/London." in public_en.text and "Japan time" not in public_en.text
    public_ja = new_client().get(f"/{london.slug}/tickets/events/{london.event}", headers=JA)
    assert "2027年10月31日(日) 01:30" in public_ja.text and "日本時間" not in public_ja.text

    # the API gives each time with the offset in force at that instant
    events = api("GET", f"/{london.slug}/api/v1/events").json()["events"]
    starts = {p["id"]: p["starts_at"] for e in events for p in e["performances"]}
    assert starts.get(int(first)) == "2027-10-31T01:30:00+01:00", starts
    assert starts.get(int(second)) == "2027-10-31T02:30:00+00:00", starts


def test_a_time_the_clocks_skip_is_refused_with_the_next_valid_one(london):
    count = sql(f"SELECT COUNT(*) FROM tickets_performance WHERE tenant_id = {london.tid}").strip()
    r = london.add_performance("2027-03-28T01:30")
    assert r.status_code == 422, r.status_code
    assert "There is no such time in Europe/London" in r.text and "2027-03-28 02:00" in r.text
    assert sql(f"SELECT COUNT(*) FROM tickets_performance WHERE tenant_id = {london.tid}").strip() == count
    ja = london.admin.post(f"/{london.slug}/admin/tickets/events/{london.event}/performances", headers=JA,
                           data={"starts_at": "2027-03-28T01:45", "sale_starts_at": "2027-01-01T10:00",
                                 "sale_ends_at": "2027-03-01T10:00", "csrf": london.csrf})
    assert ja.status_code == 422 and "Europe/Londonにはこの時刻がありません" in ja.text
    # the first minute after the gap is British Summer Time
    after = performance_id(london.add_performance("2027-03-28T02:30"))
    assert london.stored(after) == utc(2027, 3, 28, 1, 30)
    assert london.stored(after) - utc(2027, 3, 28, 0, 30) == 3600  # 00:30 GMT was an hour before


def order_at(london, seat, when):
    """An order made through the API, then dated `when` (UTC) as if it had been made then."""
    cart = new_cart(london.slug)
    assert hold(london.slug, cart, london.show["perf"], seats=[seat]).status_code == 200
    r = checkout(london.slug, cart)
    assert r.status_code == 201, r.text
    code = r.json()["order"]
    stamp = datetime.datetime.fromtimestamp(when, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    sql(f"UPDATE orders SET created_at = '{stamp}' WHERE tenant_id = {london.tid} AND code = '{code}'")
    return code


def codes_on(london, day):
    r = london.get(f"/tickets/orders?day={day}")
    assert r.status_code == 200, r.text
    return set(re.findall(r"/tickets/orders/([A-Z0-9]{12})", r.text)), r.text


def test_orders_are_filtered_by_the_local_day(london):
    # around the night the clocks go back: 2027-10-31 in London runs 25 hours, from 23:00 UTC on
    # the 30th to 00:00 UTC on 1 November
    early = order_at(london, 1, utc(2027, 10, 30, 23, 30))  # 00:30 BST on the 31st
    late = order_at(london, 2, utc(2027, 10, 31, 23, 30))   # 23:30 GMT on the 31st
    next_day = order_at(london, 3, utc(2027, 11, 1, 0, 30))  # 00:30 GMT on 1 November
    # the night they go forward: 2027-03-28 runs 23 hours, to 23:00 UTC
    last_minute = order_at(london, 4, utc(2027, 3, 28, 22, 59))  # 23:59 BST on the 28th
    past_midnight = order_at(london, 5, utc(2027, 3, 28, 23, 30))  # 00:30 BST on the 29th

    codes, page = codes_on(london, "2027-10-31")
    assert codes == {early, late}
    assert "2027-10-31 00:30" in page and "2027-10-31 23:30" in page
    assert codes_on(london, "2027-10-30")[0] == set()
    codes, page = codes_on(london, "2027-11-01")
    assert codes == {next_day} and "2027-11-01 00:30" in page
    assert codes_on(london, "2027-03-28")[0] == {last_minute}
    assert codes_on(london, "2027-03-29")[0] == {past_midnight}

    exported = london.get("/tickets/orders.csv?day=2027-10-31")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Order code", "Ordered at (Europe/London)", "Order state"]
    assert sorted((r[0], r[1]) for r in rows[1:]) == sorted([(early, "2027-10-31 00:30"), (late, "2027-10-31 23:30")])

    bad = london.get("/tickets/orders?day=2027-02-30")
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text


def test_the_order_mail_gives_the_deadline_in_london_time(london):
    address = f"buyer-{uuid.uuid4().hex[:8]}@example.jp"
    cart = new_cart(london.slug)
    assert hold(london.slug, cart, london.show["perf"], seats=[10]).status_code == 200
    r = checkout(london.slug, cart, email=address)
    assert r.status_code == 201, r.text
    deadline = r.json()["payment_deadline"]  # ISO with London's offset of that day
    assert deadline.endswith(("+00:00", "+01:00")), deadline
    local = datetime.datetime.fromisoformat(deadline)
    assert local.utcoffset() == local.astimezone(LONDON).utcoffset()
    send_mail()
    bodies = [m.get_body(("plain",)).get_content() for m, _ in mails_to(address)]
    assert len(bodies) == 1, bodies
    assert f"Please pay by {local.strftime('%Y-%m-%d %H:%M')} (Europe/London)." in bodies[0], bodies[0]


def test_the_audit_log_is_shown_and_filtered_in_the_tenants_zone(london):
    """Audit times are the real clock's: check the local display and today's filter against the
    zone's own rules for today."""
    page = london.get("/audit?action=login.")
    assert page.status_code == 200
    stored = sql(f"SELECT UNIX_TIMESTAMP(at) FROM audit_log WHERE tenant_id = {london.tid} AND action LIKE 'login.%'"
                 " ORDER BY seq DESC LIMIT 1").strip()
    shown = datetime.datetime.fromtimestamp(float(stored), LONDON).strftime("%Y-%m-%d %H:%M:%S")
    assert shown in page.text
    today = datetime.datetime.fromtimestamp(float(stored), LONDON).date()
    same_day = london.get(f"/audit?action=login.&from={today}&to={today}")
    assert shown in same_day.text
    before = today - datetime.timedelta(days=1)
    assert shown not in london.get(f"/audit?action=login.&from={before}&to={before}").text
    exported = london.get(f"/audit.csv?from={today}&to={today}")
    assert exported.status_code == 200, exported.text
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["No.", "Time (Europe/London)", "Time (UTC)"]
    assert shown in [r[1] for r in rows[1:]]


def test_the_console_refuses_an_unknown_zone_and_keeps_a_known_one(operator):  # noqa: F811
    slug = f"tzc-{uuid.uuid4().hex[:10]}"
    form = {"slug": slug, "name": "ロンドン会館", "contract_start": "2026-12-01", "module_tickets": "on"}
    r = console_post(operator, "/_operator/tenants", {**form, "time_zone": "Europe/Londres"},
                     page="/_operator/new-tenant")
    assert r.status_code == 200
    assert "not a time zone of the tz database" in (field_error(r.text, "time_zone") or "")
    assert 'value="Europe/Londres"' in r.text  # kept as typed
    assert sql(f"SELECT COUNT(*) FROM tenant WHERE slug = '{slug}'").strip() == "0"
    r = console_post(operator, "/_operator/tenants", {**form, "time_zone": "Europe/London"},
                     page="/_operator/new-tenant")
    assert r.status_code == 303, r.text
    assert sql(f"SELECT time_zone FROM tenant WHERE slug = '{slug}'").strip() == "Europe/London"
    assert "Europe/London" in operator.get(f"/_operator/tenants/{slug}", headers=EN).text
    assert 'value="Asia/Tokyo"' in operator.get("/_operator/new-tenant", headers=EN).text  # the default
    # and changed on the tenant's page, checked the same way and audited
    page = f"/_operator/tenants/{slug}"
    r = console_post(operator, f"{page}/time-zone", {"time_zone": "Asia/Edo"}, page=page)
    assert r.status_code == 200
    assert "not a time zone of the tz database" in (field_error(r.text, "time_zone") or "")
    assert 'value="Asia/Edo"' in r.text
    assert sql(f"SELECT time_zone FROM tenant WHERE slug = '{slug}'").strip() == "Europe/London"
    r = console_post(operator, f"{page}/time-zone", {"time_zone": "Asia/Tokyo"}, page=page)
    assert r.status_code == 303, r.text
    assert sql(f"SELECT time_zone FROM tenant WHERE slug = '{slug}'").strip() == "Asia/Tokyo"
    assert "Europe/London -> Asia/Tokyo" in sql("SELECT detail FROM audit_log WHERE tenant_id = 0"
                                                " AND action = 'tenant.time_zone'")
