"""Run one crawl of the configured sites in this process and summarise what it did."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config
from .errors import ExitCode
from .store import Store

logger = logging.getLogger(__name__)


@dataclass
class SiteSummary:
    """What one site's crawl did, read from its Scrapy stats."""

    site: str
    finish_reason: str = "unknown"
    pages_fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)

    @classmethod
    def from_stats(cls, site: str, stats: dict[str, Any]) -> SiteSummary:
        summary = cls(site=site, finish_reason=str(stats.get("finish_reason", "unknown")))
        for key, value in stats.items():
            if not isinstance(value, int):
                continue
            if key.startswith("archive/fetched/"):
                summary.pages_fetched += value
            elif key.startswith("archive/skipped/"):
                summary.skipped[key.removeprefix("archive/skipped/")] += value
            elif key.startswith("archive/errors/"):
                summary.errors[key.removeprefix("archive/errors/")] += value
        summary.new = stats.get("archive/articles/new", 0)
        summary.updated = stats.get("archive/articles/updated", 0)
        summary.unchanged = stats.get("archive/articles/unchanged", 0)
        if stats.get("memusage/limit_reached"):
            summary.errors["memory_limit"] += 1
        return summary


@dataclass
class CrawlSummary:
    """The whole run: one entry per site, and the exit code it earns."""

    sites: list[SiteSummary]
    db_path: Path
    total_articles: int = 0

    @property
    def exit_code(self) -> ExitCode:
        reasons = {s.finish_reason for s in self.sites}
        if reasons & {"shutdown", "cancelled"}:
            return ExitCode.INTERRUPTED
        if not reasons <= {"finished", "closespider_pagecount", "closespider_timeout",
                           "closespider_itemcount"}:
            return ExitCode.FAILED
        if any(s.errors for s in self.sites):
            return ExitCode.PARTIAL
        return ExitCode.OK

    def render(self) -> str:
        """A one-screen summary for people and for cron mail."""
        lines = [f"archive: {self.db_path} ({self.total_articles} articles)"]
        for s in self.sites:
            lines.append(
                f"site {s.site}: {s.pages_fetched} pages fetched, {s.new} new, "
                f"{s.updated} updated, {s.unchanged} unchanged articles [{s.finish_reason}]"
            )
            if s.skipped:
                skips = ", ".join(f"{k} {v}" for k, v in sorted(s.skipped.items()))
                lines.append(f"  skipped: {skips}")
            if s.errors:
                errs = ", ".join(f"{k} {v}" for k, v in sorted(s.errors.items()))
                lines.append(f"  errors: {errs}")
        code = self.exit_code
        lines.append(f"result: {code.name.lower()} (exit {int(code)})")
        return "\n".join(lines)


def run_crawl(config: Config, db_path: Path, site_names: list[str] | None = None, *,
              max_pages: int | None = None, log_level: str = "INFO",
              extra_settings: dict[str, Any] | None = None) -> CrawlSummary:
    """Crawl the chosen sites into `db_path`, all in one reactor; return the summary.

    Scrapy's reactor cannot restart, so call this once per process (the CLI does).
    """
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from spiders.news import NewsSpider

    sites = config.select(site_names)
    # Create or migrate the schema before any spider opens it; a damaged file is refused.
    Store(db_path, check=True).close()
    settings = get_project_settings()
    settings.setmodule("archiver.settings", priority="project")
    settings.setdict({
        "ARCHIVE_CONFIG": str(config.path),
        "ARCHIVE_DB": str(db_path),
        "ARCHIVE_MAX_PAGES": max_pages or 0,
        "LOG_LEVEL": log_level,
        **(extra_settings or {}),
    }, priority="cmdline")
    process = CrawlerProcess(settings)
    crawlers = []
    for site in sites:
        crawler = process.create_crawler(NewsSpider)
        crawlers.append((site.name, crawler))
        process.crawl(crawler, site=site.name)
    process.start()
    summaries = [SiteSummary.from_stats(name, crawler.stats.get_stats())
                 for name, crawler in crawlers]
    with Store(db_path) as store:
        total = store.count()
    return CrawlSummary(sites=summaries, db_path=db_path, total_articles=total)
