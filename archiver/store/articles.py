"""Articles and their revisions: saving (one by one, in batches, restored from a capture) and
reading them back.

The URL is an article's identity: a second fetch of the same story updates `last_seen`, and
rewrites the row only when its content changed, keeping the old version in `revisions`.
`text` is the extracted text without the site's learned template (`SiteTemplates`); the FTS
triggers follow the row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from archiver.extract import boilerplate
from archiver.extract.page import Article, content_hash
from archiver.store.batch import Batch, Outcome, SaveRow
from archiver.store.clock import now_iso
from archiver.store.core import Core, Part, as_dicts
from archiver.store.skipped import SkippedPages
from archiver.store.templates import SiteTemplates

#: Columns `restore_article` never rewrites when the raw text is unchanged: the identity, the
#: capture time, and the text and word count, which are the cleaned ones already.
_RESTORE_KEEP = ("url", "t", "title", "text", "word_count", "content_hash")


def _values(site: str, a: Article) -> dict[str, Any]:
    """The article's columns as a save writes them (its text before cleaning)."""
    return {
        "url": a.url, "site": site, "title": a.title, "author": a.author,
        "published": a.published, "modified": a.modified, "date_source": a.date_source,
        "language": a.language, "description": a.description, "image": a.image,
        "sitename": a.sitename, "categories": json.dumps(a.categories, ensure_ascii=False),
        "tags": json.dumps(a.tags, ensure_ascii=False), "text": a.text,
        "word_count": a.word_count, "content_hash": a.content_hash,
        "fetched_url": a.fetched_url,
    }


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    """An article row with its JSON fields decoded."""
    for key in ("categories", "tags"):
        row[key] = json.loads(row[key]) if row[key] else []
    return row


