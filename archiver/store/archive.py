"""The archive database: every SQL statement the project runs lives here."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from archiver.errors import QueryError, StoreError
from archiver.extract import boilerplate
from archiver.extract.classify import count_words
from archiver.extract.page import Article, content_hash
from archiver.store import migrations, search_text
from archiver.store.lean_imports import Database
from archiver.store.schedule import is_due, next_check

logger = logging.getLogger(__name__)

Outcome = Literal["new", "updated", "unchanged"]
BUSY_TIMEOUT_MS = 30_000
#: Environment variable overriding BUSY_TIMEOUT_MS, in seconds: how long a write waits for a
#: lock held by another process (an analyst's open transaction) before the run stops.
BUSY_TIMEOUT_ENV = "ARCHIVER_BUSY_TIMEOUT"
#: OperationalError messages that mean the database, not the query, is at fault.
#: A run that wrote at least 1/BULK_SHARE of the archive's articles gets its search index
#: rewritten in one segment; a smaller one, a bounded merge (`Store.tidy_search_index`).
BULK_SHARE = 4
#: Pages of index a small run's merge writes at most (FTS5 pages are 4 KB by default).
MERGE_PAGES = 500
#: Seconds a Store keeps the archive's list of languages (which stemmers a query uses).
LANGUAGES_TTL = 30.0
_STORE_FAILURES = ("no such table", "locked", "disk", "malformed", "readonly", "unable to open",
                   "corrupt", "I/O")


def now_iso() -> str:
    """The current UTC time as ISO 8601 with seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class SearchHit:
    """One ranked search result."""

    url: str
    site: str
    title: str | None
    author: str | None
    published: str | None
    snippet: str
    rank: float

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _article_filters(site: str | None, since: str | None,
                     until: str | None) -> tuple[list[str], dict[str, Any]]:
    """WHERE clauses over `articles a` (site; published on or after `since`, on or before
    `until`, both YYYY-MM-DD) and their parameters, shared by search and export."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if site:
        where.append("a.site = :site")
        params["site"] = site
    if since:
        where.append("a.published >= :since")
        params["since"] = since
    if until:
        where.append("substr(a.published, 1, 10) <= :until")
        params["until"] = until
    return where, params


def busy_timeout_ms() -> int:
    """The busy timeout: BUSY_TIMEOUT_MS, or ARCHIVER_BUSY_TIMEOUT seconds when set, so an
    operator whose analysts hold long transactions can wait longer (and tests, shorter)."""
    raw = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not raw:
        return BUSY_TIMEOUT_MS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86_400:
        raise StoreError(f"{BUSY_TIMEOUT_ENV}={raw!r}: expected seconds between 0 and 86400")
    return int(seconds * 1000)


def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open the archive with WAL and a busy timeout, so readers and one writer coexist."""
    path = Path(path)
    timeout_ms = busy_timeout_ms()
    try:
        if readonly:
            if not path.exists():
                raise StoreError(f"{path}: no such archive (run `archiver crawl` first)")
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                   timeout=timeout_ms / 1000)
        else:
            if path.parent and not path.parent.exists():
                raise StoreError(f"{path}: folder {path.parent} does not exist")
            conn = sqlite3.connect(str(path), timeout=timeout_ms / 1000)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA busy_timeout={timeout_ms}")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot open archive: {exc}") from None
    return conn


