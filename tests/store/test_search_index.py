"""Search-index upkeep: runs merge FTS5's segments, `archiver optimize` rewrites them into one,
and neither changes what a search returns (hits, bm25 ranks, snippets)."""

from __future__ import annotations

import random
import sqlite3

import pytest

from archiver.extract.page import Article
from archiver.store.archive import Store, index_segments

from ..support import article, run_archiver

WORDS = ("harbour council budget election storm river bridge school market festival "
         "railway hospital museum library climate summit ferry strike").split()
QUERIES = ["harbour", "budget AND election", '"climate summit"', "fest*", "river OR ferry",
           "storm NOT bridge"]


def articles(n: int, start: int = 0) -> list[Article]:
    rng = random.Random(start)
    out = []
    for i in range(start, start + n):
        text = "\n\n".join(" ".join(rng.choices(WORDS, k=rng.randint(5, 40))) + "."
                           for _ in range(rng.randint(1, 4)))
        title = " ".join(rng.choices(WORDS, k=4))
        out.append(article(f"https://s.test/{i}", title, text))
    return out


def load(store: Store, items: list[Article], batch: int = 10) -> None:
    """Save in many small transactions, as a crawl does: each leaves its own segment."""
    for i in range(0, len(items), batch):
        store.save_articles("s", items[i:i + batch], seen_at="2026-01-01T00:00:00+00:00")


def results(store: Store) -> dict[str, list[tuple]]:
    return {q: [(h.url, h.rank, h.snippet) for h in store.search(q, limit=500)]
            for q in QUERIES}


def test_a_bulk_run_leaves_one_segment_and_the_same_results(tmp_path):
    with Store(tmp_path / "a.db") as store:
        load(store, articles(300))
        before_segments = store.index_segments()
        before = results(store)
        store.tidy_search_index(300)
        assert before_segments > 1
        assert store.index_segments() == 1
        assert results(store) == before
        assert all(before[q] for q in QUERIES)


def test_a_small_run_merges_within_its_budget_and_keeps_results(tmp_path):
    with Store(tmp_path / "a.db") as store:
        load(store, articles(300))
        store.tidy_search_index(300)
        load(store, articles(20, start=300), batch=2)  # a cron run's few new pages
        segments = store.index_segments()
        before = results(store)
        changes = store.conn.total_changes
        store.tidy_search_index(20)
        assert segments > 1
        assert store.conn.total_changes - changes >= 2  # FTS5: under 2 means no merge work
        assert store.index_segments() < segments
        assert results(store) == before


def test_nothing_added_touches_nothing(tmp_path):
    with Store(tmp_path / "a.db") as store:
        load(store, articles(50))
        segments = store.index_segments()
        changes = store.conn.total_changes
        store.tidy_search_index(0)
        assert store.conn.total_changes == changes
        assert store.index_segments() == segments


def test_a_merge_the_archive_cannot_take_is_logged_not_raised(tmp_path, monkeypatch, caplog):
    db = tmp_path / "a.db"
    with Store(db) as store:
        load(store, articles(60))
        segments = store.index_segments()
        monkeypatch.setenv("ARCHIVER_BUSY_TIMEOUT", "0.2")
        with Store(db) as locked_out:  # picks up the short busy timeout
            holder = sqlite3.connect(db, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")  # another process writing
            try:
                assert locked_out.tidy_search_index(60) is False
            finally:
                holder.execute("ROLLBACK")
                holder.close()
        assert "search index not merged" in caplog.text and "archiver optimize" in caplog.text
        assert store.index_segments() == segments  # nothing half-done
        assert store.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 60
        assert store.tidy_search_index(60) is True and store.index_segments() == 1


def test_crawl_ends_with_a_merged_index(demo_archive):
    """`archiver demo` is a real first crawl (page-by-page saves): it wrote the whole archive,
    so its end rewrote the index into one segment."""
    conn = sqlite3.connect(f"file:{demo_archive}?mode=ro", uri=True)
    try:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] > 1
        assert index_segments(conn) == 1
    finally:
        conn.close()


def test_cli_optimize_rewrites_into_one_segment_and_keeps_results(tmp_path):
    db = tmp_path / "archive.db"
    with Store(db) as store:
        load(store, articles(200))
        before = results(store)
        assert store.index_segments() > 1
    result = run_archiver("optimize", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "to 1" in result.stdout
    with Store(db, readonly=True) as store:
        assert store.index_segments() == 1
        assert results(store) == before


@pytest.mark.parametrize("args", [("optimize", "--help")])
def test_cli_optimize_help(args):
    result = run_archiver(*args)
    assert result.returncode == 0
    assert "one segment" in result.stdout


def test_cli_optimize_missing_archive_is_one_line_error(tmp_path):
    result = run_archiver("optimize", "--db", str(tmp_path / "none.db"))
    assert result.returncode != 0
    assert "no such archive" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "none.db").exists()


def test_import_ends_with_a_merged_index(tmp_path, demo_archive):
    """`archiver import-warc` of the demo crawl's own WARC files into a new archive saves page
    by page, then merges the index it wrote into one segment."""
    files = sorted(str(p) for p in (demo_archive.parent / "warc").glob("*.warc.gz"))
    assert files
    db = tmp_path / "imported.db"
    result = run_archiver("import-warc", *files, "--all-sites", "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    with Store(db, readonly=True) as store:
        assert store.count() > 1
        assert store.index_segments() == 1


def test_reextract_ends_with_a_merged_index(tmp_path, demo_archive):
    """`archiver reextract` restoring every article of a copy of the demo crawl (its rows
    deleted, which leaves the index in several segments) merges the index at its end."""
    import shutil

    from archiver.demo.run import demo_config_text

    shutil.copytree(demo_archive.parent, tmp_path / "copy",
                    ignore=shutil.ignore_patterns("*.lock"))
    db = tmp_path / "copy" / "archive.db"
    with Store(db) as store:
        total = store.count()
        for (url,) in store.conn.execute("SELECT url FROM articles").fetchall():
            with store.transaction():  # one by one, as a user's deletions would go
                store.conn.execute("DELETE FROM articles WHERE url = ?", (url,))
        assert store.count() == 0 and store.index_segments() > 1
    config = tmp_path / "sites.toml"
    config.write_text(demo_config_text("http://127.0.0.1:9"), encoding="utf-8")
    result = run_archiver("reextract", "--config", str(config), "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    with Store(db, readonly=True) as store:
        assert store.count() == total
        assert store.index_segments() == 1
