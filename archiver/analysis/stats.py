"""Summarises the archive's health per site, for people (a table) and monitors (JSON).

The figures come from `articles`, and from `runs`, `fetch_log` and `skipped_pages` when a
crawl has created them: a site that stops publishing, a run that failed, a rising error count
and pages judged not to be articles should be visible without writing SQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from archiver.errors import StoreError
from archiver.store import clock
from archiver.store.archive import Store

#: How far back fetch failures count as "recent".
ERROR_WINDOW = timedelta(days=7)


@dataclass
class SiteStats:
    """One site's line in `archiver stats`."""

    site: str
    articles: int
    first_published: str | None
    last_published: str | None
    published_24h: int
    published_7d: int
    archived_24h: int
    archived_7d: int
    last_seen: str | None
    last_run: str | None = None
    last_run_status: str | None = None
    errors_7d: int | None = None
    #: fetched pages judged not to be articles (`skipped_pages`), by reason
    skipped: dict[str, int] = field(default_factory=dict)


@dataclass
class ArchiveStats:
    """Everything `archiver stats` reports; `to_dict()` is the `--format json` document."""

    db: str
    generated: str
    sites: list[SiteStats]
    has_runs: bool
    has_fetch_log: bool
    errors_7d_unattributed: int | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def render(self) -> str:
        """A fixed-width table, one line per site, then notes."""
        headers = ["site", "articles", "first published", "last published", "pub 24h",
                   "pub 7d", "new 24h", "new 7d", "last run", "status", "errors 7d", "skipped"]
        rows = [[s.site, str(s.articles), _day(s.first_published), _day(s.last_published),
                 str(s.published_24h), str(s.published_7d), str(s.archived_24h),
                 str(s.archived_7d), _minute(s.last_run), s.last_run_status or "-",
                 "-" if s.errors_7d is None else str(s.errors_7d),
                 str(sum(s.skipped.values()))] for s in self.sites]
        widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
                  for i, h in enumerate(headers)]
        lines = [f"archive: {self.db} ({sum(s.articles for s in self.sites)} articles, "
                 f"{len(self.sites)} sites) at {_minute(self.generated)} UTC"]
        for row in [headers, *rows]:
            lines.append("  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                                   for i, (v, w) in enumerate(zip(row, widths, strict=True))))
        if not self.sites:
            lines.append("(no articles yet)")
        skipped = [s for s in self.sites if s.skipped]
        if skipped:
            lines.append("skipped pages (fetched, not archived as articles), by reason:")
            lines.extend(f"  {s.site}: " + ", ".join(f"{k} {v}" for k, v in
                                                     sorted(s.skipped.items()))
                         for s in skipped)
        if self.errors_7d_unattributed:
            lines.append(f"fetch errors in the last 7 days not attributed to a site: "
                         f"{self.errors_7d_unattributed}")
        lines.extend(self.notes)
        return "\n".join(lines)


def _day(value: str | None) -> str:
    return (value or "-")[:10]


def _minute(value: str | None) -> str:
    return (value or "-")[:16].replace("T", " ")


def _run_sites(value: Any) -> list[str] | None:
    """A run's `sites` column as a list; None means "every site" (empty or missing)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                decoded = json.loads(text)
            except ValueError:
                decoded = None
            if isinstance(decoded, list):
                return [str(v) for v in decoded] or None
        return [s.strip() for s in text.split(",") if s.strip()] or None
    return None


@contextmanager
def open_archive(db_path: str | Path) -> Iterator[tuple[Store, dict[str, list[str]]]]:
    """The archive read-only with its tables; a file that is no archive is a StoreError."""
    try:
        with Store(db_path, readonly=True) as store:
            tables = store.tables()
            if "articles" not in tables:
                raise StoreError(f"{db_path}: not an archive (no articles table)")
            yield store, tables
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{db_path}: cannot read archive: {exc}") from None


def articles_per_day(db_path: str | Path) -> list[tuple[str, str, int]]:
    """(day, site, articles) rows for the coverage chart."""
    with open_archive(db_path) as (store, _):
        return store.articles_per_day()


def collect(db_path: str | Path, *, now: datetime | None = None) -> ArchiveStats:
    """Read the per-site figures from an archive, opened read-only (safe beside a crawl)."""
    now = (now or clock.now()).astimezone(UTC).replace(microsecond=0)
    now_text = now.isoformat()
    with open_archive(db_path) as (store, tables):
        summaries = store.site_summaries(now_text)
        runs = store.recent_runs()
        failures = store.fetch_failures_since((now - ERROR_WINDOW).isoformat())
        origins = store.site_origins()
        skipped = store.skipped_by_site()
    sites = {row["site"]: SiteStats(**row) for row in summaries}
    for name, reasons in skipped.items():  # a site whose every page was skipped shows too
        if name not in sites:
            sites[name] = SiteStats(site=name, articles=0, first_published=None,
                                    last_published=None, published_24h=0, published_7d=0,
                                    archived_24h=0, archived_7d=0, last_seen=None)
        sites[name].skipped = reasons
    has_runs, has_fetch_log = "runs" in tables, "fetch_log" in tables
    notes = []
    if not has_runs:
        notes.append("no `runs` table in this archive: last run and status unknown")
    if not has_fetch_log:
        notes.append("no `fetch_log` table in this archive: error counts unknown")

    run_sites: dict[Any, list[str] | None] = {}
    for run in runs:  # newest first: the first run naming a site is its last run
        covered = _run_sites(run.get("sites"))
        run_sites[run.get("id")] = covered
        for name in covered or list(sites):
            stats = sites.get(name)
            if stats is not None and stats.last_run is None:
                stats.last_run = run.get("started")
                stats.last_run_status = None if run.get("status") is None else str(run["status"])

    unattributed = None
    if has_fetch_log:
        owners = Counter(_attribute(failure, run_sites, origins) for failure in failures)
        for name, stats in sites.items():
            stats.errors_7d = owners[name]
        unattributed = sum(n for owner, n in owners.items() if owner not in sites)
    return ArchiveStats(db=str(db_path), generated=now_text,
                        sites=sorted(sites.values(), key=lambda s: s.site),
                        has_runs=has_runs, has_fetch_log=has_fetch_log,
                        errors_7d_unattributed=unattributed, notes=notes)


def _attribute(failure: dict[str, Any], run_sites: dict[Any, list[str] | None],
               origins: list[tuple[str, str]]) -> str | None:
    """The site a failed URL belongs to: its own column, its one-site run, or its origin."""
    if failure.get("site"):
        return failure["site"]
    covered = run_sites.get(failure.get("run_id"))
    if covered and len(covered) == 1:
        return covered[0]
    url = failure.get("url") or ""
    for site, origin in origins:
        if origin.endswith("/") and url.startswith(origin):
            return site
    return None
