"""Analysts' summaries of the archive: its tables, articles per day and per site, the
origins of its sites (for `archiver stats` and the coverage chart)."""

from __future__ import annotations

from typing import Any

from archiver.store.core import Part, as_dicts


class Summaries(Part):
    """Reads across `articles` and the schema, never a write."""

    def tables(self) -> dict[str, list[str]]:
        """Every table of the archive with its column names (FTS shadow tables left out)."""
        names = [r[0] for r in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'articles_fts_%' ORDER BY name")]
        return {name: [c[1] for c in self.conn.execute(f"PRAGMA table_xinfo([{name}])")]
                for name in names}

    def articles_per_day(self) -> list[tuple[str, str, int]]:
        """(UTC day, site, articles published that day), oldest first; undated left out."""
        return [(day, site, n) for day, site, n in self.conn.execute(
            "SELECT date(published) AS day, site, count(*) FROM articles "
            "WHERE date(published) IS NOT NULL GROUP BY day, site ORDER BY day, site")]

    def site_summaries(self, now: str) -> list[dict[str, Any]]:
        """Per site: article count, first/last published, published and archived in the
        24 hours and 7 days before `now` (ISO 8601; offsets are honoured via julianday)."""
        return as_dicts(self.conn.execute("""
            SELECT site, count(*) AS articles,
                   min(published) AS first_published, max(published) AS last_published,
                   coalesce(sum(julianday(published) > julianday(:now) - 1), 0) AS published_24h,
                   coalesce(sum(julianday(published) > julianday(:now) - 7), 0) AS published_7d,
                   coalesce(sum(julianday(first_seen) > julianday(:now) - 1), 0) AS archived_24h,
                   coalesce(sum(julianday(first_seen) > julianday(:now) - 7), 0) AS archived_7d,
                   max(last_seen) AS last_seen
            FROM articles GROUP BY site ORDER BY site""", {"now": now}))

    def site_origins(self) -> list[tuple[str, str]]:
        """(site, scheme://host[:port]/) pairs seen in archived URLs, to attribute other URLs."""
        return [(site, origin) for site, origin in self.conn.execute(
            "SELECT DISTINCT site, substr(url, 1, instr(substr(url, 9), '/') + 8) FROM articles")]
