"""Batched saves (`Store.save_articles`, `save_many`, `save_page`) end as row-by-row saves do.

The reference is the row-by-row path (`Store._save`, one article per transaction), which the
batch path falls back to for changed texts and must otherwise match. Both archives get the
same stream of articles: new stories sharing a promo that becomes learned template partway
through, a fund total that drifts, story edits (revisions), repeats of a URL inside one batch,
and keep/drop rules; then every table the learned-template cleaning and the revisions keep is
compared.
"""

from __future__ import annotations

import random

import pytest

from archiver.extract.boilerplate import Overrides
from archiver.extract.page import Article
from archiver.store.archive import Store

from ..support import article

TOWNS = ("Ashford Bury Crewe Derby Ely Frome Goole Hull Ilkley Jarrow Keswick Leek Louth "
         "Malton Nelson Oakham").split()
PROMO = "OWNED BY OUR READERS: we are a reader-owned co-operative."
FUND = "You've Raised: £{n:,} of £20,000"
NEWSLETTER = "Sign up to the morning newsletter for the day's stories."
KEEP = "Corrections: write to the readers' editor."


def town_story(i: int, version: int = 0, fund: int = 3000) -> Article:
    town = TOWNS[i % len(TOWNS)]
    lines = [f"The story of {town} number {'i' * (1 + i // len(TOWNS))} begins here.",
             FUND.format(n=fund)]
    if i % 3:
        lines.append(PROMO)
    if i % 4 == 0:
        lines += [NEWSLETTER, KEEP]
    lines.append(f"Officials in {town} spoke about it{' again' * version}.")
    text = "\n".join(lines)
    title = f"Story {i}"
    return article(f"http://n.test/{i}", title, text)


def stream(seed: int) -> list[list[Article]]:
    """Batches of articles in the order a crawl or a writer might hand them over."""
    rng = random.Random(seed)
    batches: list[list[Article]] = []
    versions: dict[int, int] = {}
    for start in range(0, 60, 12):
        batch = []
        for i in range(start, start + 12):
            batch.append(town_story(i))
            versions[i] = 0
            if rng.random() < 0.3:  # seen again in the same batch: drift, edit or the same
                kind = rng.choice(("same", "drift", "edit"))
                if kind == "edit":
                    versions[i] += 1
                batch.append(town_story(i, versions[i], fund=3000 + 7 * (kind == "drift")))
        for i in rng.sample(sorted(versions), 5):  # revisits of earlier stories
            kind = rng.choice(("same", "drift", "edit"))
            if kind == "edit":
                versions[i] += 1
            batch.append(town_story(i, versions[i], fund=3000 + 11 * (kind != "same")))
        batches.append(batch)
    return batches


def snapshot(store: Store) -> dict[str, list[tuple]]:
    queries = {
        "articles": "SELECT url, title, text, raw_text, word_count, content_hash, first_seen, "
                    "last_seen, last_changed, revision_count, extractor_version FROM articles "
                    "ORDER BY url",
        "revisions": "SELECT url, fetched_at, title, text, content_hash FROM revisions "
                     "ORDER BY url, fetched_at, text",
        "site_blocks": "SELECT site, key, text, articles, template FROM site_blocks "
                       "ORDER BY site, key",
        "article_blocks": "SELECT a.url, b.key FROM article_blocks b "
                          "JOIN articles a ON a.id = b.article_id ORDER BY 1, 2",
        "fts": "SELECT a.url FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
               "WHERE articles_fts MATCH 'newsletter OR owned OR raised' ORDER BY 1",
    }
    return {name: store.conn.execute(sql).fetchall() for name, sql in queries.items()}


def row_by_row(store: Store, a: Article, seen: str) -> str:
    with store.transaction():
        outcome = store._save("s", a, seen)
        store._link_capture(a.url, None, "x/1")
    return outcome


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batched_saves_end_as_row_by_row_saves(tmp_path, seed):
    rules = Overrides(keep_text=(KEEP,), drop_text=("morning newsletter",))
    batches = stream(seed)
    with Store(tmp_path / "batched.db") as batched, Store(tmp_path / "rows.db") as rows:
        rows.remember_overrides("s", rules)
        got, want = [], []
        for n, batch in enumerate(batches):
            seen = f"2026-01-0{n + 1}T00:00:00+00:00"
            got += batched.save_articles("s", batch, seen_at=seen, extractor="x/1",
                                         overrides=rules)
            want += [row_by_row(rows, a, seen) for a in batch]
        assert got == want
        assert {"new", "updated", "unchanged"} <= set(got)
        mine, theirs = snapshot(batched), snapshot(rows)
        assert any(t for *_, t in theirs["site_blocks"]), "the stream must learn a template"
        assert theirs["revisions"], "the stream must make revisions"
        for name in theirs:
            assert mine[name] == theirs[name], name


