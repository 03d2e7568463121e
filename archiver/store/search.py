"""Finding articles: ranked full-text search with snippets, the filtered streams an export
reads, and the upkeep of the full-text index's segments.

What the index holds and what a query becomes are `search_text`'s (pure Python); this module
runs them against the archive.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from archiver.store import search_index, search_text
from archiver.store.core import LOOKUP_CHUNK, Core, Part, marks

logger = logging.getLogger(__name__)

#: A run that wrote at least 1/BULK_SHARE of the archive's articles gets its search index
#: rewritten in one segment; a smaller one, a bounded merge (`FullText.tidy_search_index`).
BULK_SHARE = 4
#: Pages of index a small run's merge writes at most (FTS5 pages are 4 KB by default).
MERGE_PAGES = 500
#: Seconds a Store keeps the archive's list of languages (which stemmers a query uses).
LANGUAGES_TTL = 30.0


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


def article_filters(site: str | None, since: str | None,
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


class FullText(Part):
    """`articles_fts` and `search_forms`, read."""

    def __init__(self, core: Core) -> None:
        super().__init__(core)
        self._languages: tuple[float, list[str | None]] | None = None  #: (read at, languages)

    def languages(self) -> list[str | None]:
        """The languages of the archive's articles (None for undetected), by seeks of the
        `language` index, read again after LANGUAGES_TTL seconds; just None before the
        multilingual migration (m980)."""
        if self._languages is not None and \
                time.monotonic() - self._languages[0] < LANGUAGES_TTL:
            return self._languages[1]
        if not self._multilingual():
            return [None]
        found: list[str | None] = [row[0] for row in self.conn.execute(
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
        where, params = article_filters(site, since, until)
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
        with self.core.errors("search failed", query=original):
            top_rows = self.conn.execute(top, params).fetchall()
            found = self._hits(query, [rowid for rowid, _ in top_rows], original)
            for rowid, rank in top_rows:
                if rowid in found:  # else deleted since (a writer works alongside)
                    rows.append((*found[rowid], rank))
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
        if len(rowids) > LOOKUP_CHUNK:
            return {**self._hits(query, rowids[:LOOKUP_CHUNK], original),
                    **self._hits(query, rowids[LOOKUP_CHUNK:], original)}
        if not rowids:
            return {}
        snippet = "snippet(articles_fts, 2, '[', ']', '…', 16)"
        if "*" in query:
            snippets = dict(self.conn.execute(
                f"SELECT rowid, {snippet} FROM articles_fts WHERE articles_fts MATCH ? "
                f"AND rowid BETWEEN ? AND ? AND +rowid IN ({marks(rowids)})",
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
                f"FROM articles a WHERE id IN ({marks(rowids)})", rowids):
            if rowid in snippets:
                snip = snippets[rowid]
                if search_text.has_unspaced(text):
                    snip = search_text.snippet(text, language, original, width=90)
                hits[rowid] = (*rest, snip)
        return hits

    # -- the filtered streams of an export -------------------------------------------------

    def _filtered(self, site: str | None, since: str | None, until: str | None,
                  match: str | None) -> tuple[str, dict[str, Any]]:
        where, params = article_filters(site, since, until)
        if match:
            where.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q)")
            params["q"] = match
        return (" WHERE " + " AND ".join(where) if where else ""), params

    def count_articles(self, *, site: str | None = None, since: str | None = None,
                       until: str | None = None, query: str | None = None) -> int:
        """How many articles `iter_articles` would stream (a progress bar's total): the same
        filter, the query rewritten the same way."""
        where, params = self._filtered(site, since, until,
                                       self.match_expression(query) if query else None)
        with self.core.errors("export failed", query=query or None):
            return int(self.conn.execute("SELECT count(*) FROM articles a" + where,
                                         params).fetchone()[0])

    def iter_articles(self, *, site: str | None = None, since: str | None = None,
                      until: str | None = None, query: str | None = None
                      ) -> Iterator[dict[str, Any]]:
        """Articles streamed one at a time (constant memory), oldest id first.

        Filters as in `search`: published on or after `since`, on or before `until`, and an
        FTS5 `query` (QueryError when FTS5 cannot parse it).
        """
        where, params = self._filtered(site, since, until,
                                       self.match_expression(query) if query else None)
        with self.core.errors("export failed", query=query or None):
            cur = self.conn.execute("SELECT a.* FROM articles a" + where + " ORDER BY a.id",
                                    params)
            names = [d[0] for d in cur.description]
            for values in cur:
                row = dict(zip(names, values, strict=True))
                for key in ("categories", "tags"):
                    row[key] = json.loads(row[key]) if row[key] else []
                yield row

    # -- index upkeep ----------------------------------------------------------------------

    def index_segments(self) -> int:
        """How many b-tree segments the full-text index has (a query reads every one)."""
        return search_index.index_segments(self.conn)

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
            with self.core.transaction():
                total = self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                if added * BULK_SHARE >= total:
                    self.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('optimize')")
                else:
                    self.conn.execute("INSERT INTO articles_fts(articles_fts, rank) "
                                      "VALUES('merge', ?)", (-MERGE_PAGES,))
        except sqlite3.DatabaseError as exc:  # upkeep: logged, never a StoreError
            logger.warning("%s: search index not merged (%s); the next run or `archiver "
                           "optimize` merges it", self.core.path, exc)
            return False
        return True

    def optimize_search_index(self) -> tuple[int, int]:
        """Rewrite the full-text index into one segment; its segment count before and after.

        First re-derives every article's language-aware index forms, so rows another program
        wrote (indexed as written by the plain-SQL triggers) get their stems and bigrams.
        """
        with self.core.errors("cannot optimize the search index"):
            before = self.index_segments()
            with self.core.transaction():
                search_index.refresh_search_forms(
                    self.conn, [row[0] for row in self.conn.execute("SELECT id FROM articles")])
                self.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('optimize')")
            return before, self.index_segments()
