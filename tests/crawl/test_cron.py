"""Cron-grade crawling, through the real CLI: incremental runs, revisits, conditional GET,
revisions, crash safety, locking, bounded runs, and the run records."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archiver.demo.siteserver import SiteServer

from ..newsgen import (
    article_html,
    article_path,
    make_site,
    news_config,
    paragraph,
    write_sitemap,
)
from ..support import crawl, run_archiver, write_config

pytestmark = pytest.mark.slow

#: Revisit two seconds after first sight, then an hour later: a test can wait for the first.
FAST_REVISIT = 'allow = ["/article/"]\nrevisit = ["2s", "1h"]'


def article_requests(server: SiteServer) -> list[tuple[str, int]]:
    return [(r.path, r.status) for r in server.log if r.path.startswith("/article/")]


def wait_until_due(db: Path) -> None:
    """Sleep until every archived article's stored next check has passed."""
    conn = sqlite3.connect(db)
    (latest,) = conn.execute("SELECT max(next_check) FROM url_state "
                             "WHERE article_url IS NOT NULL").fetchone()
    conn.close()
    from archiver.store.schedule import parse_time

    while parse_time(latest).timestamp() >= time.time():
        time.sleep(0.2)


def test_second_crawl_fetches_no_article_that_is_not_due(tmp_path, seed_server):
    config = write_config(tmp_path / "sites.toml", seed_server, feeds=["/rss.xml"],
                          sitemaps=["/sitemap.xml"], start_urls=["/"])
    db, log = tmp_path / "archive.db", tmp_path / "crawl.log"
    first = crawl(config, db, "--quiet", "--log-file", str(log))
    assert "4 new" in first.stdout
    assert len(article_requests(seed_server)) == 4
    size_after_first = log.stat().st_size
    seed_server.log.clear()

    second = crawl(config, db, "--quiet", "--log-file", str(log))
    assert article_requests(seed_server) == [], "no article was due, none may be requested"
    assert "not_due 4" in second.stdout and "0 new" in second.stdout
    # Feed and sitemap were polled with their stored validators and answered 304.
    polls = {r.path: r for r in seed_server.log if r.path in ("/rss.xml", "/sitemap.xml")}
    assert polls["/rss.xml"].status == 304 and "If-None-Match" in polls["/rss.xml"].headers
    assert polls["/sitemap.xml"].status == 304
    assert "feed_not_modified 1" in second.stdout and "sitemap_not_modified 1" in second.stdout
    # --quiet: only the summary on stdout, nothing on stderr; --log-file appends the full log.
    assert first.stderr == "" and second.stderr == ""
    assert second.stdout.startswith("run 2: ")
    text = log.read_text()
    assert log.stat().st_size > size_after_first and text.count("Spider opened") == 2

    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    runs = conn.execute("SELECT * FROM runs ORDER BY id").fetchall()
    assert [(r["status"], r["exit_code"], r["new"]) for r in runs] == [
        ("ok", 0, 4), ("ok", 0, 0)]
    assert json.loads(runs[1]["skipped"])["not_due"] == 4
    assert runs[1]["finished"] >= runs[1]["started"]
    # The front page links pages the site does not have: each 404 is in the fetch log.
    failed = conn.execute("SELECT url, status, error FROM fetch_log WHERE run_id = 2"
                          ).fetchall()
    assert failed and all(f["status"] == 404 and f["error"] == "http_404" for f in failed)
    assert any(f["url"].endswith("/privacy") for f in failed)

    # `archiver stats` (issue 6) reads these records as they are.
    stats = run_archiver("stats", "--db", str(db), "--format", "json")
    assert stats.returncode == 0, stats.stderr
    (site,) = json.loads(stats.stdout)["sites"]
    assert site["last_run_status"] == "ok" and site["last_run"] == runs[1]["started"]
    assert site["errors_7d"] == conn.execute("SELECT count(*) FROM fetch_log").fetchone()[0]

    listed = run_archiver("runs", "--db", str(db), "--limit", "1")
    assert listed.returncode == 0, listed.stderr
    rows = listed.stdout.strip().splitlines()
    assert len(rows) == 2 and rows[1].split()[0] == "2" and " ok " in rows[1]


