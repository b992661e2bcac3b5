"""Rentals in a real browser on a phone-sized window (420×900): a resident registers, opens a room's
month, picks a free 午後, adds a projector, sees the fee line by line, books provisionally and sees
the booking with its deadline; a staff member approves it in the back office's day × rooms
calendar, where it shows as approved."""
import re
import time
import uuid

from selenium.webdriver.common.by import By

from browser_support import BASE_URL, browser, screenshot  # noqa: F401 (fixture)
from helpers import (PASSWORD, create_staff, day_ahead, link_path, logged_in, madoguchi, mails_to, make_center,
                     send_mail, sql)


def test_a_resident_books_an_afternoon_with_a_projector_and_staff_approve_it(browser):  # noqa: F811
    slug = f"rb-{uuid.uuid4().hex[:10]}"
    done = madoguchi("tenant", "create", "--slug", slug, "--name", "テスト市民会館", "--modules", "rentals")
    assert done.returncode == 0, done.stderr
    tid = int(sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip())
    ids = make_center(tid)
    date = day_ahead(30, weekday=2)

    # registration in the browser, confirmed by the mailed link
    mail = f"kumin.{uuid.uuid4().hex[:8]}@example.jp"
    browser.get(f"{BASE_URL}/{slug}/account/register")
    browser.find_element(By.NAME, "email").send_keys(mail)
    browser.find_element(By.NAME, "name").send_keys("市民 花子")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.NAME, "confirm").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    msg = None
    for _ in range(20):  # the form's POST may still be on its way when click() returns
        send_mail()
        found = mails_to(mail)
        if found:
            msg = found[0][0]
            break
        time.sleep(0.5)
    assert msg is not None
    browser.get(BASE_URL + link_path(msg, "confirm"))
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()

    # the room's month, then the chosen day's blocks
    browser.get(f"{BASE_URL}/{slug}/rentals")
    browser.find_element(By.LINK_TEXT, "第1会議室").click()
    browser.get(f"{browser.current_url}?month={date[:7]}&date={date}")
    screenshot(browser, "rentals-1-month")
    cell = browser.find_element(By.CSS_SELECTOR, "table.month a.free .visually-hidden")
    assert "空き" in cell.get_attribute("textContent")
    day = browser.find_element(By.ID, "day")
    afternoon = [li for li in day.find_elements(By.TAG_NAME, "li") if "午後" in li.text][0]
    assert "空き" in afternoon.text
    afternoon.find_element(By.LINK_TEXT, "この区分を予約").click()

    # the form: 午後 is checked; a projector; the fee first
    assert browser.find_element(By.ID, "block-pm").is_selected()
    quantity = browser.find_element(By.ID, str(ids["projector"]))
    quantity.clear()
    quantity.send_keys("1")
    browser.find_element(By.NAME, "attendees").send_keys("15")
    browser.find_element(By.ID, "resident-yes").click()
    screenshot(browser, "rentals-2-form")
    browser.find_element(By.XPATH, "//button[normalize-space()='使用料を確認する']").click()
    fee = browser.find_element(By.CSS_SELECTOR, "section.fee").text
    assert "午後 13:00–17:00 施設使用料" in fee and "プロジェクター ×1 (1区分)" in fee
    assert "¥2,500" in fee
    screenshot(browser, "rentals-3-fee")
    browser.find_element(By.XPATH, "//button[normalize-space()='仮予約する']").click()

    # the provisional booking with its deadline
    assert re.search(r"/rentals/bookings/R\d{8}$", browser.current_url)
    code = browser.find_element(By.CSS_SELECTOR, "dd.code").text
    assert "仮予約" in browser.find_element(By.CSS_SELECTOR, ".booking-state").text
    assert re.match(r"\d{4}年\d{1,2}月\d{1,2}日", browser.find_element(By.CSS_SELECTOR, "dd.deadline").text)
    screenshot(browser, "rentals-4-booking")
    state = f"SELECT state FROM rentals_booking WHERE tenant_id = {tid} AND code = '{code}'"
    assert sql(state).strip() == "provisional"
    assert sql(f"SELECT COUNT(*) FROM rentals_booking_equipment be JOIN rentals_booking b"
               f" ON b.tenant_id = be.tenant_id AND b.id = be.booking_id"
               f" WHERE b.tenant_id = {tid} AND b.code = '{code}'").strip() == "1"

    # staff: the day × rooms calendar, approve
    password = create_staff(slug, "uketsuke", "general")
    with logged_in(slug, "uketsuke", password) as staff:
        session = staff.cookies.get("__Host-mg_session")
    browser.delete_all_cookies()
    browser.get(f"{BASE_URL}/{slug}/admin/login")
    browser.add_cookie({"name": "__Host-mg_session", "value": session, "path": "/", "secure": True})
    browser.get(f"{BASE_URL}/{slug}/admin/rentals/calendar?date={date}")
    grid = browser.find_element(By.CSS_SELECTOR, "table.room-grid")
    row = [tr for tr in grid.find_elements(By.CSS_SELECTOR, "tbody tr") if tr.text.startswith("第1会議室")][0]
    assert "（仮予約）" in row.text
    screenshot(browser, "rentals-5-calendar")
    row.find_element(By.XPATH, ".//button[normalize-space()='承認']").click()
    assert f"予約 {code} を承認しました。" in browser.find_element(By.CSS_SELECTOR, "p.notice").text
    row = [tr for tr in browser.find_elements(By.CSS_SELECTOR, "table.room-grid tbody tr")
           if tr.text.startswith("第1会議室")][0]
    assert "（仮予約）" not in row.text and "第1会議室 午後" in row.text
    screenshot(browser, "rentals-6-approved")
    assert sql(state).strip() == "confirmed"
