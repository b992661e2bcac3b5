"""The public rentals pages (modules/rentals/web.c) against the live stack: the rooms, a room's month
with ○ △ × 休 that a screen reader reads as words, a day's blocks, and a customer's booking: the
fee line by line first, then the provisional booking with its deadline, its page and its ICS file;
bad input comes back on the form with a message and the typed values."""
import datetime
import re
import uuid

import pytest

from helpers import (JST_ZONE as JST, PASSWORD, active_account, day_ahead, form_csrf, madoguchi, make_center,
                     new_client, sql)


@pytest.fixture(scope="module")
def hall():
    slug = f"rp-{uuid.uuid4().hex[:10]}"
    done = madoguchi("tenant", "create", "--slug", slug, "--name", "テスト市民会館", "--modules", "rentals")
    assert done.returncode == 0, done.stderr
    tid = int(sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip())
    ids = make_center(tid)
    return {"slug": slug, "tid": tid, **ids}


JA = {"Accept-Language": "ja"}


def test_rooms_and_a_month_with_marks_read_as_words(hall):
    slug = hall["slug"]
    with new_client() as c:
        r = c.get(f"/{slug}/rentals", headers=JA)
        assert r.status_code == 200, r.text
        assert "施設予約" in r.text and "第1会議室" in r.text and "体育館" in r.text
        date = day_ahead(20, weekday=2)
        # a booking of the afternoon makes that day △ and the afternoon ×
        start = datetime.datetime.fromisoformat(f"{date}T13:00").replace(tzinfo=JST)
        end = start + datetime.timedelta(hours=4)
        utc = [t.astimezone(datetime.timezone.utc) for t in (start, end)]
        sql(f"INSERT INTO calendar_occupation (tenant_id, space_id, starts_at, ends_at, first_slot, last_slot,"
            f" owner_kind, owner_id, label) VALUES ({hall['tid']}, {hall['space']},"
            f" '{utc[0]:%Y-%m-%d %H:%M:%S}', '{utc[1]:%Y-%m-%d %H:%M:%S}', {int(utc[0].timestamp()) // 900},"
            f" {int(utc[1].timestamp()) // 900 - 1}, 'tickets.performance', 1, '演奏会')")
        r = c.get(f"/{slug}/rentals/rooms/{hall['room']}?month={date[:7]}&date={date}", headers=JA)
        assert r.status_code == 200, r.text
        page = r.text
        assert re.search(r'<caption>\d{4}年\d{1,2}月</caption>', page)
        # the mark is hidden from screen readers, the word beside it is not
        assert '<span class="mark" aria-hidden="true">△</span>' in page
        assert re.search(r'<span class="visually-hidden"><span>[^<]*</span> <span>一部空き</span></span>', page)
        assert '<span class="visually-hidden"><span>' in page and "空き</span>" in page
        day = re.search(r'<section id="day".*?</section>', page, re.S).group(0)
        assert re.search(r"午後.*?13:00–17:00.*?予約済み", day, re.S)
        assert re.search(r"夜間.*?18:00–22:00.*?空き.*?この区分を予約", day, re.S)
        assert "/book?date=" + date + "&amp;block=night" in day
        assert "block=pm" not in day


def test_the_form_wants_a_login_and_comes_back(hall):
    slug = hall["slug"]
    date = day_ahead(21, weekday=3)
    with new_client() as c:
        r = c.get(f"/{slug}/rentals/rooms/{hall['room']}/book?date={date}&block=pm", allow_redirects=False)
        assert r.status_code == 303
        assert f"/{slug}/account/login?next=" in r.headers["Location"]
        assert "book%3Fdate%3D" in r.headers["Location"] or "book?date=" in r.headers["Location"]


def test_a_customer_sees_the_fee_then_books_provisionally(hall):
    slug = hall["slug"]
    mail = f"hanako.{uuid.uuid4().hex[:8]}@example.jp"
    c = active_account(slug, mail, PASSWORD)
    date = day_ahead(25, weekday=2)
    path = f"/{slug}/rentals/rooms/{hall['room']}/book"
    r = c.get(f"{path}?date={date}&block=pm", headers=JA)
    assert r.status_code == 200, r.text
    assert 'value="pm" checked="checked"' in r.text or 'checked="checked" value="pm"' in r.text \
        or re.search(r'<input[^>]*value="pm"[^>]*checked', r.text)
    csrf = form_csrf(c, f"{path}?date={date}&block=pm", "ja")
    form = {"csrf": csrf, "date": date, "block": ["pm"], "purpose": "general", "attendees": "１２",
            "eq_id": [str(hall["projector"])], "eq_qty": ["1"], "resident": "yes"}
    r = c.post(path, data=form, headers=JA)
    assert r.status_code == 200, r.text
    assert "午後 13:00–17:00 施設使用料" in r.text and "¥1,500" in r.text
    assert "プロジェクター ×1 (1区分)" in r.text and "¥2,500" in r.text
    assert 'value="12"' in r.text  # the typed number, normalised, kept
    assert sql(f"SELECT COUNT(*) FROM rentals_booking WHERE tenant_id = {hall['tid']}"
               f" AND use_date = '{date}'").strip() == "0"
    r = c.post(path, data={**form, "confirm": "1"}, headers=JA, allow_redirects=False)
    assert r.status_code == 303, r.text
    booking = r.headers["Location"]
    code = re.search(r"/rentals/bookings/(R\d{8})$", booking).group(1)
    page = c.get(booking, headers=JA)
    assert page.status_code == 200
    assert "仮予約（お支払い・承認待ち）" in page.text
    assert code in page.text and "¥2,500" in page.text
    assert re.search(r'class="deadline">\d{4}年\d{1,2}月\d{1,2}日', page.text)
    ics = c.get(f"{booking}/ics")
    assert ics.status_code == 200
    assert ics.headers["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in ics.text and "STATUS:TENTATIVE" in ics.text
    # someone else cannot see it
    with new_client() as other:
        assert other.get(booking, allow_redirects=False).status_code == 303
    # the block is taken now
    r = c.post(path, data={**form, "confirm": "1", "eq_qty": ["0"]}, headers=JA)
    assert r.status_code == 400
    assert "この区分はすでに予約されています" in r.text


def test_bad_input_comes_back_with_a_message(hall):
    slug = hall["slug"]
    c = active_account(slug, f"taro.{uuid.uuid4().hex[:8]}@example.jp", PASSWORD)
    date = day_ahead(26, weekday=4)
    path = f"/{slug}/rentals/rooms/{hall['room']}/book"
    csrf = form_csrf(c, f"{path}?date={date}&block=am", "ja")
    r = c.post(path, data={"csrf": csrf, "date": date, "block": ["am", "night"], "purpose": "general",
                           "attendees": "30"}, headers=JA)
    assert r.status_code == 400
    assert "連続した利用区分を選んでください" in r.text
    assert 'value="30"' in r.text