class Store:
    """The archive in one SQLite file: articles and their full-text index."""

    def __init__(self, path: str | Path, *, readonly: bool = False, check: bool = False) -> None:
        self.path = Path(path)
        self.conn = connect(self.path, readonly=readonly)
        self.db = Database(self.conn)
        self._in_batch = False  #: inside `batch`: transactions are savepoints
        self._bulk_cache = False  #: the page cache was raised for bulk writes (`_Batch.save`)
        self._languages: tuple[float, list[str | None]] | None = None  #: (read at, languages)
        if check:
            self.quick_check()
        if not readonly:
            try:
                migrations.apply(self.db)
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{self.path}: cannot prepare archive: {exc}") from None
            self._track_search_forms()

    def close(self) -> None:
        self.conn.close()

    def _track_search_forms(self) -> None:
        """Note the articles this connection writes, so each transaction ends by writing their
        language-aware index forms (`_flush_search_forms`). TEMP: other programs writing the
        archive have no Python to run, and the plain-SQL triggers index their rows as written.
        """
        self.conn.executescript(
            "CREATE TEMP TABLE IF NOT EXISTS search_dirty (id INTEGER PRIMARY KEY);"
            "CREATE TEMP TRIGGER IF NOT EXISTS search_dirty_ai AFTER INSERT ON main.articles "
            "BEGIN INSERT OR IGNORE INTO search_dirty VALUES (new.id); END;"
            "CREATE TEMP TRIGGER IF NOT EXISTS search_dirty_au AFTER UPDATE OF title, "
            "description, text, author, language ON main.articles "
            "BEGIN INSERT OR IGNORE INTO search_dirty VALUES (new.id); END;")

    def _flush_search_forms(self) -> None:
        """Write the index forms (stems, bigrams) of the articles written since the last
        flush, inside the transaction that wrote them."""
        ids = [row[0] for row in self.conn.execute("SELECT id FROM temp.search_dirty")]
        if ids:
            self.conn.execute("DELETE FROM temp.search_dirty")
            migrations.refresh_search_forms(self.conn, ids)

    def quick_check(self) -> None:
        """Raise StoreError unless SQLite finds the file sound, before anything writes to it.

        A damaged archive must never be written over: the crawl refuses it, and the owner
        can still recover rows from it (`sqlite3 archive.db .recover`).
        """
        try:
            found = [row[0] for row in self.conn.execute("PRAGMA quick_check(3)")]
        except sqlite3.DatabaseError as exc:
            found = [str(exc)]
        if found != ["ok"]:
            self.conn.close()
            raise StoreError(f"{self.path}: archive is damaged ({found[0]}); left untouched "
                             "(try `sqlite3 ARCHIVE .recover`)")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (BEGIN IMMEDIATE: fail fast on a held write lock).

        Inside `batch`, a savepoint of the batch's transaction instead: all of it or none of
        it is kept, as alone, but it is committed with the batch.
        """
        if self._in_batch:
            self.conn.execute("SAVEPOINT step")
            try:
                yield
            except BaseException:
                if self.conn.in_transaction:  # SQLite may have rolled it all back already
                    self.conn.execute("ROLLBACK TO step")
                    self.conn.execute("RELEASE step")
                raise
            else:
                self.conn.execute("RELEASE step")
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._flush_search_forms()
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Commit many small writes at once: each `transaction()` inside is a savepoint, and
        one COMMIT (with one flush of the full-text index) ends the batch.

        For batch passes (reextract) that have their results in hand: a commit per article was
        about a quarter of reextract's own CPU (bench/ row 6). Keep the batch to the writes
        themselves (never wait on other work inside it): it holds the archive's write lock.
        Every step that finished is committed, also when the batch is interrupted. Raises
        StoreError when the lock cannot be had or the commit fails.
        """
        if self._in_batch:
            raise RuntimeError("Store.batch does not nest")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot store: {exc}") from None
        self._in_batch = True
        try:
            yield
        finally:
            self._in_batch = False
            try:
                if self.conn.in_transaction:
                    self._flush_search_forms()
                    self.conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise StoreError(f"{self.path}: cannot store: {exc}") from None

    # -- writing -------------------------------------------------------------------------

    def save_articles(self, site: str, articles: Iterable[Article],
                      seen_at: str | None = None, *, capture_id: int | None = None,
                      extractor: str | None = None,
                      overrides: boilerplate.Overrides | None = None) -> list[Outcome]:
        """Upsert articles in one transaction; say for each whether it was new, updated or not.

        The URL is the identity: a second fetch of the same story updates `last_seen`, and
        rewrites the row only when its content changed. FTS follows through the triggers.
        `text` is the extracted text without the site's learned template blocks (see `_learn`);
        `raw_text` keeps the extracted text when that removed something (else NULL: it is
        `text`, and a second copy would double the archive's size). `overrides` (keep/drop
        rules) are remembered per site.
        """
        seen_at = seen_at or now_iso()
        try:
            with self.transaction():
                if overrides is not None:
                    self._set_overrides(site, overrides)
                return _Batch(self).save([(site, a, seen_at, capture_id, extractor)
                                          for a in articles])
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot store articles: {exc}") from None

    def _save(self, site: str, a: Article, seen_at: str) -> Outcome:
        row = self.conn.execute("SELECT content_hash, id FROM articles WHERE url = ?",
                                (a.url,)).fetchone()
        values = {
            "url": a.url, "site": site, "title": a.title, "author": a.author,
            "published": a.published, "modified": a.modified, "date_source": a.date_source,
            "language": a.language, "description": a.description, "image": a.image,
            "sitename": a.sitename, "categories": json.dumps(a.categories, ensure_ascii=False),
            "tags": json.dumps(a.tags, ensure_ascii=False), "text": a.text,
            "word_count": a.word_count, "content_hash": a.content_hash,
            "fetched_url": a.fetched_url, "last_seen": seen_at, "paywalled": a.paywalled,
        }
        if row is None:
            values["first_seen"] = seen_at
            texts, block_map = self._precleaned(site, a)
            values.update(texts)
            cols = ", ".join(values)
            marks = ", ".join(f":{c}" for c in values)
            cur = self.conn.execute(f"INSERT INTO articles ({cols}) VALUES ({marks})", values)
            self._learn(site, cur.lastrowid, a.text, block_map=block_map)
            return "new"
        if row[0] == a.content_hash:
            self.conn.execute("UPDATE articles SET last_seen = ? WHERE url = ?", (seen_at, a.url))
            return "unchanged"
        if self._only_template_drift(site, a):
            # Only the site's template moved (a fund total, a promo's date): the story did not
            # change, so no revision; keep the new raw text and its hash for the next compare.
            self.conn.execute("UPDATE articles SET last_seen = ?, content_hash = ? WHERE url = ?",
                              (seen_at, a.content_hash, a.url))
            self._learn(site, row[1], a.text)
            return "unchanged"
        self._keep_revision(a.url)
        values["last_changed"] = seen_at
        texts, block_map = self._precleaned(site, a)
        values.update(texts)
        sets = ", ".join(f"{c} = :{c}" for c in values if c != "url")
        self.conn.execute(f"UPDATE articles SET {sets}, revision_count = revision_count + 1 "
                          "WHERE url = :url", values)
        self._learn(site, row[1], a.text, block_map=block_map)
        return "updated"

    def _only_template_drift(self, site: str, a: Article) -> bool:
        """True when the new version, cleaned of the site's learned template, is the stored one."""
        stored = self.conn.execute("SELECT title, text FROM articles WHERE url = ?",
                                   (a.url,)).fetchone()
        template = self._template_keys(site)
        if stored is None or not template:
            return False
        cleaned = boilerplate.clean(a.text, template, self.overrides(site))
        return content_hash(a.title, cleaned) == content_hash(stored[0], stored[1])

    def _keep_revision(self, url: str) -> None:
        """Copy an article's stored version into `revisions` before it is overwritten."""
        self.conn.execute(
            "INSERT INTO revisions (article_id, url, fetched_at, title, text, content_hash) "
            "SELECT id, url, coalesce(last_changed, first_seen), title, text, content_hash "
            "FROM articles WHERE url = ?", (url,))

    def _link_capture(self, url: str, capture_id: int | None, extractor: str | None) -> None:
        """Point an article at the capture it was just extracted from, and by which code."""
        self.conn.execute(
            "UPDATE articles SET capture_id = coalesce(?, capture_id), "
            "extractor_version = coalesce(?, extractor_version) WHERE url = ?",
            (capture_id, extractor, url))

    # -- learned template (archiver/extract/boilerplate.py decides; this keeps the counts) ---

    def _set_overrides(self, site: str, overrides: boilerplate.Overrides) -> None:
        self.conn.execute("DELETE FROM clean_rules WHERE site = ?", (site,))
        self.conn.executemany(
            "INSERT OR IGNORE INTO clean_rules (site, kind, text) VALUES (?, ?, ?)",
            [(site, "keep", t) for t in overrides.keep_text]
            + [(site, "drop", t) for t in overrides.drop_text])

    def remember_overrides(self, site: str, overrides: boilerplate.Overrides) -> None:
        """Keep a site's keep/drop rules in the archive; later saves and recleans apply them.

        Writes only when the rules changed, so opening a crawl takes no write lock for nothing.
        """
        if self.overrides(site) == overrides:
            return
        try:
            with self.transaction():
                self._set_overrides(site, overrides)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot store cleaning rules: {exc}") from None

    def overrides(self, site: str) -> boilerplate.Overrides:
        """The keep/drop rules last given for a site."""
        rows = self.conn.execute("SELECT kind, text FROM clean_rules WHERE site = ? ORDER BY rowid",
                                 (site,)).fetchall()
        return boilerplate.Overrides(tuple(t for k, t in rows if k == "keep"),
                                     tuple(t for k, t in rows if k == "drop"))

    def _template_keys(self, site: str) -> set[str]:
        """The keys of the site's blocks that are template now (a range seek on the
        `(site, template, articles)` index: recurring blocks only, a small set)."""
        return {k for (k,) in self.conn.execute(
            "SELECT key FROM site_blocks WHERE site = ? AND template = 1", (site,))}

    def _precleaned(self, site: str, a: Article) -> tuple[dict[str, Any], dict[str, str]]:
        """The article's `text`, `word_count` and `raw_text` as the row should get them, cleaned
        by the site's current template, and its blocks (for `_learn`).

        Written with the row, the text is indexed once; `_learn` re-cleans the row only when
        counting its blocks changes the template (as a batch save does). Writing the raw text
        first and cleaning after indexed every new article of a learned site twice.
        """
        block_map = boilerplate.blocks(a.text)
        cleaned = boilerplate.clean(a.text, self._template_keys(site), self.overrides(site))
        count = a.word_count if cleaned == a.text else count_words(cleaned)
        return {"text": cleaned, "word_count": count,
                "raw_text": raw_or_none(a.text, cleaned)}, block_map

    def _learn(self, site: str, article_id: int, raw_text: str, *,
               block_map: dict[str, str] | None = None) -> None:
        """Count the article's blocks for its site, then clean it and every article whose
        template changed because of it (rule: `boilerplate.threshold`).

        `site_blocks` lists the recurring blocks only, those at least two of the site's
        articles have, with their count and their line as the second article has it: a block
        of one article is that article's own text, the only thing that can be template is a
        block in at least `boilerplate.MIN_ARTICLES`, and a row for every paragraph of the
        archive made a bulk store write each into one more random-key index (bench/ row 3).
        The counts come from `article_blocks`, which has every block of every article
        (`_count_blocks`).
        """
        if block_map is None:  # else the caller wrote `raw_text` with the row
            self.conn.execute("UPDATE articles SET raw_text = nullif(?, text) WHERE id = ?",
                              (raw_text, article_id))
        new = boilerplate.blocks(raw_text) if block_map is None else block_map
        old = {k for (k,) in self.conn.execute(
            "SELECT key FROM article_blocks WHERE article_id = ?", (article_id,))}
        gone = old - new.keys()
        added = new.keys() - old
        self.conn.executemany("DELETE FROM article_blocks WHERE article_id = ? AND key = ?",
                              [(article_id, k) for k in gone])
        self.conn.executemany("INSERT INTO article_blocks (article_id, site, key) VALUES (?, ?, ?)",
                              [(article_id, site, k) for k in added])
        now = self._count_blocks(site, gone | added)
        self._write_block_counts(
            [(site, k, new.get(k), now.get(k, 0)) for k in gone | added])
        changed = self._retemplate(site)
        affected = {article_id}
        for key in changed:
            affected.update(i for (i,) in self.conn.execute(
                "SELECT article_id FROM article_blocks WHERE site = ? AND key = ?", (site, key)))
        overrides = self.overrides(site)
        for other in affected:
            self._clean(other, overrides)

    def _count_blocks(self, site: str, keys: Iterable[str]) -> dict[str, int]:
        """In how many of the site's articles each of these blocks is (absent: none)."""
        keys = list(keys)
        counts: dict[str, int] = {}
        for i in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[i:i + _LOOKUP_CHUNK]
            counts.update(self.conn.execute(
                "SELECT key, count(*) FROM article_blocks WHERE site = ? AND key IN "
                f"({', '.join('?' for _ in chunk)}) GROUP BY key", (site, *chunk)))
        return counts

    def _write_block_counts(self, rows: list[tuple[str, str, str | None, int]]) -> None:
        """Write (site, key, line, count) into `site_blocks`: a block in two articles or more
        gets its count (and `line`, unless it has its text already); one in fewer has no row."""
        self.conn.executemany(
            "INSERT INTO site_blocks (site, key, text, articles, template) VALUES (?, ?, ?, ?, 0) "
            "ON CONFLICT (site, key) DO UPDATE SET articles = excluded.articles, "
            "text = coalesce(site_blocks.text, excluded.text)",
            [(s, k, line[:500] if line else None, n) for s, k, line, n in rows if n >= 2])
        self.conn.executemany("DELETE FROM site_blocks WHERE site = ? AND key = ?",
                              [(s, k) for s, k, _, n in rows if n < 2])

    def _retemplate(self, site: str) -> list[str]:
        """Set each block's template flag for the site's current size; the keys that changed."""
        n = self.conn.execute("SELECT count(*) FROM articles WHERE site = ?", (site,)).fetchone()[0]
        t = boilerplate.threshold(n)
        up = self.conn.execute("UPDATE site_blocks SET template = 1 WHERE site = ? AND "
                               "articles >= ? AND template = 0 RETURNING key", (site, t))
        up = up.fetchall()
        down = self.conn.execute("UPDATE site_blocks SET template = 0 WHERE site = ? AND "
                                 "template = 1 AND +articles < ? RETURNING key", (site, t))
        down = down.fetchall()
        return [k for (k,) in up + down]

    def _clean(self, article_id: int, overrides: boilerplate.Overrides) -> bool:
        """Rewrite one article's text from its raw text; whether the text changed."""
        raw, text = self.conn.execute("SELECT coalesce(raw_text, text), text FROM articles "
                                      "WHERE id = ?", (article_id,)).fetchone()
        template = {k for (k,) in self.conn.execute(
            "SELECT b.key FROM article_blocks b JOIN site_blocks s ON s.site = b.site "
            "AND s.key = b.key WHERE b.article_id = ? AND s.template = 1", (article_id,))}
        cleaned = boilerplate.clean(raw, template, overrides)
        if cleaned == text:
            return False
        self.conn.execute("UPDATE articles SET text = ?, word_count = ?, raw_text = ? WHERE id = ?",
                          (cleaned, count_words(cleaned), raw_or_none(raw, cleaned), article_id))
        return True

    def reclean(self, site: str | None = None,
                overrides: dict[str, boilerplate.Overrides] | None = None,
                progress: Callable[[float], None] | None = None) -> dict[str, int]:
        """Relearn each site's template from the stored raw texts and re-clean every article.

        No refetch: the pre-cleaning text is in `raw_text`. `overrides` replace a site's
        remembered keep/drop rules. Returns, per site, how many articles' text changed.
        `progress(0.5)` is called as each article is read for the template and as it is
        cleaned (one per article in all).
        """
        sites = [site] if site else [s for (s,) in self.conn.execute(
            "SELECT DISTINCT site FROM articles ORDER BY site")]
        changed: dict[str, int] = {}
        try:
            with self.transaction():
                for name in sites:
                    if overrides and name in overrides:
                        self._set_overrides(name, overrides[name])
                    changed[name] = self._reclean_site(name, progress)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot re-clean articles: {exc}") from None
        return changed

    def _reclean_site(self, site: str, progress: Callable[[float], None] | None = None) -> int:
        self.conn.execute("DELETE FROM article_blocks WHERE site = ?", (site,))
        self.conn.execute("DELETE FROM site_blocks WHERE site = ?", (site,))
        counts: dict[str, list] = {}  # key -> [its line in the second article that has it, n]
        rows = self.conn.execute("SELECT id, coalesce(raw_text, text) FROM articles "
                                 "WHERE site = ? ORDER BY id", (site,)).fetchall()
        for article_id, raw in rows:
            if progress is not None:
                progress(0.5)
            found = boilerplate.blocks(raw)
            self.conn.executemany(
                "INSERT INTO article_blocks (article_id, site, key) VALUES (?, ?, ?)",
                [(article_id, site, k) for k in found])
            for key, line in found.items():
                count = counts.setdefault(key, [None, 0])
                count[1] += 1
                if count[1] == 2:
                    count[0] = line[:500]
        self.conn.executemany(
            "INSERT INTO site_blocks (site, key, text, articles, template) VALUES (?, ?, ?, ?, 0)",
            [(site, k, line, n) for k, (line, n) in counts.items() if n >= 2])
        self._retemplate(site)
        overrides = self.overrides(site)
        changed = 0
        for article_id, _ in rows:
            changed += self._clean(article_id, overrides)
            if progress is not None:
                progress(0.5)
        return changed

    def template_blocks(self, site: str, *, min_articles: int = 2) -> list[dict[str, Any]]:
        """The site's recurring blocks, most frequent first: text, articles, and whether the
        archive removes them (learned template or a drop rule, unless a keep rule saves it)."""
        overrides = self.overrides(site)
        rows = self.conn.execute(
            "SELECT text, articles, template FROM site_blocks "
            "WHERE site = ? AND template IN (0, 1) AND articles >= ? "
            "ORDER BY articles DESC, text", (site, min_articles)).fetchall()
        out = []
        for text, articles, template in rows:
            keep, drop = overrides.keeps(text), overrides.drops(text)
            out.append({"text": text, "articles": articles, "template": bool(template),
                        "removed": not keep and (bool(template) or drop),
                        "rule": "keep" if keep else "drop" if drop else None})
        return out

    def save_many(self, rows: Iterable[tuple[str, Article, str, str | None]]) -> list[Outcome]:
        """Upsert (site, article, seen_at, extractor) rows in one transaction: a writer's batch.

        Upserting by URL makes a repeated row harmless, which is what turns the Redis queue's
        at-least-once delivery into exactly one article per URL.
        """
        try:
            with self.transaction():
                return _Batch(self).save([(site, article, seen_at, None, extractor)
                                          for site, article, seen_at, extractor in rows])
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot store articles: {exc}") from None

    def record_worker_run(self, run: dict[str, Any]) -> bool | None:
        """Store a distributed worker's finished run in `runs`, once (False: already there).

        `run` is the worker's record (archiver.distributed.worker.run_message) with the writer's
        counts of
        new / updated / unchanged articles added. None: the archive has no `runs` table yet
        (it comes with the cron schema); the caller keeps the record for later.
        """
        columns = self.db["runs"].columns_dict if "runs" in self.db.table_names() else None
        if not columns:
            return None

        def merged(key: str) -> str:
            out: dict[str, int] = {}
            for s in run.get("sites", []):
                for k, v in (s.get(key) or {}).items():
                    out[k] = out.get(k, 0) + int(v)
            return json.dumps(dict(sorted(out.items())))

        values = {
            "started": run["started"], "finished": run.get("finished"),
            "sites": json.dumps([s["site"] for s in run.get("sites", [])]),
            "status": run.get("status", "unknown"), "exit_code": run.get("exit_code"),
            "pages_fetched": sum(int(s.get("pages_fetched", 0)) for s in run.get("sites", [])),
            "new": run.get("new", 0), "updated": run.get("updated", 0),
            "unchanged": run.get("unchanged", 0), "skipped": merged("skipped"),
            "errors": merged("errors"), "pid": run.get("pid"), "host": run.get("host"),
            "worker": run["worker"],
        }
        values = {k: v for k, v in values.items() if k in columns}
        cols = ", ".join(values)
        marks = ", ".join(f":{c}" for c in values)
        same = ("worker = :worker" if "worker" in values else
                "host IS :host AND pid IS :pid AND started = :started")
        try:
            with self.transaction():
                cur = self.conn.execute(
                    f"INSERT INTO runs ({cols}) SELECT {marks} "
                    f"WHERE NOT EXISTS (SELECT 1 FROM runs WHERE {same})", values)
                if cur.rowcount == 0 and values["status"] != "running":
                    # The run's start was recorded (or it was declared lost before its final
                    # record arrived): the final record completes that row.
                    sets = ", ".join(f"{c} = :{c}" for c in values if c != "started")
                    cur = self.conn.execute(
                        f"UPDATE runs SET {sets} WHERE {same} "
                        "AND status IN ('running', 'lost', 'abandoned')", values)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot record the run: {exc}") from None
        return cur.rowcount == 1

    def running_worker_runs(self) -> list[str]:
        """The workers whose run is recorded as running (their start came, no end yet)."""
        if "worker" not in self.db["runs"].columns_dict:
            return []
        return [w for (w,) in self.conn.execute(
            "SELECT worker FROM runs WHERE status = 'running' AND worker IS NOT NULL")]

    def mark_run_lost(self, worker: str, finished: str, counts: dict[str, int]) -> bool:
        """A worker's run ended without its final record (the worker died): status `lost`."""
        cur = self._write(
            "record the run",
            "UPDATE runs SET status = 'lost', finished = ?, new = ?, updated = ?, "
            "unchanged = ? WHERE worker = ? AND status = 'running'",
            (finished, counts.get("new", 0), counts.get("updated", 0),
             counts.get("unchanged", 0), worker))
        return cur.rowcount == 1

    def add_captures_once(self, rows: list[dict[str, Any]]) -> list[int]:
        """Index WARC records written elsewhere (a worker's), each once; return their ids.

        A record is known by its place (`warc_file`, `warc_offset`): a reference delivered
        twice (Redis delivers at least once) finds the row the first one made.
        """
        ids: list[int] = []
        try:
            with self.transaction():
                for values in rows:
                    row = self.conn.execute(
                        "SELECT id FROM captures WHERE warc_file = ? AND warc_offset = ?",
                        (values["warc_file"], values["warc_offset"])).fetchone()
                    if row is None:
                        cols = ", ".join(values)
                        marks = ", ".join(f":{c}" for c in values)
                        row = (self.conn.execute(
                            f"INSERT INTO captures ({cols}) VALUES ({marks})", values).lastrowid,)
                    ids.append(int(row[0]))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot index captures: {exc}") from None
        return ids

    def record_pages(self, pages: list[dict[str, Any]]) -> None:
        """The revisit state of stored worker articles, in one transaction (see `save_page`).

        Each page: `url` (the article's), `requested_url`, `site`, `seen_at`, `etag`,
        `last_modified`, `schedule` (revisit ages in seconds), `capture_id` (or None).
        """
        try:
            with self.transaction():
                self._unskip([p["requested_url"] for p in pages])
                for p in pages:
                    if p.get("capture_id") is not None:
                        self._link_capture(p["url"], p["capture_id"], None)
                    row = self.conn.execute(
                        "SELECT first_seen, published FROM articles WHERE url = ?",
                        (p["url"],)).fetchone()
                    if row is None:
                        continue
                    due = next_check(row[0], row[1], p["seen_at"], tuple(p["schedule"]))
                    for url in {p["requested_url"], p["url"]}:
                        self.conn.execute(
                            "INSERT INTO url_state (url, site, article_url, etag, last_modified, "
                            "last_checked, next_check, checks) VALUES (?, ?, ?, ?, ?, ?, ?, 1) "
                            "ON CONFLICT(url) DO UPDATE SET site = excluded.site, "
                            "article_url = excluded.article_url, etag = excluded.etag, "
                            "last_modified = excluded.last_modified, "
                            "last_checked = excluded.last_checked, "
                            "next_check = excluded.next_check, "
                            "checks = coalesce(url_state.checks, 0) + 1",
                            (url, p["site"], p["url"], p["etag"], p["last_modified"],
                             p["seen_at"], due))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot store revisit state: {exc}") from None

    # -- reading -------------------------------------------------------------------------

    def count(self, site: str | None = None) -> int:
        if site:
            return self.conn.execute("SELECT count(*) FROM articles WHERE site = ?",
                                     (site,)).fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    def articles(self, site: str | None = None) -> list[dict[str, Any]]:
        """All articles (of one site), newest first, as dicts with JSON fields decoded."""
        sql = "SELECT * FROM articles" + (" WHERE site = ?" if site else "")
        sql += " ORDER BY published DESC, id"
        cur = self.conn.execute(sql, (site,) if site else ())
        names = [d[0] for d in cur.description]
        rows = []
        for values in cur:
            row = dict(zip(names, values, strict=True))
            for key in ("categories", "tags"):
                row[key] = json.loads(row[key]) if row[key] else []
            rows.append(row)
        return rows

    def languages(self) -> list[str | None]:
        """The languages of the archive's articles (None for undetected), by seeks of the
        `language` index, read again after LANGUAGES_TTL seconds; just None before the
        multilingual migration (m980)."""
        if self._languages is not None and \
                time.monotonic() - self._languages[0] < LANGUAGES_TTL:
            return self._languages[1]
        if not self._multilingual():
            return [None]
        found = [row[0] for row in self.conn.execute(
            "WITH RECURSIVE l(v) AS (SELECT min(language) FROM articles UNION ALL "
            "SELECT (SELECT min(language) FROM articles WHERE language > l.v) FROM l "
            "WHERE l.v IS NOT NULL) SELECT v FROM l WHERE v IS NOT NULL")]
        if self.conn.execute("SELECT 1 FROM articles WHERE language IS NULL "
                             "LIMIT 1").fetchone() is not None:
            found.append(None)
        self._languages = (time.monotonic(), found)
        return found

    def _multilingual(self) -> bool:
        """Whether the archive has the language-aware index (m980: `search_forms`)."""
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' "
                                 "AND name = 'idx_articles_language'").fetchone() is not None

    def match_expression(self, query: str, lang: str | None = None) -> str:
        """The FTS5 MATCH expression `search` runs for `query`: each word in its forms under
        the stemmers of the archive's languages (or `lang`'s), CJK words as bigram phrases.
        What a plain-SQL user puts after `articles_fts MATCH`."""
        return search_text.to_match(query, search_text.search_keys(self.languages(), lang))

    def search(self, query: str, *, site: str | None = None, since: str | None = None,
               until: str | None = None, limit: int = 20,
               lang: str | None = None) -> list[SearchHit]:
        """Ranked full-text search (bm25) with a highlighted snippet of the text.

        FTS5 syntax works (phrases, AND/OR/NOT, prefix*, column filters), in every language
        (`match_expression`; `lang` stems the query in that language only); text FTS5 cannot
        parse raises QueryError. Without filters the top rowids are ranked inside the FTS index
        first and only those are joined, which is much faster than sorting the whole join.
        """
        original = query
        query = self.match_expression(query, lang)
        where, params = _article_filters(site, since, until)
        params.update(q=query, limit=limit)
        if where:
            top = ("SELECT articles_fts.rowid, bm25(articles_fts) FROM articles_fts "
                   "JOIN articles a ON a.id = articles_fts.rowid "
                   "WHERE articles_fts MATCH :q AND " + " AND ".join(where) +
                   " ORDER BY bm25(articles_fts) LIMIT :limit")
        else:
            top = ("SELECT rowid, bm25(articles_fts) FROM articles_fts "
                   "WHERE articles_fts MATCH :q ORDER BY bm25(articles_fts) LIMIT :limit")
        rows = []
        try:
            top_rows = self.conn.execute(top, params).fetchall()
            found = self._hits(query, [rowid for rowid, _ in top_rows], original)
            for rowid, rank in top_rows:
                if rowid in found:  # else deleted since (a writer works alongside)
                    rows.append((*found[rowid], rank))
        except sqlite3.OperationalError as exc:
            message = str(exc)
            if any(word in message for word in _STORE_FAILURES):
                raise StoreError(f"{self.path}: search failed: {message}") from None
            raise QueryError(f"cannot parse search query {original!r}: {message} "
                             '(put words in double quotes to search them literally)') from None
        return [SearchHit(*row) for row in rows]

    def _hits(self, query: str, rowids: list[int], original: str) -> dict[int, tuple]:
        """The ranked rows' article columns and snippets, by rowid.

        A snippet needs the FTS cursor positioned on the row by the MATCH. Row by row
        (`rowid = ?`) FTS5 seeks straight to it, but sets the query up again each time: cheap
        for words and phrases, yet a prefix (`infra*`) expands and merges its terms' doclists on
        every setup (about 1 ms each at 100k articles). So a prefix query takes one pass over
        the rowid range of the hits instead (`+rowid IN` keeps the list out of FTS5's plan,
        which would otherwise set the query up once per value). bench/storebench.py measures.
        Texts in unspaced scripts get their snippet from `search_text.snippet` (the original
        `query`), as the index counts their words in bigrams, not in SQLite's tokens.
        """
        if len(rowids) > _LOOKUP_CHUNK:
            return {**self._hits(query, rowids[:_LOOKUP_CHUNK], original),
                    **self._hits(query, rowids[_LOOKUP_CHUNK:], original)}
        if not rowids:
            return {}
        marks = ", ".join("?" for _ in rowids)
        snippet = "snippet(articles_fts, 2, '[', ']', '…', 16)"
        if "*" in query:
            snippets = dict(self.conn.execute(
                f"SELECT rowid, {snippet} FROM articles_fts WHERE articles_fts MATCH ? "
                f"AND rowid BETWEEN ? AND ? AND +rowid IN ({marks})",
                (query, min(rowids), max(rowids), *rowids)))
        else:
            sql = f"SELECT {snippet} FROM articles_fts WHERE articles_fts MATCH ? AND rowid = ?"
            snippets = {}
            for rowid in rowids:
                row = self.conn.execute(sql, (query, rowid)).fetchone()
                if row is not None:
                    snippets[rowid] = row[0]
        # Only an article with index forms can have unspaced text: only its text is read.
        text_sql = ("(SELECT a.text FROM search_forms s WHERE s.id = a.id)"
                    if self._multilingual() else "NULL")
        hits = {}
        for rowid, *rest, text, language in self.conn.execute(
                f"SELECT id, url, site, title, author, published, {text_sql}, language "
                f"FROM articles a WHERE id IN ({marks})", rowids):
            if rowid in snippets:
                snip = snippets[rowid]
                if search_text.has_unspaced(text):
                    snip = search_text.snippet(text, language, original, width=90)
                hits[rowid] = (*rest, snip)
        return hits

    # -- search index upkeep ---------------------------------------------------------------

    def index_segments(self) -> int:
        """How many b-tree segments the full-text index has (a query reads every one)."""
        return index_segments(self.conn)

    def tidy_search_index(self, added: int) -> bool:
        """Merge the full-text index's segments after a run that wrote `added` articles.

        Bulk writes leave FTS5's index in many segments (20 after loading 100k articles), and
        every query seeks each: a rare word or an AND then costs several times what it does on
        one segment. A run that wrote a large share of the archive (a first crawl, an import,
        a re-extraction) rewrites the index into one segment ('optimize': about 2 s at 100k
        articles); a small increment merges at most MERGE_PAGES pages ('merge' with a budget,
        resumed by the next run), so a cron crawl of a few pages stays cheap.

        Upkeep, not storage: when it cannot be done (the archive locked past the busy timeout,
        a full disk) the run's work is already committed, so this says so in one log line and
        returns False; the next run, or `archiver optimize`, merges later.
        """
        if added <= 0:
            return True
        try:
            with self.transaction():
                total = self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                if added * BULK_SHARE >= total:
                    self.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('optimize')")
                else:
                    self.conn.execute("INSERT INTO articles_fts(articles_fts, rank) "
                                      "VALUES('merge', ?)", (-MERGE_PAGES,))
        except sqlite3.DatabaseError as exc:
            logger.warning("%s: search index not merged (%s); the next run or `archiver "
                           "optimize` merges it", self.path, exc)
            return False
        return True

    def optimize_search_index(self) -> tuple[int, int]:
        """Rewrite the full-text index into one segment; its segment count before and after.

        First re-derives every article's language-aware index forms, so rows another program
        wrote (indexed as written by the plain-SQL triggers) get their stems and bigrams.
        """
        try:
            before = self.index_segments()
            with self.transaction():
                migrations.refresh_search_forms(
                    self.conn, [row[0] for row in self.conn.execute("SELECT id FROM articles")])
                self.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('optimize')")
            return before, self.index_segments()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot optimize the search index: {exc}") from None

    # -- captures (raw WARC records) -----------------------------------------------------

    def add_capture(self, values: dict[str, Any]) -> int:
        """Index one WARC record (written before this call); return the capture's id."""
        cols = ", ".join(values)
        marks = ", ".join(f":{c}" for c in values)
        try:
            with self.transaction():
                cur = self.conn.execute(f"INSERT INTO captures ({cols}) VALUES ({marks})", values)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot index capture: {exc}") from None
        return int(cur.lastrowid)

    def original_capture(self, url: str, digest: str) -> dict[str, Any] | None:
        """The latest full capture of `url` whose payload has this digest (revisit target)."""
        cur = self.conn.execute(
            "SELECT * FROM captures WHERE url = ? AND payload_digest = ? "
            "AND record_type = 'response' ORDER BY fetched_at DESC, id DESC LIMIT 1",
            (url, digest))
        return self._row(cur)

    def capture(self, capture_id: int) -> dict[str, Any] | None:
        """One capture's index row."""
        return self._row(self.conn.execute("SELECT * FROM captures WHERE id = ?", (capture_id,)))

    def capture_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM captures").fetchone()[0]

    @staticmethod
    def _row(cur: sqlite3.Cursor) -> dict[str, Any] | None:
        values = cur.fetchone()
        if values is None:
            return None
        return dict(zip([d[0] for d in cur.description], values, strict=True))

    def count_captures(self, *, site: str | None = None, since: str | None = None) -> int:
        """How many page captures `iter_captures` would stream (a progress bar's total)."""
        sql = ("SELECT count(*) FROM captures WHERE role = 'page' "
               "AND status BETWEEN 200 AND 299")
        params: list[Any] = []
        if site:
            sql += " AND site = ?"
            params.append(site)
        if since:
            sql += " AND fetched_at >= ?"
            params.append(since)
        return int(self.conn.execute(sql, params).fetchone()[0])

    def iter_captures(self, *, site: str | None = None, since: str | None = None,
                      roles: tuple[str, ...] = ("page",)) -> Iterator[dict[str, Any]]:
        """Successful captures of the given roles, streamed in (url, fetched_at) order.

        Each row carries `payload_file`/`payload_offset`: where its payload bytes are (the
        original's, for a revisit).
        """
        where = [f"c.role IN ({', '.join('?' for _ in roles)})", "c.status BETWEEN 200 AND 299"]
        params: list[Any] = list(roles)
        if site:
            where.append("c.site = ?")
            params.append(site)
        if since:
            where.append("c.fetched_at >= ?")
            params.append(since)
        cur = self.conn.execute(
            "SELECT c.*, coalesce(o.warc_file, c.warc_file) AS payload_file, "
            "coalesce(o.warc_offset, c.warc_offset) AS payload_offset "
            "FROM captures c LEFT JOIN captures o ON o.id = c.refers_to "
            f"WHERE {' AND '.join(where)} ORDER BY c.url, c.fetched_at, c.id", params)
        names = [d[0] for d in cur.description]
        for values in cur:
            yield dict(zip(names, values, strict=True))

    def restore_article(self, site: str, a: Article, *, fetched_at: str, capture_id: int,
                        extractor: str) -> Outcome:
        """Store a re-extracted article in place: not a new revision, no new sighting.

        A missing row comes back with the capture's time as first and last seen; an existing
        row gets the new extraction, keeps its first/last seen (widened to this capture's
        time), and points at this capture when it is the latest one.
        """
        values = {
            "url": a.url, "site": site, "title": a.title, "author": a.author,
            "published": a.published, "modified": a.modified, "date_source": a.date_source,
            "language": a.language, "description": a.description, "image": a.image,
            "sitename": a.sitename, "categories": json.dumps(a.categories, ensure_ascii=False),
            "tags": json.dumps(a.tags, ensure_ascii=False), "text": a.text,
            "word_count": a.word_count, "content_hash": a.content_hash,
            "fetched_url": a.fetched_url, "extractor_version": extractor,
            "capture_id": capture_id, "paywalled": a.paywalled, "t": fetched_at,
        }
        meta = [c for c in values if c not in _RESTORE_KEEP]
        try:
            with self.transaction():
                self._unskip([a.url, a.fetched_url], capture_id=capture_id)
                row = self.conn.execute(
                    "SELECT a.content_hash, c.fetched_at, a.id, "
                    "EXISTS (SELECT 1 FROM article_blocks b WHERE b.article_id = a.id), "
                    + ", ".join(f"a.{c}" for c in meta) + " FROM articles a "
                    "LEFT JOIN captures c ON c.id = a.capture_id WHERE a.url = ?",
                    (a.url,)).fetchone()
                if row is None:
                    texts, block_map = self._precleaned(site, a)
                    values = {**values, **texts}
                    cols = [c for c in values if c != "t"]
                    cur = self.conn.execute(
                        f"INSERT INTO articles ({', '.join(cols)}, first_seen, last_seen) "
                        f"VALUES ({', '.join(':' + c for c in cols)}, :t, :t)", values)
                    self._learn(site, cur.lastrowid, a.text, block_map=block_map)
                    return "new"
                if row[1] and fetched_at < row[1]:  # the row came from a later capture
                    self.conn.execute("UPDATE articles SET first_seen = min(first_seen, ?) "
                                      "WHERE url = ?", (fetched_at, a.url))
                    return "unchanged"
                if row[0] == a.content_hash and row[3]:
                    # The same title and raw text: its blocks, counts and cleaned text stand.
                    # Write only the metadata that changed (an FTS-indexed column re-indexes
                    # the row) and re-clean with the current rules, which writes only on a
                    # change: most articles of a re-extraction come out the same.
                    changed = [c for c, old in zip(meta, row[4:], strict=True)
                               if values[c] != old]
                    sets = "".join(f"{c} = :{c}, " for c in changed)
                    self.conn.execute(
                        f"UPDATE articles SET {sets}first_seen = min(first_seen, :t), "
                        "last_seen = max(last_seen, :t) WHERE url = :url", values)
                    self._clean(row[2], self.overrides(site))
                    return "unchanged"
                # New text: written once, already cleaned (see `_precleaned`).
                texts, block_map = self._precleaned(site, a)
                values = {**values, **texts}
                sets = ", ".join(f"{c} = :{c}" for c in values if c not in ("url", "t"))
                self.conn.execute(
                    f"UPDATE articles SET {sets}, first_seen = min(first_seen, :t), "
                    "last_seen = max(last_seen, :t) WHERE url = :url", values)
                self._learn(site, row[2], a.text, block_map=block_map)
                return "unchanged" if row[0] == a.content_hash else "updated"
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot store article: {exc}") from None

    def article_columns(self) -> list[str]:
        """The columns of `articles`, in table order."""
        return [r[1] for r in self.conn.execute("PRAGMA table_info(articles)")]

    def count_articles(self, *, site: str | None = None, since: str | None = None,
                       until: str | None = None, query: str | None = None) -> int:
        """How many articles `iter_articles` would stream (a progress bar's total)."""
        where, params = _article_filters(site, since, until)
        if query:
            where.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q)")
            params["q"] = query
        sql = "SELECT count(*) FROM articles a" + (
            " WHERE " + " AND ".join(where) if where else "")
        try:
            return int(self.conn.execute(sql, params).fetchone()[0])
        except sqlite3.OperationalError as exc:
            if not query:
                raise StoreError(f"{self.path}: export failed: {exc}") from None
            raise QueryError(f"cannot parse search query {query!r}: {exc} "
                             '(put words in double quotes to search them literally)') from None

    def iter_articles(self, *, site: str | None = None, since: str | None = None,
                      until: str | None = None, query: str | None = None
                      ) -> Iterator[dict[str, Any]]:
        """Articles streamed one at a time (constant memory), oldest id first.

        Filters as in `search`: published on or after `since`, on or before `until`, and an
        FTS5 `query` (QueryError when FTS5 cannot parse it).
        """
        where, params = _article_filters(site, since, until)
        if query:
            where.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q)")
            params["q"] = self.match_expression(query)
        sql = "SELECT a.* FROM articles a"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY a.id"
        try:
            cur = self.conn.execute(sql, params)
            names = [d[0] for d in cur.description]
            for values in cur:
                row = dict(zip(names, values, strict=True))
                for key in ("categories", "tags"):
                    row[key] = json.loads(row[key]) if row[key] else []
                yield row
        except sqlite3.OperationalError as exc:
            message = str(exc)
            if any(word in message for word in _STORE_FAILURES) or not query:
                raise StoreError(f"{self.path}: export failed: {message}") from None
            raise QueryError(f"cannot parse search query {query!r}: {message} "
                             '(put words in double quotes to search them literally)') from None

    # -- crawl state: revisits, validators, frontier, runs (issue #4) --------------------

    def _write(self, what: str, sql: str, params: Any = ()) -> sqlite3.Cursor:
        try:
            with self.transaction():
                return self.conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot {what}: {exc}") from None

    def save_page(self, site: str, article: Article, seen_at: str, *, requested_url: str,
                  etag: str | None = None, last_modified: str | None = None,
                  schedule: tuple[int, ...] = (), capture_id: int | None = None,
                  extractor: str | None = None) -> Outcome:
        """Store a fetched article with its revisit state, and take its URL off the frontier.

        One transaction: a crawl killed at any moment leaves either all of it or none.
        """
        try:
            with self.transaction():
                # The batch path with one row: a new article is indexed once, already cleaned.
                (outcome,) = _Batch(self).save([(site, article, seen_at, capture_id, extractor)])
                self._unskip([requested_url])
                first_seen, published = self.conn.execute(
                    "SELECT first_seen, published FROM articles WHERE url = ?",
                    (article.url,)).fetchone()
                due = next_check(first_seen, published, seen_at, schedule)
                for url in {requested_url, article.url}:
                    self.conn.execute(
                        "INSERT INTO url_state (url, site, article_url, etag, last_modified, "
                        "last_checked, next_check, checks) VALUES (?, ?, ?, ?, ?, ?, ?, 1) "
                        "ON CONFLICT(url) DO UPDATE SET site = excluded.site, "
                        "article_url = excluded.article_url, etag = excluded.etag, "
                        "last_modified = excluded.last_modified, "
                        "last_checked = excluded.last_checked, next_check = excluded.next_check, "
                        "checks = coalesce(url_state.checks, 0) + 1",
                        (url, site, article.url, etag, last_modified, seen_at, due))
                    self.conn.execute("DELETE FROM frontier WHERE url = ?", (url,))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot store article: {exc}") from None
        return outcome

    def needs_fetch(self, url: str, schedule: tuple[int, ...]) -> bool:
        """Whether a discovered article URL is worth a request: new to the archive, or due."""
        return self.revisit_state(url, schedule)[0]

    def revisit_state(self, url: str, schedule: tuple[int, ...]) -> tuple[bool, str | None]:
        """(due, last fetch) of a discovered article URL: due when new to the archive or when
        its revisit schedule says so; the last fetch is None when it is not archived."""
        row = self.conn.execute(
            "SELECT s.next_check, coalesce(s.last_checked, a.last_seen) FROM url_state s "
            "JOIN articles a ON a.url = s.article_url WHERE s.url = ?", (url,)).fetchone()
        if row is not None:  # archived (and still there: a deleted row is fetched again)
            return is_due(row[0]), row[1]
        article = self.conn.execute(
            "SELECT first_seen, published, last_seen FROM articles WHERE url = ?",
            (url,)).fetchone()
        if article is None:
            return True, None
        # Archived before revisit state was kept: schedule from its own dates.
        return is_due(next_check(article[0], article[1], article[2], schedule)), article[2]

    def record_revisit(self, url: str, site: str, run_id: int | None, reason: str,
                       site_modified: str | None = None) -> None:
        """Remember that this run looks again at an archived article, and why."""
        self._write("record a revisit",
                    "INSERT INTO revisits (article_url, url, site, run_id, requested, reason, "
                    "site_modified) SELECT coalesce((SELECT article_url FROM url_state "
                    "WHERE url = ?), ?), ?, ?, ?, ?, ?, ?",
                    (url, url, url, site, run_id, now_iso(), reason, site_modified))

    def revisits(self, url: str) -> list[dict[str, Any]]:
        """The recorded revisits of an article (by its URL or one it was fetched from); none
        in an archive no crawl has opened since revisits were recorded (read-only opens do
        not migrate)."""
        if not self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'revisits'"
                                 ).fetchone():
            return []
        return self._dicts(
            "SELECT requested, reason, site_modified, run_id FROM revisits WHERE article_url = "
            "coalesce((SELECT article_url FROM url_state WHERE url = ?), ?) "
            "ORDER BY requested, id", (url, url))

    def due_urls(self, site: str, now: str | None = None) -> list[str]:
        """A site's archived articles due for a revisit (one URL each), most overdue first."""
        cur = self.conn.execute(
            "SELECT min(url) FROM url_state WHERE site = ? AND article_url IS NOT NULL "
            "AND next_check <= ? GROUP BY article_url ORDER BY min(next_check)",
            (site, now or now_iso()))
        return [u for (u,) in cur]

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        """The ETag and Last-Modified stored for a URL (an archived article's, or a feed's)."""
        row = self.conn.execute(
            "SELECT s.etag, s.last_modified FROM url_state s "
            "LEFT JOIN articles a ON a.url = s.article_url "
            "WHERE s.url = ? AND (s.article_url IS NULL OR a.id IS NOT NULL)", (url,)).fetchone()
        if row is None or not (row[0] or row[1]):
            return None
        return row[0], row[1]

    def remember_validators(self, url: str, site: str, etag: str | None,
                            last_modified: str | None, checked_at: str) -> None:
        """Keep a feed's or sitemap's validators, once its entries are safely on the frontier."""
        self._write("remember validators",
                    "INSERT INTO url_state (url, site, etag, last_modified, last_checked, checks) "
                    "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT(url) DO UPDATE SET "
                    "etag = excluded.etag, last_modified = excluded.last_modified, "
                    "last_checked = excluded.last_checked, "
                    "checks = coalesce(url_state.checks, 0) + 1",
                    (url, site, etag, last_modified, checked_at))

    def mark_checked(self, url: str, checked_at: str, schedule: tuple[int, ...]) -> None:
        """A revisit that failed (HTTP error, timeout): move on to the next scheduled look,
        so a deleted or broken article is not requested again on every run."""
        row = self.conn.execute(
            "SELECT a.first_seen, a.published FROM url_state s "
            "JOIN articles a ON a.url = s.article_url WHERE s.url = ?", (url,)).fetchone()
        if row is None:
            return
        self._write("update revisit state",
                    "UPDATE url_state SET last_checked = ?, next_check = ?, "
                    "checks = coalesce(checks, 0) + 1 WHERE url = ?",
                    (checked_at, next_check(row[0], row[1], checked_at, schedule), url))

    def mark_not_modified(self, url: str, seen_at: str, schedule: tuple[int, ...], *,
                          etag: str | None = None, last_modified: str | None = None) -> bool:
        """A revisit answered 304: the article was seen unchanged. False if none is archived."""
        try:
            with self.transaction():
                row = self.conn.execute(
                    "SELECT a.url, a.first_seen, a.published FROM url_state s "
                    "JOIN articles a ON a.url = s.article_url WHERE s.url = ?", (url,)).fetchone()
                self.conn.execute("DELETE FROM frontier WHERE url = ?", (url,))
                if row is None:
                    return False
                self.conn.execute("UPDATE articles SET last_seen = ? WHERE url = ?",
                                  (seen_at, row[0]))
                self.conn.execute(
                    "UPDATE url_state SET last_checked = ?, next_check = ?, "
                    "etag = coalesce(?, etag), last_modified = coalesce(?, last_modified), "
                    "checks = coalesce(checks, 0) + 1 WHERE url IN (?, ?)",
                    (seen_at, next_check(row[1], row[2], seen_at, schedule), etag,
                     last_modified, url, row[0]))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot record a 304: {exc}") from None
        return True

    def frontier_add(self, site: str, url: str, role: str, hops: int | None,
                     hints: dict[str, Any] | None = None) -> None:
        """Remember a discovered URL until it has been dealt with (survives a killed crawl)."""
        self._write("add to the frontier",
                    "INSERT INTO frontier (url, site, role, hops, hints, discovered) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO NOTHING",
                    (url, site, role, hops, json.dumps(hints or {}, ensure_ascii=False),
                     now_iso()))

    def frontier_done(self, url: str) -> None:
        """Take a URL off the frontier: it was stored, skipped for good, or given up on."""
        self._write("update the frontier", "DELETE FROM frontier WHERE url = ?", (url,))

    # -- skipped pages: fetched, judged not to be an article (issue 18) ------------------

    def skip_pages(self, pages: list[dict[str, Any]]) -> int:
        """Record fetched pages judged not to be articles, and take them off the frontier, in
        one transaction; how many were recorded.

        Each page: `site`, `url` (the URL requested), `fetched_url` (where the response came
        from), `reason`, `score` (the classifier's, or None), `fetched_at`, `capture_id` (or
        None), and `run_id` or, from a distributed worker, `worker` (its run's id is looked
        up). A URL that is an archived article is not recorded: its article stands (a
        revisit that looks like no article never takes a story out of the archive). One row
        per URL: the latest decision.
        """
        by_worker = "worker" in self.db["runs"].columns_dict
        try:
            with self.transaction():
                recorded = 0
                for p in pages:
                    run_id = p.get("run_id")
                    if run_id is None and p.get("worker") and by_worker:
                        row = self.conn.execute("SELECT id FROM runs WHERE worker = ?",
                                                (p["worker"],)).fetchone()
                        run_id = row[0] if row else None
                    recorded += self._skip(p, run_id)
                    self.conn.execute("DELETE FROM frontier WHERE url = ?", (p["url"],))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot record skipped pages: {exc}") from None
        return recorded

    def skip_page(self, site: str, url: str, *, reason: str, fetched_at: str,
                  fetched_url: str | None = None, score: float | None = None,
                  run_id: int | None = None, capture_id: int | None = None) -> bool:
        """`skip_pages` for one page (the crawl's pipeline): whether it was recorded."""
        return self.skip_pages([{"site": site, "url": url, "fetched_url": fetched_url or url,
                                 "reason": reason, "score": score, "fetched_at": fetched_at,
                                 "run_id": run_id, "capture_id": capture_id}]) == 1

    def _skip(self, p: dict[str, Any], run_id: int | None) -> int:
        fetched_url = p.get("fetched_url") or p["url"]
        cur = self.conn.execute(
            "INSERT INTO skipped_pages (url, fetched_url, site, run_id, reason, score, "
            "fetched_at, capture_id) SELECT ?, ?, ?, ?, ?, ?, ?, ? "
            "WHERE NOT EXISTS (SELECT 1 FROM articles WHERE url IN (?, ?)) "
            "AND NOT EXISTS (SELECT 1 FROM url_state s JOIN articles a ON a.url = s.article_url "
            "WHERE s.url = ?) "
            "ON CONFLICT (url) DO UPDATE SET fetched_url = excluded.fetched_url, "
            "site = excluded.site, run_id = coalesce(excluded.run_id, skipped_pages.run_id), "
            "reason = excluded.reason, score = excluded.score, "
            "fetched_at = excluded.fetched_at, "
            "capture_id = coalesce(excluded.capture_id, skipped_pages.capture_id)",
            (p["url"], fetched_url, p["site"], run_id, p["reason"], p.get("score"),
             p["fetched_at"], p.get("capture_id"), p["url"], fetched_url, p["url"]))
        return cur.rowcount

    def redecide_skip(self, site: str, url: str, *, reason: str, score: float | None,
                      fetched_at: str, capture_id: int) -> None:
        """A stored capture re-extracted (`archiver reextract`) is still no article: its
        skipped record gets the current decision. The record made from this capture is
        updated; else the URL's record when this capture is not older than it; else (an
        archive from before the record was kept) the page is recorded now."""
        try:
            with self.transaction():
                cur = self.conn.execute(
                    "UPDATE skipped_pages SET reason = ?, score = ? WHERE capture_id = ?",
                    (reason, score, capture_id))
                if cur.rowcount:
                    return
                row = self.conn.execute(
                    "SELECT url, fetched_at FROM skipped_pages WHERE url = ? OR fetched_url = ? "
                    "ORDER BY fetched_at DESC LIMIT 1", (url, url)).fetchone()
                if row is not None:
                    if row[1] <= fetched_at:
                        self.conn.execute(
                            "UPDATE skipped_pages SET reason = ?, score = ?, fetched_at = ?, "
                            "capture_id = ? WHERE url = ?",
                            (reason, score, fetched_at, capture_id, row[0]))
                    return
                self._skip({"site": site, "url": url, "reason": reason, "score": score,
                            "fetched_at": fetched_at, "capture_id": capture_id}, None)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot record a skipped page: {exc}") from None

    def _unskip(self, urls: list[str | None], *, capture_id: int | None = None) -> None:
        """Pages now archived as articles leave the skipped record (by requested or fetched
        URL, or by the capture the article was extracted from)."""
        if self.conn.execute("SELECT NOT EXISTS (SELECT 1 FROM skipped_pages)").fetchone()[0]:
            return  # the usual case: one probe of an empty table, no delete per article
        found = list(dict.fromkeys(u for u in urls if u))
        for i in range(0, len(found), _LOOKUP_CHUNK):
            chunk = found[i:i + _LOOKUP_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            self.conn.execute(f"DELETE FROM skipped_pages WHERE url IN ({marks}) "
                              f"OR fetched_url IN ({marks})", chunk + chunk)
        if capture_id is not None:
            self.conn.execute("DELETE FROM skipped_pages WHERE capture_id = ?", (capture_id,))

    def skipped_by_site(self) -> dict[str, dict[str, int]]:
        """Per site, recorded skipped pages by reason (empty for an archive without the table,
        e.g. one opened read-only before a newer version migrated it)."""
        if "skipped_pages" not in self.db.table_names():
            return {}
        out: dict[str, dict[str, int]] = {}
        for site, reason, n in self.conn.execute(
                "SELECT site, reason, count(*) FROM skipped_pages GROUP BY site, reason "
                "ORDER BY site, reason"):
            out.setdefault(site, {})[reason] = n
        return out

    def frontier_attempt(self, url: str) -> int:
        """Count one more attempt at a frontier URL; return how many there have been."""
        self._write("update the frontier",
                    "UPDATE frontier SET attempts = attempts + 1 WHERE url = ?", (url,))
        row = self.conn.execute("SELECT attempts FROM frontier WHERE url = ?", (url,)).fetchone()
        return row[0] if row else 0

    def frontier(self, site: str, limit: int = -1) -> list[dict[str, Any]]:
        """A site's discovered-but-unfinished URLs, oldest first (at most `limit`)."""
        cur = self.conn.execute(
            "SELECT url, role, hops, hints, attempts FROM frontier WHERE site = ? "
            "ORDER BY discovered, url LIMIT ?", (site, limit))
        return [{"url": u, "role": r, "hops": h, "hints": json.loads(j or "{}"), "attempts": a}
                for u, r, h, j, a in cur]

    def log_failure(self, run_id: int | None, site: str, url: str, error: str,
                    message: str = "", http_status: int | None = None) -> None:
        """One line of `fetch_log`: a URL that failed, and how."""
        self._write("write the fetch log",
                    "INSERT INTO fetch_log (run_id, fetched_at, site, url, status, error, message) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (run_id, now_iso(), site, url, http_status, error, message[:1000]))

    def start_run(self, sites: list[str], pid: int, host: str) -> int:
        """Record a crawl as running; runs left `running` by a dead crawl become `abandoned`
        (distributed workers' runs are the writer's to judge, by their heartbeats)."""
        try:
            with self.transaction():
                self.conn.execute("UPDATE runs SET status = 'abandoned' "
                                  "WHERE status = 'running' AND worker IS NULL")
                cur = self.conn.execute(
                    "INSERT INTO runs (started, sites, status, pid, host) "
                    "VALUES (?, ?, 'running', ?, ?)", (now_iso(), json.dumps(sites), pid, host))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot record the run: {exc}") from None
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, *, status: str, exit_code: int,
                   sites: list[dict[str, Any]]) -> None:
        """Close a run record with its totals and one `run_sites` row per site."""
        def total(key: str) -> int:
            return sum(int(s.get(key, 0)) for s in sites)

        def merged(key: str) -> str:
            out: dict[str, int] = {}
            for s in sites:
                for k, v in (s.get(key) or {}).items():
                    out[k] = out.get(k, 0) + v
            return json.dumps(dict(sorted(out.items())))

        try:
            with self.transaction():
                self.conn.execute(
                    "UPDATE runs SET finished = ?, status = ?, exit_code = ?, pages_fetched = ?, "
                    "new = ?, updated = ?, unchanged = ?, skipped = ?, errors = ? WHERE id = ?",
                    (now_iso(), status, exit_code, total("pages_fetched"), total("new"),
                     total("updated"), total("unchanged"), merged("skipped"), merged("errors"),
                     run_id))
                for s in sites:
                    self.conn.execute(
                        "INSERT OR REPLACE INTO run_sites (run_id, site, finish_reason, "
                        "pages_fetched, new, updated, unchanged, "
                        "skipped, errors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (run_id, s["site"], s.get("finish_reason"), s.get("pages_fetched", 0),
                         s.get("new", 0), s.get("updated", 0), s.get("unchanged", 0),
                         json.dumps(dict(sorted((s.get("skipped") or {}).items()))),
                         json.dumps(dict(sorted((s.get("errors") or {}).items())))))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot record the run: {exc}") from None

    def _dicts(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        try:
            cur = self.conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot read: {exc} (an archive from before "
                             "crawl records? run `archiver crawl` once)") from None
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The most recent runs, newest first."""
        return self._dicts("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))

    def fetch_failures(self, run_id: int) -> list[dict[str, Any]]:
        """The failed URLs of one run."""
        return self._dicts("SELECT * FROM fetch_log WHERE run_id = ? ORDER BY id", (run_id,))

    def versions(self, url: str) -> list[dict[str, Any]]:
        """Every stored version of an article, oldest first (the last is the current row).

        Finds the article by its URL, or by any URL it was fetched from.
        """
        found = self._dicts(
            "SELECT id FROM articles WHERE url = ? UNION ALL "
            "SELECT a.id FROM url_state s JOIN articles a ON a.url = s.article_url "
            "WHERE s.url = ? LIMIT 1", (url, url))
        if not found:
            return []
        row = (found[0]["id"],)
        old = self._dicts(
            "SELECT url, fetched_at, title, text, content_hash FROM revisions "
            "WHERE article_id = ? ORDER BY fetched_at, id", (row[0],))
        current = self._dicts(
            "SELECT url, coalesce(last_changed, first_seen) AS fetched_at, title, text, "
            "content_hash FROM articles WHERE id = ?", (row[0],))
        return old + current

    # -- analysts' summaries ------------------------------------------------------------

    def tables(self) -> dict[str, list[str]]:
        """Every table of the archive with its column names (FTS shadow tables left out)."""
        names = [r[0] for r in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'articles_fts_%' ORDER BY name")]
        return {name: [c[1] for c in self.conn.execute(f"PRAGMA table_xinfo([{name}])")]
                for name in names}

    def articles_per_day(self) -> list[tuple[str, str, int]]:
        """(UTC day, site, articles published that day), oldest first; undated left out."""
        return [tuple(r) for r in self.conn.execute(
            "SELECT date(published) AS day, site, count(*) FROM articles "
            "WHERE date(published) IS NOT NULL GROUP BY day, site ORDER BY day, site")]

    def site_summaries(self, now: str) -> list[dict[str, Any]]:
        """Per site: article count, first/last published, published and archived in the
        24 hours and 7 days before `now` (ISO 8601; offsets are honoured via julianday)."""
        cur = self.conn.execute("""
            SELECT site, count(*) AS articles,
                   min(published) AS first_published, max(published) AS last_published,
                   coalesce(sum(julianday(published) > julianday(:now) - 1), 0) AS published_24h,
                   coalesce(sum(julianday(published) > julianday(:now) - 7), 0) AS published_7d,
                   coalesce(sum(julianday(first_seen) > julianday(:now) - 1), 0) AS archived_24h,
                   coalesce(sum(julianday(first_seen) > julianday(:now) - 7), 0) AS archived_7d,
                   max(last_seen) AS last_seen
            FROM articles GROUP BY site ORDER BY site""", {"now": now})
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]

    def site_origins(self) -> list[tuple[str, str]]:
        """(site, scheme://host[:port]/) pairs seen in archived URLs, to attribute other URLs."""
        return [tuple(r) for r in self.conn.execute(
            "SELECT DISTINCT site, substr(url, 1, instr(substr(url, 9), '/') + 8) FROM articles")]

    def recent_runs(self, limit: int = 200) -> list[dict[str, Any]]:
        """The latest rows of `runs` (when that table exists), newest first, as dicts."""
        if "runs" not in self.tables():
            return []
        cur = self.conn.execute("SELECT * FROM runs ORDER BY started DESC, id DESC LIMIT ?",
                                (limit,))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]

    def fetch_failures_since(self, since: str) -> list[dict[str, Any]]:
        """Rows of `fetch_log` (when it exists) fetched after `since`: url, run_id and, when
        the table has one, site."""
        columns = self.tables().get("fetch_log")
        if not columns:
            return []
        site = "site" if "site" in columns else "NULL AS site"
        cur = self.conn.execute(
            f"SELECT url, run_id, {site} FROM fetch_log "
            "WHERE julianday(fetched_at) > julianday(?)", (since,))
        return [{"url": u, "run_id": r, "site": s} for u, r, s in cur]


def _varint(data: bytes, i: int) -> tuple[int, int]:
    """One SQLite varint from `data` at `i`: its value and the offset after it."""
    value = 0
    for n in range(9):
        byte = data[i]
        i += 1
        if n == 8:
            return (value << 8) | byte, i
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            break
    return value, i


def index_segments(conn: sqlite3.Connection) -> int:
    """The segment count of `articles_fts`, read from FTS5's structure record (row 10 of
    `articles_fts_data`: a 4-byte cookie, then varints: levels, segments, ...)."""
    row = conn.execute("SELECT block FROM articles_fts_data WHERE id = 10").fetchone()
    if row is None:
        return 0
    levels, i = _varint(row[0], 4)
    return _varint(row[0], i)[0] if levels else 0


#: URLs looked up per SELECT (well under SQLite's limit on host parameters).
_LOOKUP_CHUNK = 500
_INSERT_COLUMNS = ("url", "site", "title", "author", "published", "modified", "date_source",
                   "language", "description", "image", "sitename", "categories", "tags", "text",
                   "word_count", "content_hash", "fetched_url", "first_seen", "last_seen",
                   "raw_text", "capture_id", "extractor_version", "paywalled")
_INSERT_SQL = f"INSERT INTO articles ({', '.join(_INSERT_COLUMNS)}) VALUES "
_INSERT_ROW = f"({', '.join('?' for _ in _INSERT_COLUMNS)})"
_BULK_ROWS = 100  #: a save of this many rows or more is a bulk write (`_Batch.save`)
_BULK_CACHE_KIB = 65536  #: its page cache
#: Columns `restore_article` never rewrites when the raw text is unchanged: the identity, the
#: capture time, and the text and word count, which are the cleaned ones already.
_RESTORE_KEEP = ("url", "t", "title", "text", "word_count", "content_hash")
_TOUCH_SQL = ("UPDATE articles SET last_seen = ?, capture_id = coalesce(?, capture_id), "
              "extractor_version = coalesce(?, extractor_version) WHERE url = ?")


def raw_or_none(raw: str, text: str) -> str | None:
    """What `articles.raw_text` holds: the extracted text when cleaning changed it, else NULL
    (`coalesce(raw_text, text)` is always the pre-cleaning text)."""
    return None if raw == text else raw


def insert_rows(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Insert new article rows (`_INSERT_COLUMNS` order) with as few statements as SQLite's
    limit on host parameters allows.

    Not one `executemany`: FTS5 writes the rows it has buffered to disk as a new index segment
    whenever a statement that writes it begins (its xSavepoint), so a row-per-statement insert
    leaves one tiny segment per article for its automerge to merge again and again; one
    statement per batch leaves one. bench/storebench.py: 100k articles stored about twice as
    fast (tests/warc/test_speed_paths.py counts the statements).
    """
    per = max(1, min(len(rows), conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
                     // len(_INSERT_COLUMNS)))
    for i in range(0, len(rows), per):
        chunk = rows[i:i + per]
        conn.execute(_INSERT_SQL + ", ".join(_INSERT_ROW for _ in chunk),
                     [value for row in chunk for value in row])


@dataclass(slots=True)
class _Pending:
    """A new article waiting in a batch: its row, its blocks, and the template it was cleaned by."""

    site: str
    url: str
    raw: str
    text: str
    blocks: dict[str, str]
    cleaned_by: set[str]
    row: tuple


class _Batch:
    """Saves rows inside the caller's transaction, a batch at a time instead of row by row.

    New articles are inserted with multi-row INSERTs (`insert_rows`; already cleaned by the
    site's current template, so FTS indexes each once), their ids fetched in one SELECT, their
    blocks written and the recurring ones' counts taken from `article_blocks` once a batch, and
    each site's template re-decided once per batch; unchanged rows are touched with one
    executemany. The outcome and the final rows are those of `Store._save` row by row: the
    template an article ends with depends only on the final counts (`_retemplate`), and articles
    whose template changed are re-cleaned, in the batch or before it. A row whose text changed
    (a revision, or template drift) needs the template as of that row: what is pending is
    flushed first, then it takes `Store._save`.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn = store.conn
        self.known: dict[str, str] = {}  # url -> content_hash stored (or pending)
        self.pending: list[_Pending] = []
        self.touched: list[tuple[str, int | None, str | None, str]] = []
        self.templates: dict[str, set[str]] = {}  # site -> template keys, until the next flush
        self.overrides: dict[str, boilerplate.Overrides] = {}

    def save(self, rows: list[tuple[str, Article, str, int | None, str | None]]
             ) -> list[Outcome]:
        if len(rows) >= _BULK_ROWS and not self.store._bulk_cache:
            # A bulk write counts its blocks under hash keys, i.e. all over two indexes: with
            # SQLite's default 2 MiB page cache much of its time went to re-reading and
            # re-writing the same index pages (bench/storebench.py: about 7% of a 100k import).
            # A connection that writes in bulk keeps a larger cache; a crawl's, saving page by
            # page, stays small.
            self.conn.execute(f"PRAGMA cache_size = {-_BULK_CACHE_KIB}")
            self.store._bulk_cache = True
        return self._save(rows)

    def _save(self, rows: list[tuple[str, Article, str, int | None, str | None]]
              ) -> list[Outcome]:
        urls = list(dict.fromkeys(a.url for _, a, _, _, _ in rows))
        for i in range(0, len(urls), _LOOKUP_CHUNK):
            chunk = urls[i:i + _LOOKUP_CHUNK]
            self.known.update(self.conn.execute(
                "SELECT url, content_hash FROM articles WHERE url IN "
                f"({', '.join('?' for _ in chunk)})", chunk))
        outcomes: list[Outcome] = []
        self.store._unskip([u for _, a, _, _, _ in rows for u in (a.url, a.fetched_url)])
        for site, a, seen_at, capture_id, extractor in rows:
            stored = self.known.get(a.url)
            if stored is None:
                self._add(site, a, seen_at, capture_id, extractor)
                outcomes.append("new")
            elif stored == a.content_hash:
                self.touched.append((seen_at, capture_id, extractor, a.url))
                outcomes.append("unchanged")
            else:
                self.flush()
                outcomes.append(self.store._save(site, a, seen_at))
                if capture_id is not None or extractor is not None:
                    self.store._link_capture(a.url, capture_id, extractor)
            self.known[a.url] = a.content_hash
        self.flush()
        return outcomes

    def _template(self, site: str) -> set[str]:
        if site not in self.templates:
            self.templates[site] = self.store._template_keys(site)
        return self.templates[site]

    def _overrides(self, site: str) -> boilerplate.Overrides:
        if site not in self.overrides:
            self.overrides[site] = self.store.overrides(site)
        return self.overrides[site]

    def _add(self, site: str, a: Article, seen_at: str, capture_id: int | None,
             extractor: str | None) -> None:
        found = boilerplate.blocks(a.text)
        template = self._template(site).intersection(found)
        text = boilerplate.clean(a.text, template, self._overrides(site))
        words = a.word_count if text == a.text else count_words(text)
        row = (a.url, site, a.title, a.author, a.published, a.modified, a.date_source,
               a.language, a.description, a.image, a.sitename,
               json.dumps(a.categories, ensure_ascii=False),
               json.dumps(a.tags, ensure_ascii=False), text, words, a.content_hash,
               a.fetched_url, seen_at, seen_at, raw_or_none(a.text, text), capture_id, extractor,
               a.paywalled)
        self.pending.append(_Pending(site, a.url, a.text, text, found, template, row))

    def flush(self) -> None:
        """Write what is pending: inserts, block counts, template, re-cleaning, touches."""
        if self.pending:
            self._insert(self.pending)
            self.pending = []
        self.templates = {}
        if self.touched:
            self.conn.executemany(_TOUCH_SQL, self.touched)
            self.touched = []

    def _insert(self, pending: list[_Pending]) -> None:
        insert_rows(self.conn, [p.row for p in pending])
        ids: dict[str, int] = {}
        for i in range(0, len(pending), _LOOKUP_CHUNK):
            chunk = [p.url for p in pending[i:i + _LOOKUP_CHUNK]]
            ids.update(self.conn.execute(
                f"SELECT url, id FROM articles WHERE url IN ({', '.join('?' for _ in chunk)})",
                chunk))
        new_ids = set(ids.values())
        stale: dict[int, set[str]] = {}  # blocks left by a deleted article whose id was reused
        for article_id, key in self.conn.execute(
                "SELECT article_id, key FROM article_blocks WHERE article_id BETWEEN ? AND ?",
                (min(new_ids), max(new_ids))):
            if article_id in new_ids:
                stale.setdefault(article_id, set()).add(key)
        # (site, key) -> [change in its count, the lines of its first two new articles here]
        counts: dict[tuple[str, str], list] = {}
        added: list[tuple[int, str, str]] = []
        gone: list[tuple[int, str]] = []
        for p in pending:
            article_id = ids[p.url]
            old = stale.get(article_id, set())
            for key in old - p.blocks.keys():
                gone.append((article_id, key))
                counts.setdefault((p.site, key), [0])[0] -= 1
            for key, line in p.blocks.items():
                if key not in old:
                    added.append((article_id, p.site, key))
                    count = counts.setdefault((p.site, key), [0])
                    count[0] += 1
                    if len(count) < 3:
                        count.append(line)
        self.conn.executemany("DELETE FROM article_blocks WHERE article_id = ? AND key = ?", gone)
        self.conn.executemany(
            "INSERT INTO article_blocks (article_id, site, key) VALUES (?, ?, ?)", added)
        rows: list[tuple[str, str, str | None, int]] = []
        for site in dict.fromkeys(p.site for p in pending):
            now = self.store._count_blocks(site, [k for s, k in counts if s == site])
            for key, n in now.items():
                change, *lines = counts[site, key]
                before = n - change
                if n >= 2 or before >= 2:
                    # its line as its second article has it, when that article is in this batch
                    second = 1 - before
                    line = lines[second] if 0 <= second < len(lines) else None
                    rows.append((site, key, line, n))
            rows += [(s, k, None, 0) for (s, k), (change, *_) in counts.items()
                     if s == site and k not in now and change < 0]
        self.store._write_block_counts(rows)
        recleaned: list[tuple[str, int, str | None, int]] = []
        for site in dict.fromkeys(p.site for p in pending):
            changed = self.store._retemplate(site)
            if not changed:
                continue
            template = self.store._template_keys(site)
            overrides = self._overrides(site)
            for p in pending:
                now = template.intersection(p.blocks)
                if p.site != site or now == p.cleaned_by:
                    continue
                text = boilerplate.clean(p.raw, now, overrides)
                if text != p.text:
                    recleaned.append((text, count_words(text), raw_or_none(p.raw, text),
                                      ids[p.url]))
            earlier: set[int] = set()
            for key in changed:
                earlier.update(i for (i,) in self.conn.execute(
                    "SELECT article_id FROM article_blocks WHERE site = ? AND key = ?",
                    (site, key)))
            for article_id in sorted(earlier - new_ids):
                self.store._clean(article_id, overrides)
        self.conn.executemany("UPDATE articles SET text = ?, word_count = ?, raw_text = ? "
                              "WHERE id = ?", recleaned)