def test_edited_article_records_one_revision_and_whitespace_edit_none(tmp_path):
    site = make_site(tmp_path / "site", 3)
    with SiteServer(site) as server:
        config = news_config(tmp_path, server, FAST_REVISIT)
        db = tmp_path / "archive.db"
        assert "3 new" in crawl(config, db).stdout

        # Article 1: a real correction. Article 2: the same words, re-wrapped and re-indented.
        edited = [paragraph(3), paragraph(4) + " The council later corrected the figures.",
                  paragraph(5)]
        (site / "article" / "001.html").write_text(article_html(1, body=edited))
        page2 = site / "article" / "002.html"
        page2.write_text(page2.read_text().replace(". ", ".\n        ").replace("<p>", "<p>  "))
        # Article 3: taken down by the publisher. The archive keeps it.
        (site / "article" / "003.html").unlink()
        wait_until_due(db)
        server.log.clear()
        out = crawl(config, db).stdout

        assert sorted(article_requests(server)) == [
            (article_path(1), 200), (article_path(2), 200), (article_path(3), 404)]
        assert "0 new, 1 updated, 1 unchanged" in out and "http_404 1" in out
    conn = sqlite3.connect(db)
    # The failed revisit is logged and moves on to the next scheduled look (an hour on).
    assert conn.execute("SELECT status FROM fetch_log WHERE url LIKE '%/003'"
                        ).fetchall() == [(404,)]
    (next_look,) = conn.execute("SELECT next_check FROM url_state WHERE url LIKE '%/003'"
                                ).fetchone()
    assert next_look > time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 3000))
    counts = dict(conn.execute("SELECT url, revision_count FROM articles"))
    by_path = {url.removeprefix(server.origin): n for url, n in counts.items()}
    assert by_path == {article_path(1): 1, article_path(2): 0, article_path(3): 0}
    (old_text,) = conn.execute("SELECT text FROM revisions").fetchone()
    assert "corrected the figures" not in old_text
    (new_text,) = conn.execute("SELECT text FROM articles WHERE url LIKE '%/001'").fetchone()
    assert "corrected the figures" in new_text

    history = run_archiver("history", server.origin + article_path(1), "--db", str(db))
    assert history.returncode == 0, history.stderr
    assert "2 version(s)" in history.stdout
    assert "+" + paragraph(4) + " The council later corrected the figures." in history.stdout
    assert "-" + paragraph(4) in history.stdout.splitlines()
    unchanged = run_archiver("history", server.origin + article_path(2), "--db", str(db))
    assert "1 version(s)" in unchanged.stdout and "@@" not in unchanged.stdout
    missing = run_archiver("history", server.origin + "/nope", "--db", str(db))
    assert missing.returncode == 1 and "not in the archive" in missing.stderr


@pytest.mark.parametrize("validator", ["etag", "last_modified"])
def test_revisit_answered_304_moves_last_seen_without_extraction(tmp_path, validator):
    site = make_site(tmp_path / "site", 2)
    only = dict(etag=validator == "etag", last_modified=validator == "last_modified")
    with SiteServer(site, **only) as server:
        config = news_config(tmp_path, server, FAST_REVISIT)
        db = tmp_path / "archive.db"
        crawl(config, db)
        conn = sqlite3.connect(db)
        before = dict(conn.execute("SELECT url, last_seen FROM articles"))
        texts = dict(conn.execute("SELECT url, text FROM articles"))
        if validator == "last_modified":
            # Change the bytes but keep the file's mtime: a server that says "not modified"
            # is believed, so the archive must keep the text it has.
            page = site / "article" / "001.html"
            stat = page.stat()
            page.write_text(article_html(1, body=["Completely different text. " * 20]))
            os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        wait_until_due(db)
        server.log.clear()
        out = crawl(config, db).stdout

        header = "If-None-Match" if validator == "etag" else "If-Modified-Since"
        revisits = [r for r in server.log if r.path.startswith("/article/")]
        assert len(revisits) == 2
        assert all(r.status == 304 and header in r.headers for r in revisits)
    assert "0 pages fetched, 0 new, 0 updated, 2 unchanged" in out
    after = dict(conn.execute("SELECT url, last_seen FROM articles"))
    assert all(after[url] > before[url] for url in before)
    assert dict(conn.execute("SELECT url, text FROM articles")) == texts
    assert conn.execute("SELECT count(*) FROM revisions").fetchone()[0] == 0
    checks = conn.execute("SELECT checks FROM url_state WHERE article_url IS NOT NULL "
                          "AND url = article_url").fetchall()
    assert checks == [(2,), (2,)]


