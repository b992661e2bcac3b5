"""A guest buys two seats on the seat map in a real browser (phone-sized window, Japanese) and sees
the QR ticket: the map imported with `madoguchi tickets import-map`, the event and its performance
made with SQL, then only what a buyer does — tick two seats, add them to the cart, checkout, open
the ticket."""
import re
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from browser_support import BASE_URL, browser, screenshot  # noqa: F401 (fixture)

from helpers import madoguchi, sql

MAP = """<?xml version="1.0" encoding="UTF-8"?>
<seatmap width="400" height="260" name="小ホール">
  <stage x="100" y="10" width="200" height="40" label="舞台"/>
  <section name="1階" category="S">
    <row name="A" y="100">
      <seat number="1" x="100"/><seat number="2" x="140"/><seat number="3" x="180"/>
      <seat number="4" x="220"/><seat number="5" x="260"/><seat number="6" x="300"/>
    </row>
    <row name="B" y="150">
      <seat number="1" x="100"/><seat number="2" x="140"/><seat number="3" x="180"/>
      <seat number="4" x="220"/><seat number="5" x="260"/><seat number="6" x="300"/>
    </row>
  </section>
</seatmap>
"""


def make_show(tmp_path):
    slug = f"bb-{uuid.uuid4().hex[:8]}"
    assert madoguchi("tenant", "create", "--slug", slug, "--name", "ブラウザ劇場", "--modules", "tickets").returncode == 0
    path = tmp_path / "map.xml"
    path.write_text(MAP, encoding="utf-8")
    done = madoguchi("tickets", "import-map", "--tenant", slug, "--venue-name", "市民会館 小ホール", str(path))
    assert done.returncode == 0, done.stderr
    map_id = int(re.search(r"seat map (\d+): 12 seats", done.stdout).group(1))
    tid = int(sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip())
    perf = int(sql(f"""
        INSERT INTO tickets_event (tenant_id, title, description, venue_id, seat_map_id, kind, state)
          SELECT {tid}, '夏の室内楽', '', venue_id, id, 'seated', 'published' FROM tickets_seat_map
          WHERE tenant_id = {tid} AND id = {map_id};
        SET @event = LAST_INSERT_ID();
        INSERT INTO tickets_ticket_type (tenant_id, event_id, name, sort_no) VALUES ({tid}, @event, '一般', 1);
        INSERT INTO tickets_price (tenant_id, event_id, category, ticket_type_id, amount)
          VALUES ({tid}, @event, 'S', LAST_INSERT_ID(), 4000);
        INSERT INTO tickets_performance (tenant_id, event_id, starts_at, sale_starts_at, sale_ends_at)
          VALUES ({tid}, @event, UTC_TIMESTAMP() + INTERVAL 20 DAY, UTC_TIMESTAMP() - INTERVAL 1 DAY,
                  UTC_TIMESTAMP() + INTERVAL 19 DAY);
        SET @perf = LAST_INSERT_ID();
        INSERT INTO inventory_unit (tenant_id, kind, resource_id, unit, state)
          SELECT {tid}, 'tickets.seat', @perf, seat_no, 'free' FROM tickets_seat WHERE tenant_id = {tid} AND seat_map_id = {map_id};
        SELECT @perf;
    """).strip())
    return slug, tid, perf


def arrive(browser, part):
    """Waits for the page a click started loading (a click does not wait for it)."""
    WebDriverWait(browser, 20).until(EC.url_contains(part))
    return browser.current_url


def test_a_guest_buys_two_seats_on_the_map_and_sees_the_qr_ticket(browser, tmp_path):  # noqa: F811
    slug, tid, perf = make_show(tmp_path)
    browser.get(f"{BASE_URL}/{slug}/tickets/performances/{perf}")
    assert "夏の室内楽" in browser.title
    assert browser.find_element(By.CSS_SELECTOR, "svg.seatmap").is_displayed()
    # tick 1階 A列 3番 and 4番 by their labels, as a finger would
    for seat in (3, 4):
        browser.find_element(By.CSS_SELECTOR, f'label[for="seat-{seat}"]').click()
        assert browser.find_element(By.ID, f"seat-{seat}").is_selected()
    screenshot(browser, "buy-1-picker")
    browser.find_element(By.XPATH, "//form[contains(@action, '/seats')]//button[@type='submit']").click()
    assert arrive(browser, f"/{slug}/tickets/cart").endswith(f"/{slug}/tickets/cart")
    cart = browser.find_element(By.TAG_NAME, "main").text
    assert "1階 A列 3番" in cart and "1階 A列 4番" in cart and "¥8,000" in cart
    # the countdown has started ticking ("9:59"-like) where the server wrote "10 分"
    clock = browser.find_element(By.CSS_SELECTOR, ".hold__clock")
    assert re.fullmatch(r"\d+:\d\d", clock.text), clock.text
    screenshot(browser, "buy-2-cart")
    browser.find_element(By.CSS_SELECTOR, f'a[href="/{slug}/tickets/checkout"]').click()
    arrive(browser, f"/{slug}/tickets/checkout")
    browser.find_element(By.ID, "buyer-name").send_keys("山田 花子")
    browser.find_element(By.ID, "buyer-email").send_keys("hanako@example.jp")
    assert browser.find_element(By.ID, "payment-box_office").is_selected()
    screenshot(browser, "buy-3-checkout")
    browser.find_element(By.XPATH, "//main//form//button[@type='submit']").click()
    arrive(browser, f"/{slug}/tickets/orders/O1-")
    tickets = browser.find_elements(By.CSS_SELECTOR, f'main a[href*="/{slug}/tickets/t/"]')
    assert len(tickets) == 2
    tickets[0].click()
    arrive(browser, f"/{slug}/tickets/t/T1-")
    qr = browser.find_element(By.CSS_SELECTOR, ".eticket__qr svg")
    assert qr.is_displayed() and qr.size["width"] > 100
    assert "1階 A列 3番" in browser.find_element(By.TAG_NAME, "main").text
    screenshot(browser, "buy-4-ticket")
    sold = sql(f"SELECT unit FROM inventory_unit WHERE tenant_id = {tid} AND kind = 'tickets.seat'"
               f" AND resource_id = {perf} AND state = 'sold' ORDER BY unit").split()
    assert sold == ["3", "4"]
