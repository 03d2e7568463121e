"""The run's documented limits, each tested by its effect on a real crawl (issue 22).

The whole-run timeout comes from `[crawler] run_timeout`; `--max-minutes` overrides it only
when given. The crawl spaces its requests by a download delay (at least half of it, with Scrapy's
jitter) and the fixture site answers each page after a think time, so a run of the whole site
takes at least PAGES × DELAY / 2 seconds: a timeout well below that must end it, and one well
above it must not. The bounds are sleeps, which load can only lengthen, never shorten.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archiver.demo.siteserver import SiteServer

from ..newsgen import make_site, news_config
from ..support import run_archiver

pytestmark = pytest.mark.slow

PAGES = 30
DELAY = 0.3  # seconds between requests: a whole run takes at least PAGES × DELAY / 2 = 4.5 s
THINK = 0.1  # seconds each response takes


def slow_config(tmp_path: Path, server: SiteServer, run_timeout: float) -> Path:
    config = news_config(tmp_path, server)
    text = config.read_text().replace("download_delay = 0", f"download_delay = {DELAY}")
    config.write_text(text.replace("[crawler]", f"[crawler]\nrun_timeout = {run_timeout}", 1))
    return config


def crawl(config: Path, db: Path, *args: str):
    return run_archiver("crawl", "--config", str(config), "--db", str(db), *args, timeout=300)


def counts(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        left = conn.execute("SELECT count(*) FROM frontier").fetchone()[0]
    return stored, left


def test_configured_run_timeout_ends_the_crawl_without_max_minutes(tmp_path):
    site = make_site(tmp_path / "site", PAGES)
    with SiteServer(site, delay=THINK) as server:
        config = slow_config(tmp_path, server, run_timeout=2)
        db = tmp_path / "archive.db"
        result = crawl(config, db)
    # As documented: the crawl closes (`closespider_timeout`), what was fetched is stored,
    # exit 0, and the rest waits on the frontier.
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "[closespider_timeout]" in result.stdout, result.stdout
    assert "result: ok (exit 0)" in result.stdout
    stored, left = counts(db)
    assert stored < PAGES
    assert stored + left == PAGES, "everything not stored waits on the frontier"
    with sqlite3.connect(db) as conn:
        (status, code) = conn.execute("SELECT status, exit_code FROM runs").fetchone()
    assert (status, code) == ("ok", 0)


def test_max_minutes_overrides_the_configured_run_timeout(tmp_path):
    site = make_site(tmp_path / "site", PAGES)
    with SiteServer(site, delay=THINK) as server:
        # A run timeout far below the run's length: --max-minutes replaces it with 10 minutes.
        config = slow_config(tmp_path, server, run_timeout=1)
        db = tmp_path / "archive.db"
        result = crawl(config, db, "--max-minutes", "10")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "[finished]" in result.stdout, result.stdout
    assert counts(db) == (PAGES, 0)


def test_max_minutes_shorter_than_the_run_timeout_ends_the_crawl(tmp_path):
    site = make_site(tmp_path / "site", PAGES)
    with SiteServer(site, delay=THINK) as server:
        config = slow_config(tmp_path, server, run_timeout=3600)
        db = tmp_path / "archive.db"
        result = crawl(config, db, "--max-minutes", "0.04")  # 2.4 s
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "[closespider_timeout]" in result.stdout, result.stdout
    stored, left = counts(db)
    assert stored < PAGES and stored + left == PAGES


def test_site_max_pages_from_the_config_and_max_pages_overriding_it(tmp_path):
    site = make_site(tmp_path / "site", PAGES)
    # No validators: the sitemap is read again on the second run, not answered 304.
    with SiteServer(site, etag=False, last_modified=False) as server:
        config = news_config(tmp_path, server, 'allow = ["/article/"]\nmax_pages = 3')
        db = tmp_path / "archive.db"
        first = crawl(config, db)
        assert first.returncode == 0, first.stdout + first.stderr[-3000:]
        assert "3 new" in first.stdout and f"page_budget {PAGES - 3}" in first.stdout
        assert len([r for r in server.log if r.path.startswith("/article/")]) == 3
        server.log.clear()
        second = crawl(config, db, "--max-pages", "5")  # replaces the site's 3 for this run
        assert second.returncode == 0, second.stdout + second.stderr[-3000:]
        assert "5 new" in second.stdout
        assert len([r for r in server.log if r.path.startswith("/article/")]) == 5
    assert counts(db) == (8, PAGES - 8)


def peak_concurrency(server: SiteServer) -> int:
    """The most requests the server was answering at once (from its request log)."""
    events = sorted([(r.at, 1) for r in server.log] + [(r.done, -1) for r in server.log])
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    return peak


@pytest.mark.parametrize("delay", [0, 0.05])
def test_concurrent_per_domain_holds_with_and_without_a_delay(tmp_path, delay):
    # Slow answers: a crawl free to open more connections would have many at once.
    site = make_site(tmp_path / "site", 20)
    with SiteServer(site, delay=0.3) as server:
        config = news_config(tmp_path, server)
        config.write_text(config.read_text()
                          .replace("concurrent_per_domain = 4", "concurrent_per_domain = 2")
                          .replace("download_delay = 0", f"download_delay = {delay}"))
        result = crawl(config, tmp_path / "archive.db")
        assert result.returncode == 0, result.stdout + result.stderr[-3000:]
        assert "20 new" in result.stdout
        assert peak_concurrency(server) == 2