def test_crawl_saves_one_page_through_the_batch_path(tmp_path):
    """`save_page` (the crawl's call) ends as the row-by-row path does, page after page."""
    pages = [a for batch in stream(4) for a in batch]
    with Store(tmp_path / "crawl.db") as crawl, Store(tmp_path / "rows.db") as rows:
        got = [crawl.save_page("s", a, "2026-01-01T00:00:00+00:00", requested_url=a.url,
                               extractor="x/1") for a in pages]
        want = [row_by_row(rows, a, "2026-01-01T00:00:00+00:00") for a in pages]
        assert got == want
        assert snapshot(crawl) == snapshot(rows)


def test_writer_batches_with_per_row_sites_and_times(tmp_path):
    """`save_many` (the distributed writer's call) keeps each row's own site and time."""
    with Store(tmp_path / "a.db") as store:
        out = store.save_many([("s", town_story(1), "2026-01-01T00:00:00+00:00", None),
                               ("t", town_story(2), "2026-01-02T00:00:00+00:00", "w/1"),
                               ("s", town_story(1), "2026-01-03T00:00:00+00:00", None)])
        assert out == ["new", "new", "unchanged"]
        got = store.conn.execute("SELECT url, site, first_seen, last_seen, extractor_version "
                                 "FROM articles ORDER BY url").fetchall()
        assert got == [("http://n.test/1", "s", "2026-01-01T00:00:00+00:00",
                        "2026-01-03T00:00:00+00:00", None),
                       ("http://n.test/2", "t", "2026-01-02T00:00:00+00:00",
                        "2026-01-02T00:00:00+00:00", "w/1")]


def _stored(path) -> int:
    import sqlite3

    with sqlite3.connect(path) as other:  # another connection: sees only what is committed
        return other.execute("SELECT count(*) FROM articles").fetchone()[0]


def test_a_batch_commits_its_steps_once_at_its_end(tmp_path):
    db = tmp_path / "archive.db"
    with Store(db) as store:
        with store.batch():
            for i in range(5):
                store.restore_article("n", town_story(i), fetched_at=f"2026-01-0{i + 1}T00:00:00",
                                      capture_id=i + 1, extractor="x")
                assert _stored(db) == 0  # nothing committed inside the batch
        assert _stored(db) == 5
        store.save_articles("n", [town_story(9)])  # back to one transaction per call
        assert _stored(db) == 6


def test_an_interrupted_batch_keeps_its_finished_steps_and_drops_a_failed_one(tmp_path):
    db = tmp_path / "archive.db"
    with Store(db) as store:
        with pytest.raises(KeyboardInterrupt), store.batch():
            for i in range(3):
                store.save_articles("n", [town_story(i)])
            with pytest.raises(RuntimeError), store.transaction():  # a step that fails
                store.conn.execute("DELETE FROM articles")
                raise RuntimeError("boom")
            store.save_articles("n", [town_story(3)])
            raise KeyboardInterrupt
        assert _stored(db) == 4
        assert not store.conn.in_transaction


def test_a_batch_on_a_locked_archive_is_a_store_error_and_changes_nothing(tmp_path, monkeypatch):
    import sqlite3

    from archiver.errors import StoreError

    db = tmp_path / "archive.db"
    with Store(db) as store:
        store.save_articles("n", [town_story(0)])
    monkeypatch.setenv("ARCHIVER_BUSY_TIMEOUT", "0.2")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's write lock
    try:
        with Store(db) as store, pytest.raises(StoreError, match="locked"), store.batch():
            store.save_articles("n", [town_story(1)])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _stored(db) == 1


def test_a_bulk_save_raises_the_page_cache_and_a_page_save_does_not(tmp_path):
    """Bulk writes (an import, a writer's batch) get a larger page cache; a crawl saving page
    by page keeps SQLite's default, so a long crawl's memory stays flat."""
    def cache_kib(store: Store) -> int:
        return -store.conn.execute("PRAGMA cache_size").fetchone()[0]

    with Store(tmp_path / "pages.db") as pages, Store(tmp_path / "bulk.db") as bulk:
        default = cache_kib(pages)
        for i in range(120):
            pages.save_page("s", town_story(i), "2026-01-01T00:00:00+00:00", requested_url=None)
        assert cache_kib(pages) == default
        bulk.save_articles("s", [town_story(i) for i in range(120)],
                           seen_at="2026-01-01T00:00:00+00:00")
        assert cache_kib(bulk) > 8 * default
        assert snapshot(bulk)["articles"] == snapshot(pages)["articles"]
