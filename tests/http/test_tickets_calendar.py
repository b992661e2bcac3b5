"""Performances on the venue calendar (issue 11, item 1; core/commerce/calendar.h): a venue made in
the back office gets its calendar space; a performance occupies it from its doors to its end plus
the space's buffer; scheduling or moving one over an occupied evening is refused with a Japanese
message naming what is there, typed values kept, nothing written; cancelling frees the evening."""
import re
import time
import uuid

import pytest

from helpers import create_staff, logged_in, madoguchi, page_csrf, sql

DAY = 24 * 3600
JA = {"Accept-Language": "ja"}
SLOT = 900


def local(days, hour, minute=0):
    """A datetime-local value in Japan time: that many days from today at hour:minute."""
    day = time.gmtime(time.time() + 9 * 3600 + days * DAY)
    return f"{day.tm_year:04d}-{day.tm_mon:02d}-{day.tm_mday:02d}T{hour:02d}:{minute:02d}"


def utc(value):
    """The UTC seconds of a Japan-time datetime-local value."""
    return int(time.mktime(time.strptime(value, "%Y-%m-%dT%H:%M"))) - time.timezone - 9 * 3600


class Venue:
    def __init__(self):
        self.slug = f"cal-{uuid.uuid4().hex[:10]}"
        done = madoguchi("tenant", "create", "--slug", self.slug, "--name", "暦会館", "--modules", "tickets")
        assert done.returncode == 0, done.stderr
        self.id = sql(f"SELECT id FROM tenant WHERE slug = '{self.slug}'").strip()
        password = create_staff(self.slug, "admin", "admin")
        self.admin = logged_in(self.slug, "admin", password)
        self.csrf = page_csrf(self.admin.get(f"/{self.slug}/admin/", headers=JA).text)
        r = self.post("/tickets/venues", {"name": "大ホール", "address": "千代田区1-1"})
        assert r.status_code == 303, r.text
        self.venue = sql(f"SELECT id FROM tickets_venue WHERE tenant_id = {self.id}").strip()

    def post(self, path, data):
        return self.admin.post(f"/{self.slug}/admin{path}", headers=JA, data={**data, "csrf": self.csrf})

    def event(self, title):
        r = self.post("/tickets/events", {"title": title, "description": "説明", "venue_id": self.venue, "kind": "ga",
                                          "seat_map_id": "", "per_order_limit": "6"})
        assert r.status_code == 303, r.text
        return re.search(r"/tickets/events/(\d+)$", r.headers["Location"]).group(1)

    def schedule(self, event, day, doors, starts, ends=None):
        data = {"starts_at": local(day, *starts), "doors_at": local(day, *doors), "sale_starts_at": local(-1, 10),
                "sale_ends_at": local(day, 12)}
        if ends:
            data["ends_at"] = local(day, *ends)
        return self.post(f"/tickets/events/{event}/performances", data), data

    def occupations(self):
        return sql(f"SELECT o.owner_kind, o.owner_id, o.label, UNIX_TIMESTAMP(o.starts_at), UNIX_TIMESTAMP(o.ends_at)"
                   f" FROM calendar_occupation o WHERE o.tenant_id = {self.id} ORDER BY o.starts_at").strip().splitlines()


@pytest.fixture(scope="module")
def venue():
    v = Venue()
    yield v
    v.admin.close()


def test_a_venue_made_in_the_back_office_has_its_space(venue):
    space = sql(f"SELECT s.name, s.kind FROM tickets_venue v JOIN calendar_space s ON s.tenant_id = v.tenant_id"
                f" AND s.id = v.space_id WHERE v.tenant_id = {venue.id} AND v.id = {venue.venue}").strip()
    assert space == "大ホール\thall"


