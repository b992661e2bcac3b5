"""Rentals bookings through the JSON API v1 (modules/rentals/bookings.c, docs/api.md) on the venue
calendar, against the live stack: availability by block, a provisional booking with its fee line by
line, approval, cancellation by the ladder, the lapse of an unapproved booking past its deadline (a
moved clock), the equipment stock shared by the facility's rooms, and the race of issue 11: 200
concurrent clients THROUGH NGINX book the same block of the same room (and the whole 体育館 against
its A面): exactly one wins each round, every loser gets 409 slot_unavailable, nobody a 5xx, and no
two live occupations overlap in the database."""
import datetime
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from helpers import (JST_ZONE as JST, create_staff, day_ahead, logged_in, madoguchi, make_center, new_client,
                     rentals_api_token, rentals_tenant as make_tenant, sql, utc)

@pytest.fixture(scope="module")
def center():
    slug, tid = make_tenant()
    ids = make_center(tid)
    password = create_staff(slug, "admin", "admin")
    with logged_in(slug, "admin", password) as admin:
        create_staff(slug, "madoguchi", "general")
        token = rentals_api_token(admin, slug, "受付端末", "madoguchi")
    return {"slug": slug, "tid": tid, "token": token, **ids}


def api(center, method, path, body=None, token=True):
    headers = {"Accept-Language": "ja"}
    if token:
        headers["Authorization"] = f"Bearer {center['token']}"
    with new_client() as c:
        return c.request(method, f"/{center['slug']}/api/v1{path}", json=body, headers=headers)


def availability(center, room, date):
    r = api(center, "GET", f"/rooms/{room}/availability?from={date}&days=1", token=False)
    assert r.status_code == 200, r.text
    return {b["block"]: b["state"] for b in r.json()["days"][0]["blocks"]}


def test_a_provisional_booking_takes_its_blocks_and_shows_its_fee(center):
    date = day_ahead(40, weekday=2)  # a Wednesday
    assert availability(center, center["room"], date) == {"am": "free", "pm": "free", "night": "free"}
    r = api(center, "POST", "/bookings", {"room": center["room"], "date": date, "blocks": ["night", "pm"],
                                          "attendees": 20,
                                          "equipment": [{"id": center["projector"], "quantity": 1}]})
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["state"] == "provisional"
    assert got["booking"].startswith("R")
    assert [(line["type"], line["amount"]) for line in got["lines"]] == [("unit", 1500), ("unit", 2000),
                                                                         ("fee", 2000)]
    assert got["lines"][0]["label"] == "午後 13:00–17:00 施設使用料"
    assert got["lines"][2]["label"] == "プロジェクター ×1 (2区分)"
    assert got["total"] == 5500
    # 7 days after booking: the deadline is well before the day of use
    deadline = datetime.datetime.fromisoformat(got["deadline"])
    assert datetime.timedelta(days=6, hours=23) < deadline - datetime.datetime.now(JST) <= datetime.timedelta(days=7)
    assert availability(center, center["room"], date) == {"am": "free", "pm": "taken", "night": "taken"}
    row = sql(f"SELECT state, total, room_id FROM rentals_booking WHERE tenant_id = {center['tid']}"
              f" AND code = '{got['booking']}'").split()
    assert row == ["provisional", "5500", str(center["room"])]
    # the same evening again: refused, nothing held
    again = api(center, "POST", "/bookings", {"room": center["room"], "date": date, "blocks": ["night"]})
    assert again.status_code == 409, again.text
    assert again.json()["error"] == "slot_unavailable"
    assert again.json()["blocks"] == ["night"]


def test_commercial_use_on_a_saturday_all_day(center):
    date = day_ahead(45, weekday=5)  # a Saturday
    r = api(center, "POST", "/bookings", {"room": center["a"], "date": date, "blocks": ["am", "pm", "night"],
                                          "purpose": "commercial"})
    assert r.status_code == 201, r.text
    lines = [(line["type"], line["amount"]) for line in r.json()["lines"]]
    # 3 × (1,000 / 1,500 / 2,000); +20 % of 13,500; −10 % 全日 of 13,500
    assert lines == [("unit", 3000), ("unit", 4500), ("unit", 6000), ("fee", 2700), ("discount", -1350)]
    assert r.json()["total"] == 14850
    # a part taken makes the whole unavailable
    assert set(availability(center, center["gym"], date).values()) == {"taken"}