def _start(config: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "archiver", "crawl", "--config", str(config), "--db", str(db),
         "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)


def _kill_when(proc: subprocess.Popen, server: SiteServer, ready, timeout: float = 120) -> None:
    """SIGKILL the whole crawl (process group, extraction workers too) once `ready()` holds."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, "the crawl ended before the kill point: " + \
            proc.communicate()[1][-2000:]
        assert time.monotonic() < deadline, "kill point never reached"
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def test_sigkill_at_several_points_then_a_normal_run_loses_and_duplicates_nothing(tmp_path):
    site = make_site(tmp_path / "site", 200)
    with SiteServer(site) as server:
        config = news_config(tmp_path, server)
        db = tmp_path / "archive.db"

        def articles_requested() -> int:
            return len([r for r in list(server.log) if r.path.startswith("/article/")])

        def archived() -> int:
            if not db.exists():
                return 0
            conn = sqlite3.connect(db, timeout=30)
            try:
                return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            except sqlite3.OperationalError:
                return 0
            finally:
                conn.close()

        kill_points = [
            lambda: any(r.path == "/sitemap.xml" for r in list(server.log)),  # discovery
            lambda: articles_requested() >= 1,  # first downloads in flight
            lambda: archived() >= 20,  # storing under way
            lambda: archived() >= 100,
        ]
        stored = 0
        for ready in kill_points:
            server.log.clear()
            _kill_when(_start(config, db), server, ready)
            now = archived()
            assert now >= stored, "a killed crawl lost archived articles"
            stored = now
        assert stored < 200, "the kills should leave work for the last run"

        result = crawl(config, db)
        assert "took over the crawl lock" in result.stderr

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
    urls = [u for (u,) in conn.execute("SELECT url FROM articles")]
    assert sorted(u.removeprefix(server.origin) for u in urls) == [
        article_path(n) for n in range(1, 201)], "every article present exactly once"
    assert conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == 200
    assert conn.execute("SELECT count(*) FROM revisions").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM frontier").fetchone()[0] == 0
    statuses = [s for (s,) in conn.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses == ["abandoned"] * 4 + ["ok"]


def test_two_crawls_started_together_one_runs_the_other_exits_locked(tmp_path, seed_server):
    config = write_config(tmp_path / "sites.toml", seed_server, feeds=["/rss.xml"])
    db = tmp_path / "archive.db"
    procs = [_start(config, db), _start(config, db)]
    results = [(p.wait(timeout=180), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 4], results
    _, out, err = next(r for r in results if r[0] == 4)
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "another crawl is running" in err
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 4


def test_bounded_runs_leave_the_rest_on_the_frontier_for_the_next(tmp_path):
    site = make_site(tmp_path / "site", 40)
    with SiteServer(site) as server:
        config = news_config(tmp_path, server)
        db = tmp_path / "archive.db"
        conn = sqlite3.connect(db)
        first = crawl(config, db, "--max-pages", "4")
        assert "4 new" in first.stdout and "page_budget 36" in first.stdout
        assert conn.execute("SELECT count(*) FROM frontier").fetchone()[0] == 36

        # The site's sitemap now lists nothing: what is left is known only to the frontier.
        # A polite delay makes the 36 pages take well over the three seconds allowed.
        write_sitemap(site, [])
        config.write_text(config.read_text().replace("download_delay = 0",
                                                     "download_delay = 0.25"))
        second = crawl(config, db, "--max-minutes", "0.05")
        assert "[closespider_timeout]" in second.stdout
        assert "result: ok (exit 0)" in second.stdout
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        assert 4 < stored < 40
        left = conn.execute("SELECT count(*) FROM frontier").fetchone()[0]
        assert left == 40 - stored, "everything not stored waits on the frontier"

        config.write_text(config.read_text().replace("download_delay = 0.25",
                                                     "download_delay = 0"))
        crawl(config, db)
    assert conn.execute("SELECT count(DISTINCT url), count(*) FROM articles").fetchone() == (
        40, 40)
    assert conn.execute("SELECT count(*) FROM frontier").fetchone()[0] == 0
