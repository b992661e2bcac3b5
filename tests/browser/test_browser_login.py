"""The back-office login in a real browser, by keyboard only, on a phone-sized window."""
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from browser_support import BASE_URL, browser, screenshot  # noqa: F401 (fixture)

from helpers import create_staff, madoguchi


def test_staff_log_in_with_the_keyboard_alone(browser):  # noqa: F811
    slug = f"br-{uuid.uuid4().hex[:8]}"
    assert madoguchi("tenant", "create", "--slug", slug, "--name", "ブラウザ会館", "--modules", "tickets").returncode == 0
    password = create_staff(slug, "clerk", "general")
    browser.get(f"{BASE_URL}/{slug}/admin/login")
    assert "ログイン" in browser.title or "ログイン" in browser.page_source
    # the first field has the focus or is the first Tab stop; type, Tab, type, Enter
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    active = browser.switch_to.active_element
    while active.get_attribute("name") != "login":
        active.send_keys(Keys.TAB)
        active = browser.switch_to.active_element
    active.send_keys("clerk")
    active.send_keys(Keys.TAB)
    active = browser.switch_to.active_element
    assert active.get_attribute("type") == "password"
    active.send_keys(password + Keys.ENTER)
    # a first login must choose its own password (wait: pressing Enter does not wait for the page)
    WebDriverWait(browser, 20).until(EC.url_contains("/admin/password"))
    screenshot(browser, "login-first-password")
    assert browser.find_element(By.CSS_SELECTOR, "input[type=password]").is_displayed()
