"""A lottery's public page on a phone-sized window: the commitment, the seed and the entries
hash fit the screen (no sideways scrolling) and the results table reads by entry number."""
import re
import time
import uuid

from selenium.webdriver.common.by import By

from browser_support import BASE_URL, browser, screenshot  # noqa: F401 (fixture)
from helpers import madoguchi, sql


def test_the_results_page_fits_a_phone(browser, tmp_path):  # noqa: F811
    slug = f"brl-{uuid.uuid4().hex[:8]}"
    assert madoguchi("tenant", "create", "--slug", slug, "--name", "抽選会館", "--modules", "tickets").returncode == 0
    done = madoguchi("lottery", "create", "--tenant", slug, "--owner", "lessons", "--kind", "lessons.course",
                     "--title", "子ども絵画教室 10月期", "--items", "2", "--capacity", "5", "--max-choices", "2")
    assert done.returncode == 0, done.stderr
    draw = re.search(r"draw (\d+)", done.stdout).group(1)
    entries = tmp_path / "entries.txt"
    entries.write_text("".join(f"{700 + i} 0 1 {1 + i % 2};{2 - i % 2}\n" for i in range(14)))
    assert madoguchi("lottery", "enter", "--tenant", slug, "--draw", draw, str(entries)).returncode == 0
    closes = int(sql(f"SELECT UNIX_TIMESTAMP(closes_at) FROM lottery_draw WHERE id = {draw}").strip())
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(closes + 60))
    assert madoguchi("jobs", "run", "core.lottery", "--now", at).returncode == 0
    browser.get(f"{BASE_URL}/{slug}/lottery/{draw}")
    screenshot(browser, "lottery-results")
    browser.save_screenshot(str(tmp_path / "lottery-results.png"))
    assert "子ども絵画教室 10月期" in browser.title or "子ども絵画教室 10月期" in browser.page_source
    seed = browser.find_element(By.ID, "seed")
    assert re.fullmatch(r"[0-9a-f]{64}", seed.text.replace("\n", ""))
    assert seed.is_displayed()
    width = browser.execute_script("return document.documentElement.clientWidth")
    scroll = browser.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways: {scroll} > {width}"
    rows = browser.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == 14
    assert sum("当選" in r.text for r in rows) == 10 and sum("落選" in r.text for r in rows) == 4
