"""`archiver stats`: per-site health of the archive, as a table, JSON and a chart."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from archiver.analysis.coverage import render
from archiver.analysis.stats import collect

from ..support import RUN_TABLES, run_archiver

pytestmark = pytest.mark.slow


@pytest.fixture
def archive(demo_archive, tmp_path) -> Path:
    """The demo archive as an older version left it: without the crawl's run records."""
    db = tmp_path / "archive.db"
    shutil.copy(demo_archive, db)
    conn = sqlite3.connect(db)
    conn.executescript("DROP TABLE IF EXISTS run_sites; DROP TABLE IF EXISTS fetch_log; "
                       "DROP TABLE IF EXISTS runs; DROP TABLE IF EXISTS skipped_pages;")
    conn.close()
    return db


def test_json_figures_match_the_archive(archive):
    result = run_archiver("stats", "--db", str(archive), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    conn = sqlite3.connect(archive)
    (site,) = report["sites"]
    count, first, last = conn.execute(
        "SELECT count(*), min(published), max(published) FROM articles").fetchone()
    assert site["site"] == "demo"
    assert (site["articles"], site["first_published"], site["last_published"]) == (
        count, first, last)
    # The demo's stories are from 2023 but were archived just now.
    assert site["published_24h"] == site["published_7d"] == 0
    assert site["archived_24h"] == site["archived_7d"] == count
    assert report["has_runs"] is False and site["last_run"] is None
    assert report["has_fetch_log"] is False and site["errors_7d"] is None
    assert site["skipped"] == {}  # no `skipped_pages` yet (read-only: nothing is migrated)


def test_table_lists_each_site(archive):
    result = run_archiver("stats", "--db", str(archive))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split()[:2] == ["site", "articles"]
    assert lines[2].split()[:4] == ["demo", "24", "2023-01-05", "2023-02-24"]
    assert "no `runs` table" in result.stdout


def test_windows_count_by_publication_and_archive_time(archive):
    conn = sqlite3.connect(archive)
    now = datetime(2030, 6, 15, 12, 0, tzinfo=UTC)
    rows = [("http://x.test/a", now - timedelta(hours=2), now - timedelta(hours=1)),
            # 23 h ago in UTC, written with a -05:00 offset: inside 24 h only via julianday
            ("http://x.test/b", (now - timedelta(hours=23)).astimezone(
                timezone(timedelta(hours=-5))), now - timedelta(days=3)),
            ("http://x.test/c", now - timedelta(days=5), now - timedelta(days=10))]
    for url, published, seen in rows:
        conn.execute("INSERT INTO articles (url, site, published, text, content_hash, "
                     "first_seen, last_seen) VALUES (?, 'other', ?, 't', 'h', ?, ?)",
                     (url, published.isoformat(), seen.isoformat(), seen.isoformat()))
    conn.commit()
    stats = {s.site: s for s in collect(archive, now=now).sites}
    other = stats["other"]
    assert (other.articles, other.published_24h, other.published_7d) == (3, 2, 3)
    assert (other.archived_24h, other.archived_7d) == (1, 2)
    assert stats["demo"].archived_7d == 0  # archived "now" in 2026, long before 2030


def test_last_run_status_and_recent_errors_when_the_tables_exist(archive):
    now = datetime.now(UTC)
    recent, old = (now - timedelta(hours=3)).isoformat(), (now - timedelta(days=30)).isoformat()
    conn = sqlite3.connect(archive)
    origin = conn.execute("SELECT url FROM articles LIMIT 1").fetchone()[0].split("/article")[0]
    conn.executescript(RUN_TABLES)
    conn.executemany("INSERT INTO runs (id, started, sites, status) VALUES (?, ?, ?, ?)",
                     [(1, old, '["demo"]', "ok"), (2, recent, '["demo", "other"]', "partial"),
                      (3, recent, '["other"]', "failed")])
    conn.executemany("INSERT INTO fetch_log (run_id, url, status, error, fetched_at) "
                     "VALUES (?, ?, ?, ?, ?)",
                     [(2, origin + "/gone", 404, "http_404", recent),  # by origin
                      (1, origin + "/old", 500, "http_500", old),  # too old to count
                      (3, "http://elsewhere.test/x", None, "dns", recent)])  # one-site run
    conn.commit()
    result = run_archiver("stats", "--db", str(archive), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    (demo,) = report["sites"]
    assert demo["last_run"] == recent and demo["last_run_status"] == "partial"
    assert demo["errors_7d"] == 1
    assert report["errors_7d_unattributed"] == 1  # run 3 was for a site with no articles
    table = run_archiver("stats", "--db", str(archive)).stdout
    assert "partial" in table and "no `runs` table" not in table


@pytest.mark.parametrize("suffix,magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_plot_writes_the_chart(archive, tmp_path, suffix, magic):
    out = tmp_path / f"coverage{suffix}"
    result = run_archiver("stats", "--db", str(archive), "--plot", str(out))
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(magic)
    if suffix == ".svg":
        assert b">demo<" in data and b"per day" in data


def test_chart_bars_follow_the_counts():
    svg = render([("2024-01-01", "a", 3), ("2024-01-02", "b", 5)], "svg").decode()
    assert ">a<" in svg and ">b<" in svg and "per day" in svg
    weekly = render([("2023-01-01", "a", 1), ("2024-01-01", "a", 1)], "svg").decode()
    assert "per week" in weekly
    empty = render([], "svg").decode()
    assert "no dated articles yet" in empty


def test_bad_input_is_one_line(archive, tmp_path):
    result = run_archiver("stats", "--db", str(archive), "--plot", str(tmp_path / "c.gif"))
    assert result.returncode == 2
    assert result.stderr.strip().endswith("the chart is written as .png or .svg, not gif")
    result = run_archiver("stats", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 3
    assert len(result.stderr.strip().splitlines()) == 1 and "no such archive" in result.stderr
    for name, content in (("other.db", None), ("junk.db", b"not a database at all")):
        path = tmp_path / name
        if content is None:
            sqlite3.connect(path).execute("CREATE TABLE t (x)")
        else:
            path.write_bytes(content)
        result = run_archiver("stats", "--db", str(path))
        assert result.returncode == 3, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "not an archive" in result.stderr or "cannot read archive" in result.stderr
    result = run_archiver("stats", "--db", str(archive), "--plot",
                          str(tmp_path / "no-dir" / "c.png"))
    assert result.returncode == 2 and "cannot write chart" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
