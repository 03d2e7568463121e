"""Store and search benchmarks: archiver's Store against bare sqlite-utils on the same rows."""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from archiver.extract.page import Article, content_hash
from archiver.store.archive import Store

from .gensite import AUTHORS, SECTIONS, sentences, vocabulary

#: Planted words with known shares of the archive, so each query's match count is fixed.
PLANTED = {  # word -> share of articles
    "zephyrine": 0.0005,
    "harbour": 0.25,
    "today": 0.97,
    "election": 0.10,
    "budget": 0.10,
    "infrastructure": 0.03,
    "infrared": 0.03,
    "infrasound": 0.03,
}
PHRASE_SHARE = 0.05  # "climate summit"

#: (label, FTS5 query, share it matches at most — decides which latency target applies)
QUERIES = [
    ("rare word", "zephyrine", 0.0005),
    ("word in 25%", "harbour", 0.25),
    ("word in ~all", "today", 0.97),
    ("phrase", '"climate summit"', PHRASE_SHARE),
    ("AND of two", "election AND budget", 0.01),
    ("prefix", "infra*", 0.09),
]


def synthetic_articles(count: int, seed: int = 3) -> list[Article]:
    """`count` articles of about 3 KB of text each, deterministic in `seed`."""
    rng = random.Random(seed)
    pool = sentences(rng, vocabulary(rng), 20000)
    out = []
    for i in range(count):
        parts = rng.choices(pool, k=22)
        for word, share in PLANTED.items():
            if rng.random() < share or (i == 0 and share < 0.01):
                parts.insert(rng.randrange(len(parts)), f"The {word} was mentioned.")
        if rng.random() < PHRASE_SHARE:
            parts.insert(rng.randrange(len(parts)), "Delegates left the climate summit early.")
        text = "\n\n".join(" ".join(parts[j:j + 4]) for j in range(0, len(parts), 4))
        title = parts[0].rstrip(".")[:80]
        section = SECTIONS[i % len(SECTIONS)]
        out.append(Article(
            url=f"http://127.0.0.1/news/{section}/story-{i:06d}",
            fetched_url=f"http://127.0.0.1/news/{section}/story-{i:06d}",
            title=title, text=text, author=rng.choice(AUTHORS),
            published=f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00+00:00",
            date_source="json-ld", language="en", description=parts[1][:150],
            sitename="Bench Daily", categories=[section], tags=rng.sample(SECTIONS, 2),
            word_count=len(text.split()), content_hash=content_hash(title, text),
        ))
    return out


def _rows(articles: list[Article], seen_at: str) -> list[dict]:
    """The rows Store writes, built up front for the sqlite-utils reference."""
    return [{
        "url": a.url, "site": "bench", "title": a.title, "author": a.author,
        "published": a.published, "modified": a.modified, "date_source": a.date_source,
        "language": a.language, "description": a.description, "image": a.image,
        "sitename": a.sitename, "categories": json.dumps(a.categories, ensure_ascii=False),
        "tags": json.dumps(a.tags, ensure_ascii=False), "text": a.text,
        "word_count": a.word_count, "content_hash": a.content_hash,
        "fetched_url": a.fetched_url, "first_seen": seen_at, "last_seen": seen_at,
    } for a in articles]


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    Store(path).close()  # the archive's schema: same tables, indexes, FTS triggers


def store_rate(path: Path, articles: list[Article], batch: int = 1000) -> float:
    """Articles/s through `Store.save_articles` in batches, into a fresh archive, counting the
    search-index merge a crawl or import runs at its end (the search benchmark then reads the
    archive as a user's would be after that run)."""
    _fresh(path)
    store = Store(path)
    seen_at = "2026-11-27T00:00:00+00:00"
    start = time.perf_counter()
    for chunk in _chunks(articles, batch):
        outcomes = store.save_articles("bench", chunk, seen_at=seen_at)
        assert outcomes[-1] == "new", outcomes[-1]
    store.tidy_search_index(len(articles))  # what a crawl or import does at its end
    seconds = time.perf_counter() - start
    store.close()
    return len(articles) / seconds


def reference_rate(path: Path, articles: list[Article], batch: int = 1000) -> float:
    """Articles/s of a bare sqlite-utils `insert_all` of the same rows into the same schema."""
    _fresh(path)
    rows = _rows(articles, "2026-11-27T00:00:00+00:00")
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    db = Database(conn)
    start = time.perf_counter()
    db["articles"].insert_all(rows, batch_size=batch)
    seconds = time.perf_counter() - start
    conn.close()
    return len(articles) / seconds


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 \
        else values[0]


def search_latencies(path: Path, repeats: int = 20) -> dict[str, dict[str, float]]:
    """Per query: p95 ms of `Store.search` (what `archiver search` runs) and of sqlite-utils'
    `table.search()` on the same file, both limit 20; plus the total of the whole mix."""
    store = Store(path, readonly=True)
    db = Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    table = db["articles"]
    cols = ["url", "site", "title", "author", "published"]
    out: dict[str, dict[str, float]] = {}
    for label, query, _share in QUERIES:
        ours, ref = [], []
        hits = store.search(query, limit=20)  # warm the page cache for both
        ref_hits = list(table.search(query, columns=cols, limit=20))
        assert len(hits) == len(ref_hits), (query, len(hits), len(ref_hits))
        for _ in range(repeats):
            t = time.perf_counter()
            store.search(query, limit=20)
            ours.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            list(table.search(query, columns=cols, limit=20))
            ref.append((time.perf_counter() - t) * 1000)
        out[label] = {"ours_p95": _p95(ours), "ref_p95": _p95(ref),
                      "ours_total": sum(ours), "ref_total": sum(ref)}
    store.close()
    db.close()
    return out
