"""A real headless Chromium uses `archiver serve` on the demo archive: search, rank, chart.

Debian's `chromium` and `chromium-driver` are driven by Selenium with the driver path given
explicitly, so nothing is downloaded (`make test` installs the packages when missing).
Screenshots go to build/screenshots/browser/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..support import free_port

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).parents[2] / "build" / "screenshots" / "browser"
PERU_TITLE = "Peru – international solidarity urgently needed!"


@pytest.fixture(scope="module")
def server(demo_archive, tmp_path_factory) -> Iterator[str]:
    """`archiver serve` on 127.0.0.1 over a copy of the demo archive; yields its origin."""
    db = tmp_path_factory.mktemp("serve") / "archive.db"
    shutil.copy(demo_archive, db)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "archiver", "serve", "--db", str(db),
                             "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(origin + "/", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    out, err = proc.communicate()
                    pytest.fail(f"archiver serve did not start: {err[-2000:]}")
                time.sleep(0.3)
        yield origin
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("the browser test needs Debian's chromium and chromium-driver: "
                    "apt-get install -y chromium chromium-driver (make test does it as root)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # never let selenium-manager download anything
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--window-size=1400,1000",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver, condition, timeout: float = 20):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def test_search_box_finds_the_seed_article(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(server + "/archive/articles")
    assert "News archive" in browser.page_source or "articles" in browser.title
    box = browser.find_element(By.ID, "_search")
    box.send_keys("solidarity")
    box.send_keys(Keys.ENTER)
    wait_for(browser, lambda d: "_search=solidarity" in d.current_url)
    titles = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "td.col-title")]
    # The column descriptions are folded away, so the results are on the first screen.
    fold = browser.find_element(By.CSS_SELECTOR, "details.column-descriptions-fold")
    assert fold.get_attribute("open") is None
    browser.save_screenshot(str(SCREENSHOTS / "search-box.png"))
    assert PERU_TITLE in titles
    links = browser.find_elements(By.CSS_SELECTOR, "td.col-url a")
    assert any(a.get_attribute("href").endswith("peru-international-solidarity-urgently-needed")
               for a in links)


def test_ranked_search_highlights_the_match(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(server + "/archive/search")
    box = browser.find_element(By.NAME, "q")
    box.send_keys("peru")
    box.send_keys(Keys.ENTER)
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "td.col-snippet mark"))
    browser.save_screenshot(str(SCREENSHOTS / "ranked-search.png"))
    first_title = browser.find_element(By.CSS_SELECTOR, "td.col-title").text
    assert first_title == PERU_TITLE
    marks = browser.find_elements(By.CSS_SELECTOR, "td.col-snippet mark")
    assert {m.text.lower() for m in marks} <= {"peru", "perú"}


def test_coverage_chart_renders(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server + "/")
    browser.find_element(By.LINK_TEXT, "coverage chart").click()  # in the description
    wait_for(browser, lambda d: d.current_url.endswith("/-/coverage"))
    chart = browser.find_element(By.ID, "coverage-chart")
    wait_for(browser, lambda d: d.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth > 0", chart))
    assert chart.size["width"] > 300 and chart.size["height"] > 100
    browser.save_screenshot(str(SCREENSHOTS / "coverage.png"))
    assert (SCREENSHOTS / "coverage.png").stat().st_size > 10_000
