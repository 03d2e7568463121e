"""The archive database: every SQL statement the project runs lives here."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlite_utils import Database

from . import migrations
from .errors import QueryError, StoreError
from .extract import Article

Outcome = Literal["new", "updated", "unchanged"]
BUSY_TIMEOUT_MS = 30_000
#: OperationalError messages that mean the database, not the query, is at fault.
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


def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open the archive with WAL and a busy timeout, so readers and one writer coexist."""
    path = Path(path)
    try:
        if readonly:
            if not path.exists():
                raise StoreError(f"{path}: no such archive (run `archiver crawl` first)")
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
        else:
            if path.parent and not path.parent.exists():
                raise StoreError(f"{path}: folder {path.parent} does not exist")
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot open archive: {exc}") from None
    return conn


class Store:
    """The archive in one SQLite file: articles and their full-text index."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.conn = connect(self.path, readonly=readonly)
        self.db = Database(self.conn)
        if not readonly:
            try:
                migrations.apply(self.db)
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{self.path}: cannot prepare archive: {exc}") from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (BEGIN IMMEDIATE: fail fast on a held write lock)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # -- writing -------------------------------------------------------------------------

    def save_articles(self, site: str, articles: Iterable[Article],
                      seen_at: str | None = None) -> list[Outcome]:
        """Upsert articles in one transaction; say for each whether it was new, updated or not.

        The URL is the identity: a second fetch of the same story updates `last_seen`, and
        rewrites the row only when its content changed. FTS follows through the triggers.
        """
        seen_at = seen_at or now_iso()
        articles = list(articles)
        outcomes: list[Outcome] = []
        try:
            with self.transaction():
                known = self._known_hashes([a.url for a in articles])
                pending: list[dict[str, Any]] = []
                for article in articles:
                    outcomes.append(self._save(site, article, seen_at, known, pending))
                self._insert(pending)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot store articles: {exc}") from None
        return outcomes

    def _known_hashes(self, urls: list[str]) -> dict[str, str]:
        """The stored content hash of each of these URLs the archive already holds."""
        known: dict[str, str] = {}
        for i in range(0, len(urls), 500):
            chunk = urls[i:i + 500]
            marks = ", ".join("?" * len(chunk))
            known.update(self.conn.execute(
                f"SELECT url, content_hash FROM articles WHERE url IN ({marks})", chunk))
        return known

    def _insert(self, pending: list[dict[str, Any]]) -> None:
        """Insert the batch's new rows with one prepared statement (measured: bench/)."""
        if pending:
            cols = ", ".join(pending[0])
            marks = ", ".join(f":{c}" for c in pending[0])
            self.conn.executemany(f"INSERT INTO articles ({cols}) VALUES ({marks})", pending)
            pending.clear()

    def _save(self, site: str, a: Article, seen_at: str, known: dict[str, str],
              pending: list[dict[str, Any]]) -> Outcome:
        values = {
            "url": a.url, "site": site, "title": a.title, "author": a.author,
            "published": a.published, "modified": a.modified, "date_source": a.date_source,
            "language": a.language, "description": a.description, "image": a.image,
            "sitename": a.sitename, "categories": json.dumps(a.categories, ensure_ascii=False),
            "tags": json.dumps(a.tags, ensure_ascii=False), "text": a.text,
            "word_count": a.word_count, "content_hash": a.content_hash,
            "fetched_url": a.fetched_url, "last_seen": seen_at,
        }
        stored = known.get(a.url)
        known[a.url] = a.content_hash
        if stored is None:
            values["first_seen"] = seen_at
            pending.append(values)
            return "new"
        self._insert(pending)  # a URL twice in one batch: its insert goes first
        if stored == a.content_hash:
            self.conn.execute("UPDATE articles SET last_seen = ? WHERE url = ?", (seen_at, a.url))
            return "unchanged"
        sets = ", ".join(f"{c} = :{c}" for c in values if c != "url")
        self.conn.execute(f"UPDATE articles SET {sets} WHERE url = :url", values)
        return "updated"

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

    def search(self, query: str, *, site: str | None = None, since: str | None = None,
               until: str | None = None, limit: int = 20) -> list[SearchHit]:
        """Ranked full-text search (bm25) with a highlighted snippet of the text.

        FTS5 syntax works (phrases, AND/OR/NOT, prefix*); text FTS5 cannot parse raises
        QueryError. Without filters the top rowids are ranked inside the FTS index first and
        only those are joined, which is much faster than sorting the whole join.
        """
        where, params = [], {"q": query, "limit": limit}
        if site:
            where.append("a.site = :site")
            params["site"] = site
        if since:
            where.append("a.published >= :since")
            params["since"] = since
        if until:
            where.append("substr(a.published, 1, 10) <= :until")
            params["until"] = until
        if where:
            top = ("SELECT articles_fts.rowid, bm25(articles_fts) FROM articles_fts "
                   "JOIN articles a ON a.id = articles_fts.rowid "
                   "WHERE articles_fts MATCH :q AND " + " AND ".join(where) +
                   " ORDER BY bm25(articles_fts) LIMIT :limit")
        else:
            top = ("SELECT rowid, bm25(articles_fts) FROM articles_fts "
                   "WHERE articles_fts MATCH :q ORDER BY bm25(articles_fts) LIMIT :limit")
        # Snippets row by row (FTS5 looks a rowid up directly): one join over `rowid IN (top)`
        # re-runs the MATCH over every matching row, 2-15x slower (bench/, issue 8).
        # bm25() rather than `rank`: FTS5 sorts `ORDER BY rank` itself, without the LIMIT.
        hit_sql = """
            SELECT a.url, a.site, a.title, a.author, a.published,
                   snippet(articles_fts, 2, '[', ']', '…', 16) AS snippet
            FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
            WHERE articles_fts MATCH :q AND articles_fts.rowid = :rowid
        """
        rows = []
        try:
            for rowid, rank in self.conn.execute(top, params).fetchall():
                row = self.conn.execute(hit_sql, {"q": query, "rowid": rowid}).fetchone()
                if row is not None:
                    rows.append((*row, rank))
        except sqlite3.OperationalError as exc:
            message = str(exc)
            if any(word in message for word in _STORE_FAILURES):
                raise StoreError(f"{self.path}: search failed: {message}") from None
            raise QueryError(f"cannot parse search query {query!r}: {message} "
                             '(put words in double quotes to search them literally)') from None
        return [SearchHit(*row) for row in rows]
