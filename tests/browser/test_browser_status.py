"""The status page and the maintenance banners read well on a phone, in Japanese and English
(screenshots under the stack's var/screenshots for a person to look at)."""
import re
import time
import uuid

from selenium.webdriver.common.by import By

from browser_support import BASE_URL, browser, screenshot  # noqa: F401 (fixture)
from helpers import create_staff, madoguchi


def page_fits(driver):
    width = driver.execute_script("return document.documentElement.scrollWidth")
    view = driver.execute_script("return window.innerWidth")
    assert width <= view, f"the page scrolls sideways on a phone ({width} > {view})"


def test_status_page_and_banners_on_a_phone(browser):  # noqa: F811
    slug = f"sb-{uuid.uuid4().hex[:10]}"
    assert madoguchi("tenant", "create", "--slug", slug, "--name", "みなと市民文化会館",
                     "--modules", "tickets").returncode == 0
    create_staff(slug, "admin", "admin")
    start = (int(time.time()) // 3600 + 48) * 3600
    done = madoguchi("maintenance", "schedule", "--from", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)),
                     "--to", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + 7200)),
                     "--reason", "サーバー機器の定期点検のため")
    assert done.returncode == 0, done.stderr
    window = re.search(r"window (\d+)", done.stdout).group(1)
    try:
        for lang in ("ja", "en"):
            browser.get(f"{BASE_URL}/lang?to={lang}&next=/status")
            heading = browser.find_element(By.TAG_NAME, "h1").text
            assert heading == ("運用状況" if lang == "ja" else "Service status")
            assert "サーバー機器の定期点検のため" in browser.page_source
            page_fits(browser)
            screenshot(browser, f"status-{lang}")
            browser.get(f"{BASE_URL}/{slug}/")
            banner = browser.find_element(By.CLASS_NAME, "site-banner").text
            assert ("はメンテナンスのためご利用いただけません" if lang == "ja" else "unavailable for maintenance") in banner
            page_fits(browser)
            screenshot(browser, f"status-banner-{lang}")
    finally:
        madoguchi("maintenance", "cancel", window)
