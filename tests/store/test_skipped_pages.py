"""Nothing silently lost (issue 18): every fetched page judged not to be an article is recorded
in `skipped_pages` (URL, site, run, reason, score, capture), counted in `archiver stats`, and
decided again by `archiver reextract`, which brings back what an older decision dropped."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from archiver.demo.siteserver import SiteServer
from archiver.extract.page import Article, content_hash
from archiver.store.archive import Store
from archiver.warc.captures import file_path
from archiver.warc.reading import read_capture

from ..sitegen import article_path, generate_site, write_site_config
from ..support import query, run_archiver

pytestmark = pytest.mark.slow
N = 6


def _config(path: Path, origin: str, min_words: int) -> Path:
    """The generated site's config; `min_words` is the site's own (its table is the last)."""
    write_site_config(path, origin, delay=0, concurrency=4)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"min_words = {min_words}\n")
    return path


def _strict_crawl(tmp_path: Path, server: SiteServer, db: Path) -> subprocess.CompletedProcess:
    """A crawl under a rule of 1,000 words an article: every story is skipped as too short."""
    strict = _config(tmp_path / "strict.toml", server.origin, min_words=1000)
    result = run_archiver("crawl", "--config", str(strict), "--db", str(db), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _skipped(db: Path) -> list[dict]:
    return query(db, "SELECT * FROM skipped_pages ORDER BY url")


def _stats(db: Path) -> dict:
    result = run_archiver("stats", "--db", str(db), "--format", "json")
    assert result.returncode == 0, result.stderr
    return {s["site"]: s for s in json.loads(result.stdout)["sites"]}


@pytest.fixture
def site(tmp_path) -> Path:
    root = tmp_path / "site"
    generate_site(root, N)  # stories of about 170 words each
    return root


def test_skipped_pages_are_recorded_counted_and_brought_back_by_reextract(tmp_path, site):
    db = tmp_path / "archive.db"
    with SiteServer(site) as server:
        # The older decision: this site's articles need 1,000 words, so every story is
        # `too_short`, not archived, and (so far) only a line in the log.
        result = _strict_crawl(tmp_path, server, db)
        assert "too_short 6" in result.stdout, result.stdout
        stories = {server.origin + article_path(i) for i in range(N)}
        requests = len(server.log)

        with Store(db, readonly=True) as store:
            assert store.count() == 0
        conn = sqlite3.connect(db)
        (run_id,) = conn.execute("SELECT id FROM runs").fetchone()
        skipped = _skipped(db)
        assert {r["url"] for r in skipped} == stories  # the front page is a start page
        for row in skipped:
            assert (row["site"], row["reason"], row["run_id"]) == ("gen", "too_short", run_id)
            assert row["fetched_url"] == row["url"] and row["fetched_at"]
            assert row["score"] is None or 0 <= row["score"] <= 1
            # Its response is in the WARC capture the row names.
            url, warc_file, offset, role = conn.execute(
                "SELECT url, warc_file, warc_offset, role FROM captures WHERE id = ?",
                (row["capture_id"],)).fetchone()
            assert (url, role) == (row["url"], "page")
            capture = read_capture(file_path(warc_file, db), offset)
            assert b"<article>" in capture.body
        conn.close()
        # Nothing is on the frontier any more: a skip is an outcome, not unfinished work.
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM frontier WHERE url LIKE '%/news/%'"
                                ).fetchone()[0] == 0

        # `archiver stats` counts them per site and reason, in both formats.
        stats = _stats(db)
        assert stats["gen"]["articles"] == 0 and stats["gen"]["skipped"] == {"too_short": N}
        table = run_archiver("stats", "--db", str(db))
        assert table.returncode == 0, table.stderr
        assert "  gen: too_short 6" in table.stdout, table.stdout

        # The current decision: 40 words. Re-extracted from the captures, with no request,
        # every story is an article now, and leaves the skipped record.
        lenient = _config(tmp_path / "lenient.toml", server.origin, min_words=40)
        result = run_archiver("reextract", "--config", str(lenient), "--db", str(db))
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"re-extracted {N} captures: {N} restored" in result.stdout, result.stdout
        assert len(server.log) == requests
    with Store(db, readonly=True) as store:
        assert {a["url"] for a in store.articles()} == stories
        assert len(store.search('"paragraph 0"')) == N
    assert _skipped(db) == []
    assert _stats(db)["gen"]["skipped"] == {}


def test_reextract_keeps_a_still_skipped_page_with_the_new_reason(tmp_path, site):
    db = tmp_path / "archive.db"
    with SiteServer(site) as server:
        _strict_crawl(tmp_path, server, db)
        before = _skipped(db)
        # Still too strict: no story comes back; each record keeps its run and capture.
        stricter = _config(tmp_path / "stricter.toml", server.origin, min_words=2000)
        result = run_archiver("reextract", "--config", str(stricter), "--db", str(db))
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"re-extracted {N} captures: 0 restored" in result.stdout, result.stdout
        assert _skipped(db) == before
        # A record an archive made before this one was kept (its row gone) comes back too.
        with sqlite3.connect(db) as conn:
            conn.execute("DELETE FROM skipped_pages")
        result = run_archiver("reextract", "--config", str(stricter), "--db", str(db))
        assert result.returncode == 0, result.stdout + result.stderr
        again = _skipped(db)
        assert [(r["url"], r["reason"], r["capture_id"]) for r in again] == [
            (r["url"], r["reason"], r["capture_id"]) for r in before]
        assert {r["run_id"] for r in again} == {None}  # no run fetched it: reextract did


def test_a_later_crawl_that_archives_the_page_takes_it_off_the_record(tmp_path, site):
    db = tmp_path / "archive.db"
    with SiteServer(site) as server:
        for min_words, skipped in ((1000, N), (40, 0)):
            config = _config(tmp_path / f"w{min_words}.toml", server.origin, min_words)
            result = run_archiver("crawl", "--config", str(config), "--db", str(db),
                                  cwd=tmp_path)
            assert result.returncode == 0, result.stdout + result.stderr
            assert len(_skipped(db)) == skipped
    with Store(db, readonly=True) as store:
        assert store.count() == N


def test_an_archived_article_is_never_recorded_as_skipped(tmp_path):
    """A revisit that looks like no article (a soft 404 today) leaves the story archived, and
    the record lists only what is not in the archive."""
    with Store(tmp_path / "archive.db") as store:
        article = Article(url="http://x.test/story", fetched_url="http://x.test/story",
                          title="T", text="The ferry sails.", content_hash=content_hash("T", "t"))
        store.save_articles("x", [article])
        assert not store.skip_page("x", "http://x.test/story", reason="soft_404",
                                   fetched_at="2026-01-01T00:00:00+00:00")
        assert store.skip_page("x", "http://x.test/tag/ferry", reason="listing_page",
                               fetched_at="2026-01-01T00:00:00+00:00", score=0.12)
        assert store.skipped_by_site() == {"x": {"listing_page": 1}}
        store.save_articles("x", [Article(url="http://x.test/tag/ferry",
                                          fetched_url="http://x.test/tag/ferry", title="F",
                                          text="Ferries.", content_hash="h2")])
        assert store.skipped_by_site() == {}