class ArticleRows(Part):
    """`articles` and `revisions`."""

    def __init__(self, core: Core, templates: SiteTemplates, skipped: SkippedPages) -> None:
        super().__init__(core)
        self.templates = templates
        self.skipped = skipped

    # -- writing ---------------------------------------------------------------------------

    def save_batch(self, rows: list[SaveRow]) -> list[Outcome]:
        """Save rows inside the caller's transaction, a batch at a time (`Batch`)."""
        return Batch(self.core, self, self.templates, self.skipped).save(rows)

    def save_articles(self, site: str, articles: Iterable[Article],
                      seen_at: str | None = None, *, capture_id: int | None = None,
                      extractor: str | None = None,
                      overrides: boilerplate.Overrides | None = None) -> list[Outcome]:
        """Upsert articles in one transaction; say for each whether it was new, updated or not.

        The URL is the identity: a second fetch of the same story updates `last_seen`, and
        rewrites the row only when its content changed. FTS follows through the triggers.
        `text` is the extracted text without the site's learned template blocks (see
        `SiteTemplates.learn`); `raw_text` keeps the extracted text when that removed
        something (else NULL: it is `text`, and a second copy would double the archive's
        size). `overrides` (keep/drop rules) are remembered per site.
        """
        seen_at = seen_at or now_iso()
        with self.core.writing("store articles"):
            if overrides is not None:
                self.templates.rules.set_overrides(site, overrides)
            return self.save_batch([(site, a, seen_at, capture_id, extractor)
                                    for a in articles])

    def save_many(self, rows: Iterable[tuple[str, Article, str, str | None]]) -> list[Outcome]:
        """Upsert (site, article, seen_at, extractor) rows in one transaction: a writer's batch.

        Upserting by URL makes a repeated row harmless, which is what turns the Redis queue's
        at-least-once delivery into exactly one article per URL.
        """
        with self.core.writing("store articles"):
            return self.save_batch([(site, article, seen_at, None, extractor)
                                    for site, article, seen_at, extractor in rows])

    def save(self, site: str, a: Article, seen_at: str) -> Outcome:
        """Save one article row by row (inside the caller's transaction)."""
        row = self.conn.execute("SELECT content_hash, id FROM articles WHERE url = ?",
                                (a.url,)).fetchone()
        values = {**_values(site, a), "last_seen": seen_at, "paywalled": a.paywalled}
        if row is None:
            values["first_seen"] = seen_at
            texts, block_map = self.templates.precleaned(site, a)
            values.update(texts)
            cols = ", ".join(values)
            cur = self.conn.execute(
                f"INSERT INTO articles ({cols}) VALUES ({', '.join(':' + c for c in values)})",
                values)
            self.templates.learn(site, int(cur.lastrowid or 0), a.text, block_map=block_map)
            return "new"
        if row[0] == a.content_hash:
            self.conn.execute("UPDATE articles SET last_seen = ? WHERE url = ?", (seen_at, a.url))
            return "unchanged"
        if self._only_template_drift(site, a):
            # Only the site's template moved (a fund total, a promo's date): the story did not
            # change, so no revision; keep the new raw text and its hash for the next compare.
            self.conn.execute("UPDATE articles SET last_seen = ?, content_hash = ? WHERE url = ?",
                              (seen_at, a.content_hash, a.url))
            self.templates.learn(site, row[1], a.text)
            return "unchanged"
        self._keep_revision(a.url)
        values["last_changed"] = seen_at
        texts, block_map = self.templates.precleaned(site, a)
        values.update(texts)
        sets = ", ".join(f"{c} = :{c}" for c in values if c != "url")
        self.conn.execute(f"UPDATE articles SET {sets}, revision_count = revision_count + 1 "
                          "WHERE url = :url", values)
        self.templates.learn(site, row[1], a.text, block_map=block_map)
        return "updated"

    def _only_template_drift(self, site: str, a: Article) -> bool:
        """True when the new version, cleaned of the site's learned template, is the stored one."""
        stored = self.conn.execute("SELECT title, text FROM articles WHERE url = ?",
                                   (a.url,)).fetchone()
        keys = self.templates.template_keys(site)
        if stored is None or not keys:
            return False
        cleaned = boilerplate.clean(a.text, keys, self.templates.rules.overrides(site))
        return content_hash(a.title, cleaned) == content_hash(stored[0], stored[1])

    def _keep_revision(self, url: str) -> None:
        """Copy an article's stored version into `revisions` before it is overwritten."""
        self.conn.execute(
            "INSERT INTO revisions (article_id, url, fetched_at, title, text, content_hash) "
            "SELECT id, url, coalesce(last_changed, first_seen), title, text, content_hash "
            "FROM articles WHERE url = ?", (url,))

    def link_capture(self, url: str, capture_id: int | None, extractor: str | None) -> None:
        """Point an article at the capture it was just extracted from, and by which code."""
        self.conn.execute(
            "UPDATE articles SET capture_id = coalesce(?, capture_id), "
            "extractor_version = coalesce(?, extractor_version) WHERE url = ?",
            (capture_id, extractor, url))

    def restore_article(self, site: str, a: Article, *, fetched_at: str, capture_id: int,
                        extractor: str) -> Outcome:
        """Store a re-extracted article in place: not a new revision, no new sighting.

        A missing row comes back with the capture's time as first and last seen; an existing
        row gets the new extraction, keeps its first/last seen (widened to this capture's
        time), and points at this capture when it is the latest one.
        """
        values = {**_values(site, a), "extractor_version": extractor, "capture_id": capture_id,
                  "paywalled": a.paywalled, "t": fetched_at}
        meta = [c for c in values if c not in _RESTORE_KEEP]
        with self.core.writing("store article"):
            self.skipped.unskip([a.url, a.fetched_url], capture_id=capture_id)
            row = self.conn.execute(
                "SELECT a.content_hash, c.fetched_at, a.id, "
                "EXISTS (SELECT 1 FROM article_blocks b WHERE b.article_id = a.id), "
                + ", ".join(f"a.{c}" for c in meta) + " FROM articles a "
                "LEFT JOIN captures c ON c.id = a.capture_id WHERE a.url = ?",
                (a.url,)).fetchone()
            if row is None:
                texts, block_map = self.templates.precleaned(site, a)
                values = {**values, **texts}
                cols = [c for c in values if c != "t"]
                cur = self.conn.execute(
                    f"INSERT INTO articles ({', '.join(cols)}, first_seen, last_seen) "
                    f"VALUES ({', '.join(':' + c for c in cols)}, :t, :t)", values)
                self.templates.learn(site, int(cur.lastrowid or 0), a.text,
                                     block_map=block_map)
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
                changed = [c for c, old in zip(meta, row[4:], strict=True) if values[c] != old]
                sets = "".join(f"{c} = :{c}, " for c in changed)
                self.conn.execute(
                    f"UPDATE articles SET {sets}first_seen = min(first_seen, :t), "
                    "last_seen = max(last_seen, :t) WHERE url = :url", values)
                self.templates.clean(row[2], self.templates.rules.overrides(site))
                return "unchanged"
            # New text: written once, already cleaned (see `SiteTemplates.precleaned`).
            texts, block_map = self.templates.precleaned(site, a)
            values = {**values, **texts}
            sets = ", ".join(f"{c} = :{c}" for c in values if c not in ("url", "t"))
            self.conn.execute(
                f"UPDATE articles SET {sets}, first_seen = min(first_seen, :t), "
                "last_seen = max(last_seen, :t) WHERE url = :url", values)
            self.templates.learn(site, row[2], a.text, block_map=block_map)
            return "unchanged" if row[0] == a.content_hash else "updated"

    # -- reading ---------------------------------------------------------------------------

    def count(self, site: str | None = None) -> int:
        if site:
            return self.conn.execute("SELECT count(*) FROM articles WHERE site = ?",
                                     (site,)).fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    def articles(self, site: str | None = None) -> list[dict[str, Any]]:
        """All articles (of one site), newest first, as dicts with JSON fields decoded."""
        sql = "SELECT * FROM articles" + (" WHERE site = ?" if site else "")
        sql += " ORDER BY published DESC, id"
        return [_decoded(row) for row in as_dicts(self.conn.execute(sql,
                                                                    (site,) if site else ()))]

    def article_columns(self) -> list[str]:
        """The columns of `articles`, in table order."""
        return [r[1] for r in self.conn.execute("PRAGMA table_info(articles)")]

    def versions(self, url: str) -> list[dict[str, Any]]:
        """Every stored version of an article, oldest first (the last is the current row).

        Finds the article by its URL, or by any URL it was fetched from.
        """
        found = self.core.dicts(
            "SELECT id FROM articles WHERE url = ? UNION ALL "
            "SELECT a.id FROM url_state s JOIN articles a ON a.url = s.article_url "
            "WHERE s.url = ? LIMIT 1", (url, url))
        if not found:
            return []
        article_id = found[0]["id"]
        old = self.core.dicts(
            "SELECT url, fetched_at, title, text, content_hash FROM revisions "
            "WHERE article_id = ? ORDER BY fetched_at, id", (article_id,))
        current = self.core.dicts(
            "SELECT url, coalesce(last_changed, first_seen) AS fetched_at, title, text, "
            "content_hash FROM articles WHERE id = ?", (article_id,))
        return old + current
