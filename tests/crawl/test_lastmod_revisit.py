"""Early revisits: a sitemap `<lastmod>` newer than the archive's last fetch makes a page due
before its revisit schedule would; malformed and far-future dates are ignored and counted;
each revisit's reason is recorded and shown by `archiver history` (issue 22)."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archiver.demo.siteserver import FIXTURE_ORIGIN, SiteServer

from ..newsgen import article_html, article_path, make_site, news_config, paragraph
from ..support import crawl, run_archiver

pytestmark = pytest.mark.slow

#: The schedule would look again only after a day: nothing here is due by it.
LATE_REVISIT = 'allow = ["/article/"]\nrevisit = ["1d"]'


def write_sitemap(root: Path, lastmods: dict[int, str]) -> None:
    urls = "\n".join(f"  <url><loc>{FIXTURE_ORIGIN}{article_path(n)}</loc>"
                     f"<lastmod>{lastmod}</lastmod></url>" for n, lastmod in lastmods.items())
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}\n</urlset>\n", encoding="utf-8")


def edit(root: Path, number: int) -> None:
    (root / "article" / f"{number:03d}.html").write_text(
        article_html(number, body=[paragraph(900 + k) for k in range(3)]), encoding="utf-8")


def article_requests(server: SiteServer) -> list[str]:
    return [r.path for r in server.log if r.path.startswith("/article/")]


def iso(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat()


def test_a_newer_lastmod_makes_a_page_due_before_its_schedule(tmp_path):
    site = make_site(tmp_path / "site", 4)
    past = iso(datetime.now(UTC) - timedelta(days=3))
    write_sitemap(site, {1: past, 2: past, 3: past, 4: past})
    with SiteServer(site) as server:
        config = news_config(tmp_path, server, LATE_REVISIT)
        db = tmp_path / "archive.db"
        first = crawl(config, db)
        assert "4 new" in first.stdout

        # Every article changes; the sitemap says so, truly, only for article 1. Article 2's
        # date is malformed, article 3's is far in the future, article 4's stays in the past.
        for n in range(1, 5):
            edit(site, n)
        # Strictly after run 1's fetch and strictly before run 2's, at the archive's one-second
        # resolution, however fast or slow the machine is.
        time.sleep(1.1)
        moved = iso(datetime.now(UTC))
        time.sleep(1.1)
        write_sitemap(site, {1: moved, 2: "last tuesday", 3: "2999-01-01T00:00:00Z", 4: past})
        server.log.clear()
        second = crawl(config, db)
        assert article_requests(server) == [article_path(1)], article_requests(server)
        (request,) = [r for r in server.log if r.path == article_path(1)]
        assert "If-None-Match" in request.headers or "If-Modified-Since" in request.headers
        assert "0 new, 1 updated" in second.stdout, second.stdout
        assert "not_due 3" in second.stdout
        assert "feed/sitemap dates ignored: future 1, malformed 1" in second.stdout
        assert "site date ignored (malformed): 'last tuesday'" in second.stderr

        # The moved date is now older than the archive's last fetch: no revisit loop. (A new
        # article changes the sitemap, so it is read again rather than answered 304.)
        (site / "article" / "005.html").write_text(article_html(5), encoding="utf-8")
        write_sitemap(site, {1: moved, 2: "last tuesday", 3: "2999-01-01T00:00:00Z", 4: past,
                             5: moved})
        server.log.clear()
        third = crawl(config, db)
        assert article_requests(server) == [article_path(5)]
        assert "not_due 4" in third.stdout

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT url, reason, site_modified, run_id FROM revisits").fetchall()
    assert [(u.removeprefix(server.origin), r, m, run) for u, r, m, run in rows] == [
        (article_path(1), "lastmod", moved, 2)]
    history = run_archiver("history", server.origin + article_path(1), "--db", str(db))
    assert history.returncode == 0, history.stderr
    assert "2 version(s)" in history.stdout
    v2 = next(line for line in history.stdout.splitlines() if line.startswith("  v2 "))
    assert v2.endswith("[revisit: lastmod]"), history.stdout
    assert f"lastmod (site date {moved})" in history.stdout


def test_a_scheduled_revisit_is_recorded_as_such(tmp_path):
    site = make_site(tmp_path / "site", 2)
    with SiteServer(site) as server:
        config = news_config(tmp_path, server, 'allow = ["/article/"]\nrevisit = ["2s", "1h"]')
        db = tmp_path / "archive.db"
        crawl(config, db)
        edit(site, 2)
        time.sleep(2.5)  # past the first revisit age: both articles are due by the schedule
        second = crawl(config, db)
        assert "1 updated, 1 unchanged" in second.stdout, second.stdout
    history = run_archiver("history", server.origin + article_path(2), "--db", str(db))
    v2 = next(line for line in history.stdout.splitlines() if line.startswith("  v2 "))
    assert v2.endswith("[revisit: schedule]"), history.stdout
    with sqlite3.connect(db) as conn:
        reasons = conn.execute("SELECT reason, count(*) FROM revisits GROUP BY reason").fetchall()
    assert reasons == [("schedule", 2)]
