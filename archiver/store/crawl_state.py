"""A local crawl's state in the archive: when each archived URL is due again and with which
validators (`url_state`), why a crawl looked again (`revisits`), and the URLs discovered but
not yet dealt with (`frontier`), so a killed crawl resumes where it stopped (issue #4)."""

from __future__ import annotations

import json
from typing import Any

from archiver.extract.page import Article
from archiver.store.articles import ArticleRows
from archiver.store.batch import Outcome
from archiver.store.clock import now_iso
from archiver.store.core import Core, Part
from archiver.store.schedule import is_due, next_check
from archiver.store.skipped import SkippedPages

#: An archived article's URL (requested or final) after a fetch: its validators and next look.
_UPSERT_FETCHED = (
    "INSERT INTO url_state (url, site, article_url, etag, last_modified, last_checked, "
    "next_check, checks) VALUES (?, ?, ?, ?, ?, ?, ?, 1) "
    "ON CONFLICT(url) DO UPDATE SET site = excluded.site, "
    "article_url = excluded.article_url, etag = excluded.etag, "
    "last_modified = excluded.last_modified, last_checked = excluded.last_checked, "
    "next_check = excluded.next_check, checks = coalesce(url_state.checks, 0) + 1")
#: The archived article a URL leads to (itself, when no url_state row names another).
_ARTICLE_OF = "coalesce((SELECT article_url FROM url_state WHERE url = ?), ?)"


class CrawlState(Part):
    """`url_state`, `revisits` and `frontier`."""

    def __init__(self, core: Core, articles: ArticleRows, skipped: SkippedPages) -> None:
        super().__init__(core)
        self.articles = articles
        self.skipped = skipped

    def _fetched(self, site: str, url: str, requested_url: str, seen_at: str,
                 etag: str | None, last_modified: str | None,
                 schedule: tuple[int, ...] | list[int]) -> list[str] | None:
        """Note a fetch of the archived article at `url` (requested as `requested_url`) in
        `url_state`, inside the caller's transaction; the URLs noted (None: not archived)."""
        row = self.conn.execute("SELECT first_seen, published FROM articles WHERE url = ?",
                                (url,)).fetchone()
        if row is None:
            return None
        due = next_check(row[0], row[1], seen_at, tuple(schedule))
        urls = list({requested_url, url})
        self.conn.executemany(_UPSERT_FETCHED, [(u, site, url, etag, last_modified, seen_at, due)
                                                for u in urls])
        return urls

    def save_page(self, site: str, article: Article, seen_at: str, *, requested_url: str,
                  etag: str | None = None, last_modified: str | None = None,
                  schedule: tuple[int, ...] = (), capture_id: int | None = None,
                  extractor: str | None = None) -> Outcome:
        """Store a fetched article with its revisit state, and take its URL off the frontier.

        One transaction: a crawl killed at any moment leaves either all of it or none.
        """
        with self.core.writing("store article"):
            # The batch path with one row: a new article is indexed once, already cleaned.
            (outcome,) = self.articles.save_batch(
                [(site, article, seen_at, capture_id, extractor)])
            self.skipped.unskip([requested_url])
            urls = self._fetched(site, article.url, requested_url, seen_at, etag,
                                 last_modified, schedule) or []
            self.conn.executemany("DELETE FROM frontier WHERE url = ?", [(u,) for u in urls])
        return outcome

    def record_pages(self, pages: list[dict[str, Any]]) -> None:
        """The revisit state of stored worker articles, in one transaction (see `save_page`).

        Each page: `url` (the article's), `requested_url`, `site`, `seen_at`, `etag`,
        `last_modified`, `schedule` (revisit ages in seconds), `capture_id` (or None).
        """
        with self.core.writing("store revisit state"):
            self.skipped.unskip([p["requested_url"] for p in pages])
            for p in pages:
                if p.get("capture_id") is not None:
                    self.articles.link_capture(p["url"], p["capture_id"], None)
                self._fetched(p["site"], p["url"], p["requested_url"], p["seen_at"], p["etag"],
                              p["last_modified"], p["schedule"])

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
        self.core.write("record a revisit",
                        "INSERT INTO revisits (article_url, url, site, run_id, requested, "
                        f"reason, site_modified) SELECT {_ARTICLE_OF}, ?, ?, ?, ?, ?, ?",
                        (url, url, url, site, run_id, now_iso(), reason, site_modified))

    def revisits(self, url: str) -> list[dict[str, Any]]:
        """The recorded revisits of an article (by its URL or one it was fetched from); none
        in an archive no crawl has opened since revisits were recorded (read-only opens do
        not migrate)."""
        if not self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'revisits'"
                                 ).fetchone():
            return []
        return self.core.dicts(
            "SELECT requested, reason, site_modified, run_id FROM revisits "
            f"WHERE article_url = {_ARTICLE_OF} ORDER BY requested, id", (url, url))

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
        self.core.write("remember validators",
                        "INSERT INTO url_state (url, site, etag, last_modified, last_checked, "
                        "checks) VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT(url) DO UPDATE SET "
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
        self.core.write("update revisit state",
                        "UPDATE url_state SET last_checked = ?, next_check = ?, "
                        "checks = coalesce(checks, 0) + 1 WHERE url = ?",
                        (checked_at, next_check(row[0], row[1], checked_at, schedule), url))

    def mark_not_modified(self, url: str, seen_at: str, schedule: tuple[int, ...], *,
                          etag: str | None = None, last_modified: str | None = None) -> bool:
        """A revisit answered 304: the article was seen unchanged. False if none is archived."""
        with self.core.writing("record a 304"):
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
        return True

    # -- frontier --------------------------------------------------------------------------

    def frontier_add(self, site: str, url: str, role: str, hops: int | None,
                     hints: dict[str, Any] | None = None) -> None:
        """Remember a discovered URL until it has been dealt with (survives a killed crawl)."""
        self.core.write("add to the frontier",
                        "INSERT INTO frontier (url, site, role, hops, hints, discovered) "
                        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO NOTHING",
                        (url, site, role, hops, json.dumps(hints or {}, ensure_ascii=False),
                         now_iso()))

    def frontier_done(self, url: str) -> None:
        """Take a URL off the frontier: it was stored, skipped for good, or given up on."""
        self.core.write("update the frontier", "DELETE FROM frontier WHERE url = ?", (url,))

    def frontier_attempt(self, url: str) -> int:
        """Count one more attempt at a frontier URL; return how many there have been."""
        self.core.write("update the frontier",
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
