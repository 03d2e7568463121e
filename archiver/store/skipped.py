"""Skipped pages: fetched, judged not to be an article, and kept with why (issue 18: nothing
silently lost). One row per URL, the latest decision; a page archived as an article later
leaves the record (`unskip`)."""

from __future__ import annotations

from typing import Any

from archiver.store.core import Part, chunks, marks


class SkippedPages(Part):
    """`skipped_pages`."""

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
        by_worker = "worker" in self.core.columns("runs")
        with self.core.writing("record skipped pages"):
            recorded = 0
            for p in pages:
                run_id = p.get("run_id")
                if run_id is None and p.get("worker") and by_worker:
                    row = self.conn.execute("SELECT id FROM runs WHERE worker = ?",
                                            (p["worker"],)).fetchone()
                    run_id = row[0] if row else None
                recorded += self._skip(p, run_id)
                self.conn.execute("DELETE FROM frontier WHERE url = ?", (p["url"],))
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
        with self.core.writing("record a skipped page"):
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

    def unskip(self, urls: list[str | None], *, capture_id: int | None = None) -> None:
        """Pages now archived as articles leave the skipped record (by requested or fetched
        URL, or by the capture the article was extracted from), inside the caller's
        transaction."""
        if self.conn.execute("SELECT NOT EXISTS (SELECT 1 FROM skipped_pages)").fetchone()[0]:
            return  # the usual case: one probe of an empty table, no delete per article
        found = list(dict.fromkeys(u for u in urls if u))
        for chunk in chunks(found):
            self.conn.execute(f"DELETE FROM skipped_pages WHERE url IN ({marks(chunk)}) "
                              f"OR fetched_url IN ({marks(chunk)})", [*chunk, *chunk])
        if capture_id is not None:
            self.conn.execute("DELETE FROM skipped_pages WHERE capture_id = ?", (capture_id,))

    def skipped_by_site(self) -> dict[str, dict[str, int]]:
        """Per site, recorded skipped pages by reason (empty for an archive without the table,
        e.g. one opened read-only before a newer version migrated it)."""
        if not self.core.has_table("skipped_pages"):
            return {}
        out: dict[str, dict[str, int]] = {}
        for site, reason, n in self.conn.execute(
                "SELECT site, reason, count(*) FROM skipped_pages GROUP BY site, reason "
                "ORDER BY site, reason"):
            out.setdefault(site, {})[reason] = n
        return out
