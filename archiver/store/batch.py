"""Saving many articles at once, inside the caller's transaction: what every save path runs
(a crawl's page, a writer's batch, an import), and what makes a bulk store fast.

New articles are inserted with multi-row INSERTs (`insert_rows`; already cleaned by the
site's current template, so FTS indexes each once), their ids fetched in one SELECT, and their
blocks learned together (`SiteTemplates.learn_new`); unchanged rows are touched with one
executemany. The outcome and the final rows are those of `ArticleRows.save` row by row: the
template an article ends with depends only on the final counts, and articles whose template
changed are re-cleaned, in the batch or before it. A row whose text changed (a revision, or
template drift) needs the template as of that row: what is pending is flushed first, then it
takes `ArticleRows.save`.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from archiver.extract import boilerplate, template
from archiver.extract.page import Article
from archiver.store.core import Core, chunks, marks
from archiver.store.templates import NewArticle, SiteTemplates

if TYPE_CHECKING:
    from archiver.store.articles import ArticleRows
    from archiver.store.skipped import SkippedPages

Outcome = Literal["new", "updated", "unchanged"]
#: (site, article, seen_at, capture_id, extractor): one article to save.
SaveRow = tuple[str, Article, str, int | None, str | None]

INSERT_COLUMNS = ("url", "site", "title", "author", "published", "modified", "date_source",
                  "language", "description", "image", "sitename", "categories", "tags", "text",
                  "word_count", "content_hash", "fetched_url", "first_seen", "last_seen",
                  "raw_text", "capture_id", "extractor_version", "paywalled")
_INSERT_SQL = f"INSERT INTO articles ({', '.join(INSERT_COLUMNS)}) VALUES "
_INSERT_ROW = f"({marks(INSERT_COLUMNS)})"
BULK_ROWS = 100  #: a save of this many rows or more is a bulk write (`Batch.save`)
BULK_CACHE_KIB = 65536  #: its page cache
_TOUCH_SQL = ("UPDATE articles SET last_seen = ?, capture_id = coalesce(?, capture_id), "
              "extractor_version = coalesce(?, extractor_version) WHERE url = ?")


def insert_rows(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Insert new article rows (`INSERT_COLUMNS` order) with as few statements as SQLite's
    limit on host parameters allows.

    Not one `executemany`: FTS5 writes the rows it has buffered to disk as a new index segment
    whenever a statement that writes it begins (its xSavepoint), so a row-per-statement insert
    leaves one tiny segment per article for its automerge to merge again and again; one
    statement per batch leaves one. bench/storebench.py: 100k articles stored about twice as
    fast (tests/warc/test_speed_paths.py counts the statements).
    """
    per = max(1, min(len(rows), conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
                     // len(INSERT_COLUMNS)))
    for chunk in chunks(rows, per):
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


class Batch:
    """One save of many rows, inside the caller's transaction (see the module docstring)."""

    def __init__(self, core: Core, articles: ArticleRows, templates: SiteTemplates,
                 skipped: SkippedPages) -> None:
        self.core = core
        self.conn = core.conn
        self.articles = articles
        self.templates = templates
        self.skipped = skipped
        self.known: dict[str, str] = {}  # url -> content_hash stored (or pending)
        self.pending: list[_Pending] = []
        self.touched: list[tuple[str, int | None, str | None, str]] = []
        self.site_template: dict[str, set[str]] = {}  # site -> template keys, until a flush
        self.overrides: dict[str, boilerplate.Overrides] = {}

    def save(self, rows: list[SaveRow]) -> list[Outcome]:
        if len(rows) >= BULK_ROWS:
            # A bulk write counts its blocks under hash keys, i.e. all over two indexes: with
            # SQLite's default 2 MiB page cache much of its time went to re-reading and
            # re-writing the same index pages (bench/storebench.py: about 7% of a 100k import).
            # A connection that writes in bulk keeps a larger cache; a crawl's, saving page by
            # page, stays small.
            self.core.raise_cache(BULK_CACHE_KIB)
        urls = list(dict.fromkeys(a.url for _, a, _, _, _ in rows))
        for chunk in chunks(urls):
            self.known.update(self.conn.execute(
                f"SELECT url, content_hash FROM articles WHERE url IN ({marks(chunk)})", chunk))
        outcomes: list[Outcome] = []
        self.skipped.unskip([u for _, a, _, _, _ in rows for u in (a.url, a.fetched_url)])
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
                outcomes.append(self.articles.save(site, a, seen_at))
                if capture_id is not None or extractor is not None:
                    self.articles.link_capture(a.url, capture_id, extractor)
            self.known[a.url] = a.content_hash
        self.flush()
        return outcomes

    def _template(self, site: str) -> set[str]:
        if site not in self.site_template:
            self.site_template[site] = self.templates.template_keys(site)
        return self.site_template[site]

    def _overrides(self, site: str) -> boilerplate.Overrides:
        if site not in self.overrides:
            self.overrides[site] = self.templates.rules.overrides(site)
        return self.overrides[site]

    def _add(self, site: str, a: Article, seen_at: str, capture_id: int | None,
             extractor: str | None) -> None:
        found = boilerplate.blocks(a.text)
        keys = self._template(site).intersection(found)
        out = template.cleaned(a.text, keys, self._overrides(site), a.word_count)
        row = (a.url, site, a.title, a.author, a.published, a.modified, a.date_source,
               a.language, a.description, a.image, a.sitename,
               json.dumps(a.categories, ensure_ascii=False),
               json.dumps(a.tags, ensure_ascii=False), out.text, out.word_count, a.content_hash,
               a.fetched_url, seen_at, seen_at, out.raw_text, capture_id, extractor,
               a.paywalled)
        self.pending.append(_Pending(site, a.url, a.text, out.text, found, keys, row))

    def flush(self) -> None:
        """Write what is pending: inserts, block counts, template, re-cleaning, touches."""
        if self.pending:
            self._insert(self.pending)
            self.pending = []
        self.site_template = {}
        if self.touched:
            self.conn.executemany(_TOUCH_SQL, self.touched)
            self.touched = []

    def _insert(self, pending: list[_Pending]) -> None:
        insert_rows(self.conn, [p.row for p in pending])
        ids: dict[str, int] = {}
        for chunk in chunks([p.url for p in pending]):
            ids.update(self.conn.execute(
                f"SELECT url, id FROM articles WHERE url IN ({marks(chunk)})", chunk))
        self.templates.learn_new(
            [NewArticle(p.site, ids[p.url], p.raw, p.text, p.blocks, p.cleaned_by)
             for p in pending], self._overrides)
