"""`Store.restore_article` (what `archiver reextract` stores): an article that comes out of the
extractor unchanged costs no re-indexing, yet takes new metadata and the site's current rules;
one whose text changed is indexed once, already cleaned (so is a revision a crawl stores)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from archiver.extract.boilerplate import Overrides
from archiver.extract.page import Article, content_hash
from archiver.store.archive import Store

from ..support import article

PROMO = "OWNED BY OUR READERS: we are a reader-owned co-operative."
TOWNS = "Ashford Bury Crewe Derby Ely Frome".split()


def town_story(i: int) -> Article:
    town = TOWNS[i]
    story = (f"The story of {town} begins at the harbour, where the council of {town} met the "
             f"ferry crews, the nurses of {town} and the farmers to talk about the new bridge")
    text = "\n".join([story + ".", PROMO, f"Officials in {town} spoke about it at length, "
                      f"and {town} will vote on the plan in the spring.",
                      "Read the editor's note."])
    return article(f"http://n.test/{i}", f"Story {i}", text, author="Ann Writer")


def row(store: Store, url: str) -> dict:
    cur = store.conn.execute("SELECT * FROM articles WHERE url = ?", (url,))
    return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))


def fts_writes(statements: list[str]) -> list[str]:
    return [s for s in statements if "articles_fts" in s]


def traced(store: Store, call: Callable[[], Any]) -> tuple[Any, list[str]]:
    """`call()`'s result and every SQL statement it ran on the store's connection."""
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        return call(), statements
    finally:
        store.conn.set_trace_callback(None)


def day(n: int) -> str:
    return f"2026-01-{n:02d}T00:00:00+00:00"


def restore(store: Store, a: Article, fetched_at: str) -> str:
    return store.restore_article("s", a, fetched_at=fetched_at, capture_id=None,
                                 extractor="archiver/test")


def indexings(statements: list[str]) -> int:
    """How many times FTS5 (re)indexed a row: it writes the row's size once per indexing."""
    return sum("INTO 'main'.'articles_fts_docsize'" in s for s in statements)


def rewritten(i: int) -> Article:
    """Article `i` with a new second paragraph: the title and the template blocks stay."""
    old = town_story(i)
    text = old.text.replace(f"Officials in {TOWNS[i]} spoke", f"Mayors near {TOWNS[i]} wrote")
    assert text != old.text
    return dataclasses.replace(old, text=text, word_count=len(text.split()),
                               content_hash=content_hash(old.title, text))


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "archive.db") as s:
        s.save_articles("s", [town_story(i) for i in range(6)], seen_at="2026-01-01T00:00:00+00:00")
        yield s


def test_an_unchanged_article_is_not_reindexed_and_keeps_its_cleaned_text(store):
    before = row(store, "http://n.test/0")
    assert PROMO not in before["text"] and PROMO in before["raw_text"]  # template learned
    outcome, statements = traced(store, lambda: restore(store, town_story(0), day(1)))
    assert outcome == "unchanged"
    assert fts_writes(statements) == []
    after = row(store, "http://n.test/0")
    assert after == {**before, "extractor_version": "archiver/test"}


def test_changed_metadata_is_written_and_searchable(store):
    new = dataclasses.replace(town_story(1), author="Bea Reporter", published="2026-01-02")
    outcome, statements = traced(store, lambda: restore(store, new, day(3)))
    assert outcome == "unchanged"
    assert fts_writes(statements)  # the author is indexed: the row is re-indexed once
    after = row(store, "http://n.test/1")
    assert (after["author"], after["published"], after["last_seen"]) == (
        "Bea Reporter", "2026-01-02", "2026-01-03T00:00:00+00:00")
    assert PROMO not in after["text"]
    assert [h.url for h in store.search("Bea")] == ["http://n.test/1"]
    store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")


def test_an_unchanged_article_takes_the_sites_current_rules(store):
    store.remember_overrides("s", Overrides(drop_text=("crewe will vote",)))
    assert "Crewe will vote" in row(store, "http://n.test/2")["text"]  # rules apply on save
    restore(store, town_story(2), day(1))
    after = row(store, "http://n.test/2")
    assert "Crewe will vote" not in after["text"] and "The story of Crewe" in after["text"]
    assert after["word_count"] == len(after["text"].split())
    assert "http://n.test/2" not in {h.url for h in store.search("vote")}
    assert "http://n.test/3" in {h.url for h in store.search("vote")}


def test_a_changed_article_is_indexed_once_already_cleaned(store):
    outcome, statements = traced(store, lambda: restore(store, rewritten(3), day(2)))
    assert outcome == "updated"
    assert indexings(statements) == 1  # was 2: the raw text, then the cleaned text
    after = row(store, "http://n.test/3")
    assert PROMO not in after["text"] and PROMO in after["raw_text"]
    assert "Mayors near Derby wrote" in after["text"]
    assert after["word_count"] == len(after["text"].split())
    assert [h.url for h in store.search("mayors")] == ["http://n.test/3"]
    assert "http://n.test/3" not in {h.url for h in store.search("officials")}
    assert "http://n.test/3" not in {h.url for h in store.search("owned")}  # promo not indexed
    store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")


def test_a_revision_from_a_crawl_is_indexed_once_already_cleaned(store):
    outcome, statements = traced(store, lambda: store.save_page(
        "s", rewritten(4), "2026-01-02T00:00:00+00:00", requested_url="http://n.test/4"))
    assert outcome == "updated"
    assert indexings(statements) == 1
    after = row(store, "http://n.test/4")
    assert PROMO not in after["text"] and after["revision_count"] == 1
    assert after["word_count"] == len(after["text"].split())
    assert [h.url for h in store.search("mayors")] == ["http://n.test/4"]
    store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
