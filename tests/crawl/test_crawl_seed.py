"""Real crawls of the seed site over loopback, through each discovery route alone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archiver.store.archive import Store

from ..support import run_archiver, seed_expected, write_config

pytestmark = pytest.mark.slow

ROUTES = {
    "feed": dict(feeds=["/rss.xml"]),
    "sitemap": dict(sitemaps=["/sitemap.xml"]),
    "robots-sitemap": dict(sitemaps=["/robots.txt"]),
    "front-page": dict(start_urls=["/"]),
}


def crawl(tmp_path: Path, server, **route) -> tuple[Path, str]:
    config = write_config(tmp_path / "sites.toml", server, **route)
    db = tmp_path / "archive.db"
    result = run_archiver("crawl", "--config", str(config), "--db", str(db), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    return db, result.stdout


def assert_matches_expected(db: Path, origin: str) -> None:
    expected = seed_expected()["pages"]
    with Store(db, readonly=True) as store:
        rows = {row["url"].removeprefix(origin): row for row in store.articles()}
    assert sorted(rows) == sorted(expected), "exactly the four articles, no front page"
    for path, want in expected.items():
        row = rows[path]
        assert row["title"] == want["title"]
        if want["author"] is not None:
            assert row["author"] == want["author"]
        assert row["published"][:10] == want["date"]
        assert row["language"] == want["language"]
        if want["tags"] is not None:
            assert row["tags"] == want["tags"]
        for snippet in want["must_contain"]:
            assert snippet in row["text"], (path, snippet)
        for snippet in want["must_not_contain"]:
            assert snippet not in row["text"], (path, snippet)
        assert row["word_count"] == len(row["text"].split())
        assert row["site"] == "seed"


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_each_discovery_route_archives_exactly_the_four_articles(tmp_path, seed_server, route):
    db, out = crawl(tmp_path, seed_server, **ROUTES[route])
    assert_matches_expected(db, seed_server.origin)
    assert "4 new" in out
    assert "/user/login" not in seed_server.paths()


def test_second_run_adds_nothing_and_tracking_links_make_no_duplicates(tmp_path, seed_server):
    route = dict(feeds=["/rss.xml"], sitemaps=["/robots.txt"], start_urls=["/"])
    db, _ = crawl(tmp_path, seed_server, **route)
    # The front page links every article with ?utm_source=homepage: the crawler must have
    # requested the clean URL only.
    assert not [p for p in seed_server.paths() if "utm_" in p]
    first = {r["url"]: r["first_seen"] for r in Store(db, readonly=True).articles()}
    db, out = crawl(tmp_path, seed_server, **route)
    # Incremental (issue #4): the archived articles are known and not due for a revisit, so
    # the second run skips them, each once, whatever tracking parameters its links carried.
    assert "0 new" in out and "not_due 4" in out
    with Store(db, readonly=True) as store:
        rows = store.articles()
    assert len(rows) == 4
    assert {r["url"]: r["first_seen"] for r in rows} == first
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == 4


def test_robots_disallowed_url_is_never_requested(tmp_path, seed_server):
    # Every page links /user/login; robots.txt disallows /user/.
    db, out = crawl(tmp_path, seed_server, start_urls=["/"])
    paths = seed_server.paths()
    assert "/robots.txt" in paths
    assert "/article/f/rail-workers-announce-new-strike-dates" in paths
    assert not [p for p in paths if p.startswith("/user/")]
    assert "robots_txt 1" in out


def test_summary_counts_front_page_as_skip_not_article(tmp_path, seed_server):
    db, out = crawl(tmp_path, seed_server, start_urls=["/"])
    assert "start_page 1" in out
    assert "result: ok (exit 0)" in out


def test_missing_feed_is_an_error_with_exit_code_1(tmp_path, seed_server):
    config = write_config(tmp_path / "sites.toml", seed_server, feeds=["/no-such-feed.xml"],
                          sitemaps=["/sitemap.xml"])
    db = tmp_path / "archive.db"
    result = run_archiver("crawl", "--config", str(config), "--db", str(db))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "seed_http_404 1" in result.stdout
    assert Store(db, readonly=True).count() == 4  # what could be archived still was


def test_max_pages_bounds_the_run(tmp_path, seed_server):
    config = write_config(tmp_path / "sites.toml", seed_server, sitemaps=["/sitemap.xml"])
    db = tmp_path / "archive.db"
    result = run_archiver("crawl", "--config", str(config), "--db", str(db), "--max-pages", "2")
    assert result.returncode == 0, result.stderr
    assert Store(db, readonly=True).count() == 2
    assert "page_budget 2" in result.stdout


def test_scrapy_crawl_from_a_project_folder(tmp_path, seed_server):
    """`scrapy crawl news -a site=NAME` works where scrapy.cfg and sites.toml are."""
    import shutil
    import subprocess
    import sys

    root = Path(__file__).parents[2]
    shutil.copy(root / "scrapy.cfg", tmp_path / "scrapy.cfg")
    write_config(tmp_path / "sites.toml", seed_server, feeds=["/rss.xml"])
    listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert listed.stdout.split() == ["news"], listed.stderr
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "news", "-a", "site=seed"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert Store(tmp_path / "archive.db", readonly=True).count() == 4