def test_a_performance_occupies_its_evening_and_another_over_it_is_refused(venue):
    concert = venue.event("秋の定期演奏会")
    r, _ = venue.schedule(concert, 40, (18, 0), (18, 30), (21, 0))
    assert r.status_code == 303, r.text
    perf = re.search(r"/tickets/performances/(\d+)$", r.headers["Location"]).group(1)
    # the occupation mg_calendar_busy reads: doors 18:00 to the end 21:00
    busy = [line.split("\t") for line in venue.occupations()]
    assert ["tickets.performance", perf, "秋の定期演奏会", str(utc(local(40, 18))), str(utc(local(40, 21)))] in busy
    claims = int(sql(f"SELECT COUNT(*) FROM calendar_claim c JOIN calendar_occupation o ON o.tenant_id = c.tenant_id"
                     f" AND o.id = c.occupation_id WHERE o.tenant_id = {venue.id} AND o.owner_id = {perf}"))
    assert claims == 12  # 18:00–21:00 in 15-minute slots

    other = venue.event("落語の夕べ")
    r, sent = venue.schedule(other, 40, (19, 30), (20, 0))
    assert r.status_code == 409
    assert "大ホールはこの時間、すでに「秋の定期演奏会」で使用されています" in r.text
    assert re.search(r"（\d{4}年\d{1,2}月\d{1,2}日\([月火水木金土日]\) 18:00〜21:00）", r.text), r.text
    assert f'value="{sent["starts_at"]}"' in r.text  # typed values kept
    assert sql(f"SELECT COUNT(*) FROM tickets_performance WHERE tenant_id = {venue.id} AND event_id = {other}").strip() == "0"

    # the evening before is free: it is scheduled and occupies it
    r, _ = venue.schedule(other, 39, (19, 30), (20, 0))
    assert r.status_code == 303, r.text
    rakugo = re.search(r"/tickets/performances/(\d+)$", r.headers["Location"]).group(1)
    assert len(venue.occupations()) == 2

    # moving it onto the concert's evening is refused and changes nothing
    r = venue.post(f"/tickets/performances/{rakugo}",
                   {"starts_at": local(40, 17), "doors_at": local(40, 16, 30), "sale_starts_at": local(-1, 10),
                    "sale_ends_at": local(40, 12)})
    assert r.status_code == 409 and "「秋の定期演奏会」で使用されています" in r.text
    assert sql(f"SELECT UNIX_TIMESTAMP(starts_at) FROM tickets_performance WHERE tenant_id = {venue.id}"
               f" AND id = {rakugo}").strip() == str(utc(local(39, 20)))

    # cancelling the concert frees its evening; then the move goes through
    assert venue.post(f"/tickets/performances/{perf}/cancel", {}).status_code == 303
    r = venue.post(f"/tickets/performances/{rakugo}",
                   {"starts_at": local(40, 17), "doors_at": local(40, 16, 30), "sale_starts_at": local(-1, 10),
                    "sale_ends_at": local(40, 12)})
    assert r.status_code == 303, r.text
    busy = [line.split("\t") for line in venue.occupations()]
    assert [b[1] for b in busy] == [rakugo]
    assert busy[0][3] == str(utc(local(40, 16, 30))) and busy[0][4] == str(utc(local(40, 20)))  # 3 hours by default


def test_a_rental_of_the_hall_refuses_a_performance_over_it(venue):
    """What the rentals module writes through mg_calendar_occupy, made here with SQL: the hall
    rented 13:00–17:00 (claims of its 16 slots)."""
    space = sql(f"SELECT space_id FROM tickets_venue WHERE tenant_id = {venue.id} AND id = {venue.venue}").strip()
    start, end = utc(local(45, 13)), utc(local(45, 17))
    occ = sql(f"INSERT INTO calendar_occupation (tenant_id, space_id, starts_at, ends_at, first_slot, last_slot, claims,"
              f" owner_kind, owner_id, label) VALUES ({venue.id}, {space}, FROM_UNIXTIME({start}), FROM_UNIXTIME({end}),"
              f" {start // SLOT}, {end // SLOT - 1}, 16, 'rentals.booking', 7, '会議 (山田)'); SELECT LAST_INSERT_ID()").strip()
    sql("INSERT INTO calendar_claim (tenant_id, space_id, slot, occupation_id) WITH RECURSIVE n (s) AS"
        f" (SELECT {start // SLOT} UNION ALL SELECT s + 1 FROM n WHERE s < {end // SLOT - 1})"
        f" SELECT {venue.id}, {space}, s, {occ} FROM n")
    matinee = venue.event("昼の公演")
    r, _ = venue.schedule(matinee, 45, (16, 30), (17, 0), (19, 0))
    assert r.status_code == 409
    assert "大ホールはこの時間、すでに「会議 (山田)」で使用されています" in r.text
    # right after the rental it fits (the hall has no buffer)
    r, _ = venue.schedule(matinee, 45, (17, 0), (17, 30), (19, 0))
    assert r.status_code == 303, r.text
