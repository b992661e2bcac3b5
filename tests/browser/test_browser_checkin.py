"""A gate clerk (restricted staff: check-in only) checks a ticket in with a real browser and the
keyboard: the first scan admits, the second says when and at which gate it was used."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from browser_support import BASE_URL, browser, screenshot  # noqa: F401 (fixture)

from helpers import buy, create_staff, make_show

NEW_PASSWORD = "mon-no-mae-de-matsu-7"


def log_in_first_time(driver, slug, login, password):
    driver.get(f"{BASE_URL}/{slug}/admin/login")
    driver.find_element(By.ID, "login").send_keys(login)
    driver.find_element(By.ID, "password").send_keys(password + Keys.ENTER)
    WebDriverWait(driver, 15).until(EC.url_contains("/admin/password"))
    fields = driver.find_elements(By.CSS_SELECTOR, "form input[type=password]")
    fields[0].send_keys(password)
    fields[1].send_keys(NEW_PASSWORD)
    fields[2].send_keys(NEW_PASSWORD + Keys.ENTER)
    WebDriverWait(driver, 15).until_not(EC.url_contains("/admin/password"))


def scan(driver, code, gate):
    field = driver.find_element(By.ID, "code")
    assert driver.switch_to.active_element == field, "the code field has the focus, ready for the scanner"
    gate_field = driver.find_element(By.ID, "gate")
    gate_field.clear()
    gate_field.send_keys(gate)
    field = driver.find_element(By.ID, "code")
    previous = driver.find_elements(By.CSS_SELECTOR, ".checkin-result")
    field.send_keys(code + Keys.ENTER)  # a scanner types the code and Enter
    if previous:  # the answer is a new page: wait until the last scan's result has gone
        WebDriverWait(driver, 15).until(EC.staleness_of(previous[0]))
    return WebDriverWait(driver, 15).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".checkin-result")))


def test_a_gate_clerk_checks_a_ticket_in_and_a_second_scan_says_already(browser):  # noqa: F811
    show = make_show()
    password = create_staff(show["slug"], "gate1", "restricted")
    order = buy(show, [3])
    code = order["tickets"][0]["code"]

    log_in_first_time(browser, show["slug"], "gate1", password)
    browser.get(f"{BASE_URL}/{show['slug']}/admin/tickets/checkin")
    result = scan(browser, code, "東口")
    assert result.get_attribute("data-result") == "ok", result.text
    assert "入場" in result.text or "Admitted" in result.text
    screenshot(browser, "checkin-admitted")

    result = scan(browser, code, "西口")
    assert result.get_attribute("data-result") == "already_checked_in", result.text
    assert "東口" in result.text, "it names the gate of the first scan"
    screenshot(browser, "checkin-already")