def test_bad_bookings_are_400_with_a_message_and_hold_nothing(center):
    date = day_ahead(50, weekday=2)
    before = sql(f"SELECT COUNT(*) FROM rentals_booking WHERE tenant_id = {center['tid']}").strip()
    for body in ({"room": center["room"], "date": date, "blocks": ["am", "night"]},
                 {"room": center["room"], "date": date, "blocks": ["evening"]},
                 {"room": center["room"], "date": "2027-02-30", "blocks": ["am"]},
                 {"room": center["room"], "date": date, "blocks": ["am"], "purpose": "party"},
                 {"room": center["room"], "date": date, "blocks": ["am"], "equipment": [{"id": 999999, "quantity": 1}]},
                 {"room": "1", "date": date, "blocks": ["am"]}):
        r = api(center, "POST", "/bookings", body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"] == "invalid"
        assert r.json()["message"]
    assert api(center, "POST", "/bookings", {"room": 999999, "date": date, "blocks": ["am"]}).status_code == 404
    assert sql(f"SELECT COUNT(*) FROM rentals_booking WHERE tenant_id = {center['tid']}").strip() == before
    # no token: refused before anything is read
    r = api(center, "POST", "/bookings", {"room": center["room"], "date": date, "blocks": ["am"]}, token=False)
    assert r.status_code in (401, 403)


def test_the_projector_is_shared_by_the_rooms_for_the_same_hours(center):
    date = day_ahead(55, weekday=3)
    eq = [{"id": center["projector"], "quantity": 1}]
    first = api(center, "POST", "/bookings", {"room": center["room"], "date": date, "blocks": ["pm"], "equipment": eq})
    assert first.status_code == 201, first.text
    other = api(center, "POST", "/bookings", {"room": center["a"], "date": date, "blocks": ["pm", "night"],
                                              "equipment": eq})
    assert other.status_code == 409, other.text
    assert other.json()["error"] == "equipment_unavailable"
    # nothing of the refused booking stays: its room is still free that afternoon
    assert availability(center, center["a"], date)["pm"] == "free"
    morning = api(center, "POST", "/bookings", {"room": center["a"], "date": date, "blocks": ["am"], "equipment": eq})
    assert morning.status_code == 201, morning.text
    # cancelling the first gives the projector back
    assert api(center, "DELETE", f"/bookings/{first.json()['booking']}").status_code == 200
    again = api(center, "POST", "/bookings", {"room": center["a"], "date": date, "blocks": ["pm"], "equipment": eq})
    assert again.status_code == 201, again.text


def test_approve_then_cancel_by_the_ladder(center):
    date = day_ahead(60, weekday=2)
    made = api(center, "POST", "/bookings", {"room": center["room"], "date": date, "blocks": ["am"]})
    assert made.status_code == 201, made.text
    code = made.json()["booking"]
    r = api(center, "POST", f"/bookings/{code}/approve")
    assert r.status_code == 200, r.text
    assert r.json() == {"booking": code, "state": "confirmed"}
    assert api(center, "POST", f"/bookings/{code}/approve").json()["error"] == "wrong_state"
    # paid in full, cancelled 60 days before: 100 % back
    sql(f"UPDATE rentals_booking SET paid = total WHERE tenant_id = {center['tid']} AND code = '{code}'")
    r = api(center, "DELETE", f"/bookings/{code}")
    assert r.status_code == 200, r.text
    assert r.json() == {"booking": code, "state": "cancelled", "fee": 0, "refund": 1000}
    assert availability(center, center["room"], date)["am"] == "free"
    assert api(center, "DELETE", f"/bookings/{code}").status_code == 409
    assert api(center, "DELETE", "/bookings/R99999999").status_code == 404


def test_an_unapproved_booking_lapses_at_its_deadline_and_frees_its_blocks(center):
    date = day_ahead(30, weekday=4)
    made = api(center, "POST", "/bookings", {"room": center["room"], "date": date, "blocks": ["pm"]})
    assert made.status_code == 201, made.text
    code = made.json()["booking"]
    deadline = datetime.datetime.fromisoformat(made.json()["deadline"])
    # the job before the deadline changes nothing
    done = madoguchi("jobs", "run", "rentals.lapse", "--now", utc(deadline - datetime.timedelta(minutes=5)))
    assert done.returncode == 0, done.stderr
    state = f"SELECT state FROM rentals_booking WHERE tenant_id = {center['tid']} AND code = '{code}'"
    assert sql(state).strip() == "provisional"
    assert availability(center, center["room"], date)["pm"] == "taken"
    done = madoguchi("jobs", "run", "rentals.lapse", "--now", utc(deadline + datetime.timedelta(minutes=1)))
    assert done.returncode == 0, done.stderr
    assert sql(state).strip() == "lapsed"
    assert availability(center, center["room"], date)["pm"] == "free"
    assert api(center, "POST", f"/bookings/{code}/approve").status_code == 409
    again = api(center, "POST", "/bookings", {"room": center["room"], "date": date, "blocks": ["pm"]})
    assert again.status_code == 201, again.text


def overlapping_live_occupations(tid):
    """Pairs of live occupations of one space, or of a space and its part, that overlap in time."""
    return int(sql(f"""
        SELECT COUNT(*) FROM calendar_occupation o1 JOIN calendar_occupation o2
          ON o2.tenant_id = o1.tenant_id AND o2.id > o1.id
         AND o1.starts_at < o2.ends_at AND o2.starts_at < o1.ends_at
        JOIN calendar_space s1 ON s1.tenant_id = o1.tenant_id AND s1.id = o1.space_id
        JOIN calendar_space s2 ON s2.tenant_id = o2.tenant_id AND s2.id = o2.space_id
        WHERE o1.tenant_id = {tid}
          AND (s1.id = s2.id OR s1.parent_id = s2.id OR s2.parent_id = s1.id)
          AND (o1.expires_at IS NULL OR o1.expires_at > UTC_TIMESTAMP())
          AND (o2.expires_at IS NULL OR o2.expires_at > UTC_TIMESTAMP())
    """).strip())


def test_race_200_clients_one_winner_per_round(center):
    clients = 200

    def attempt(body):
        try:
            r = api(center, "POST", "/bookings", body)
            return r.status_code, (r.json().get("error") if r.status_code != 201 else r.json()["booking"])
        except Exception as e:  # a client that got no answer counts against the test
            return 0, repr(e)

    rounds = []
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for n, (weekday, blocks) in enumerate([(0, ["pm"]), (1, ["pm", "night"]), (4, ["am"])]):
            date = day_ahead(70 + 7 * n, weekday=weekday)
            body = {"room": center["room"], "date": date, "blocks": blocks}
            rounds.append(list(pool.map(attempt, [body] * clients)))
        # the whole 体育館 against its A面, half and half
        date = day_ahead(95, weekday=2)
        bodies = [{"room": center["gym"] if i % 2 else center["a"], "date": date, "blocks": ["night"]}
                  for i in range(clients)]
        rounds.append(list(pool.map(attempt, bodies)))
    print(f"rentals race: {len(rounds)} rounds of {clients} clients in {time.monotonic() - started:.1f} s")
    for results in rounds:
        statuses = [s for s, _ in results]
        assert statuses.count(201) == 1, sorted(set(results))
        assert statuses.count(409) == clients - 1, sorted(set(results))
        assert all(word == "slot_unavailable" for s, word in results if s == 409)
        assert not [s for s in statuses if s >= 500 or s == 0]
    assert overlapping_live_occupations(center["tid"]) == 0
    winners = [w for results in rounds for s, w in results if s == 201]
    codes = ",".join(f"'{w}'" for w in winners)
    assert sql(f"SELECT COUNT(*) FROM rentals_booking WHERE tenant_id = {center['tid']} AND code IN ({codes})"
               f" AND state = 'provisional'").strip() == str(len(rounds))


def test_staff_see_occupancy_and_export_the_month_as_csv(center):
    date = day_ahead(100, weekday=2)
    made = api(center, "POST", "/bookings", {"room": center["room"], "date": date, "blocks": ["pm", "night"]})
    assert made.status_code == 201, made.text
    password = create_staff(center["slug"], "keiri", "general")
    with logged_in(center["slug"], "keiri", password) as staff:
        r = staff.get(f"/{center['slug']}/admin/rentals/occupancy?month={date[:7]}", headers={"Accept-Language": "ja"})
        assert r.status_code == 200, r.text
        assert "稼働率" in r.text and "<svg" in r.text and "第1会議室" in r.text
        csv = staff.get(f"/{center['slug']}/admin/rentals/bookings.csv?month={date[:7]}",
                        headers={"Accept-Language": "ja"})
        assert csv.status_code == 200
        assert csv.content.startswith(b"\xef\xbb\xbf")
        text = csv.content.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("予約番号,施設,")
        assert f"{made.json()['booking']},第1会議室,{date},午後–夜間,仮予約" in text
        assert "\r\n" in text
