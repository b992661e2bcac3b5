"""Selenium with Debian's headless Chromium for the browser tests, against the live stack that
scripts/test starts (the same environment as tests/http, whose helpers are reused).

Chromium runs with a fresh profile, no sandbox (the tests may run as root), and without its
background networking (the machine's network is closed; Chromium would retry forever)."""
import os
import shutil
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "http"))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

BASE_URL = os.environ.get("MG_BASE_URL", "")


@pytest.fixture
def browser():
    profile = tempfile.mkdtemp(prefix="mg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=420,900", f"--user-data-dir={profile}",
                 "--lang=ja"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "ja,en"})
    options.accept_insecure_certs = True  # the stack's self-signed localhost certificate
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(driver, name):
    """Keeps a picture of the page under the stack's var/ for a person to look at."""
    folder = os.path.join(os.environ.get("MG_VAR_DIR", "/tmp"), "screenshots")
    os.makedirs(folder, exist_ok=True)
    driver.save_screenshot(os.path.join(folder, name + ".png"))
