"""Run one crawl of the configured sites in this process and summarise what it did."""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archiver.config import Config, Site
from archiver.crawl import pool
from archiver.crawl.local import close_archive, open_archive
from archiver.crawl.lock import CrawlLock
from archiver.errors import ExitCode, StoreError
from archiver.store.archive import Store

if TYPE_CHECKING:
    from scrapy.crawler import Crawler, CrawlerProcess
    from scrapy.settings import Settings

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
    #: feed / sitemap dates that could not be trusted (malformed, far future), ignored
    dates_ignored: Counter[str] = field(default_factory=Counter)

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
            elif key.startswith("archive/lastmod_ignored/"):
                summary.dates_ignored[key.removeprefix("archive/lastmod_ignored/")] += value
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
    db_path: Path | None  #: None for a worker's run (the writer has the archive)
    total_articles: int = 0
    run_id: int | None = None

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
        run = f"run {self.run_id}: " if self.run_id is not None else ""
        lines = [f"{run}archive: {self.db_path} ({self.total_articles} articles)"]
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
            if s.dates_ignored:
                dates = ", ".join(f"{k} {v}" for k, v in sorted(s.dates_ignored.items()))
                lines.append(f"  feed/sitemap dates ignored: {dates}")
        code = self.exit_code
        lines.append(f"result: {code.name.lower()} (exit {int(code)})")
        return "\n".join(lines)


def site_record(s: SiteSummary) -> dict[str, Any]:
    """A site's summary as the plain dict `Store.finish_run` records."""
    return {"site": s.site, "finish_reason": s.finish_reason, "pages_fetched": s.pages_fetched,
            "new": s.new, "updated": s.updated, "unchanged": s.unchanged,
            "skipped": dict(s.skipped), "errors": dict(s.errors)}


class _CurrentStderr:
    """A stream that writes to the current `sys.stderr`, whatever replaced it since."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def setup_logging(log_level: str = "INFO", *, quiet: bool = False,
                  log_file: Path | None = None, stderr_level: str | None = None) -> None:
    """Send the crawl log to stderr (only errors when quiet, or `stderr_level` and up) and,
    in full, to a log file."""
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    fmt = logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT"))
    root = logging.getLogger()
    root.setLevel(logging.NOTSET)
    # With `stderr_level` (a live status on the terminal) each line goes to whatever
    # sys.stderr is when it is written: the status's proxy, which prints it above the status.
    stderr = logging.StreamHandler(_CurrentStderr() if stderr_level else sys.stderr)
    stderr.setLevel(stderr_level or ("ERROR" if quiet else log_level))
    stderr.setFormatter(fmt)
    root.addHandler(stderr)
    if log_file is not None:
        try:
            handler = logging.FileHandler(log_file, mode="a", encoding="utf-8")
        except OSError as exc:
            from archiver.errors import ConfigError

            raise ConfigError(f"{log_file}: cannot open log file: {exc}") from None
        handler.setLevel(log_level)
        handler.setFormatter(fmt)
        root.addHandler(handler)


def run_crawl(config: Config, db_path: Path, site_names: list[str] | None = None, *,
              max_pages: int | None = None, log_level: str = "INFO",
              extra_settings: dict[str, Any] | None = None,
              max_minutes: float | None = None, quiet: bool = False,
              log_file: Path | None = None, progress: bool = False,
              verbose: bool = False) -> CrawlSummary:
    """Crawl the chosen sites into `db_path`, all in one reactor; return the summary.

    Holds the archive's crawl lock throughout (LockedError when another crawl has it) and
    records the run in the `runs` table. Scrapy's reactor cannot restart, so call this once
    per process (the CLI does). With `progress` (a terminal), a live status is drawn on
    stderr and Scrapy's log reaches stderr only from WARNING up, or all of it with `verbose`;
    the log file, when given, has it all either way.
    """
    sites = config.select(site_names)
    if progress:
        setup_logging(log_level, log_file=log_file,
                      stderr_level=log_level if verbose else "WARNING")
        extra_settings = {"LOG_INSTALL_ROOT_HANDLER": False, **(extra_settings or {})}
    elif quiet or log_file:
        setup_logging(log_level, quiet=quiet, log_file=log_file)
        extra_settings = {"LOG_INSTALL_ROOT_HANDLER": False, **(extra_settings or {})}
    with CrawlLock(db_path):
        # This process's one write connection to the archive, shared by every component of
        # every site's crawler (archiver.crawl.local). Opening it creates or migrates the
        # schema before any spider opens it; a damaged file is refused.
        store = open_archive(db_path, check=True)
        try:
            return _run(config, store, sites, max_pages=max_pages, log_level=log_level,
                        extra_settings=extra_settings, max_minutes=max_minutes,
                        progress=progress)
        finally:
            close_archive(store)


def _run(config: Config, store: Store, sites: list[Site], *, max_pages: int | None,
         log_level: str, extra_settings: dict[str, Any] | None, max_minutes: float | None,
         progress: bool) -> CrawlSummary:
    """The run inside the lock: recorded in `runs` from start to finish."""
    try:
        run_id = store.start_run([s.name for s in sites], os.getpid(), socket.gethostname())
    except StoreError as exc:  # disk full, read-only, locked: nothing could be stored
        raise StoreError(f"{exc}; stopping the crawl") from None
    summary: CrawlSummary | None = None
    pooled = False
    try:
        # The extraction processes start now, beside Scrapy's imports and the first
        # fetches; the pipeline shares this pool.
        pool.acquire(config.crawler.extract_workers)
        pooled = True
        summary = _crawl(config, store, sites, run_id, max_pages=max_pages,
                         log_level=log_level, extra_settings=extra_settings,
                         max_minutes=max_minutes, progress=progress)
    finally:
        if pooled:
            pool.release()
        try:
            if summary is None:
                store.finish_run(run_id, status="failed", exit_code=int(ExitCode.FAILED),
                                 sites=[])
            else:
                code = summary.exit_code
                store.finish_run(run_id, status=code.name.lower(), exit_code=int(code),
                                 sites=[site_record(s) for s in summary.sites])
                store.tidy_search_index(sum(s.new + s.updated for s in summary.sites))
        except StoreError as exc:  # the summary still reaches cron; the row stays `running`
            logger.error("%s", exc)
    assert summary is not None  # _crawl returned
    return summary


def crawl_settings() -> Settings:
    """The Scrapy settings of a crawl or a worker: the project's, then archiver's own."""
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.setmodule("archiver.crawl.settings", priority="project")
    return settings


def site_crawlers(settings: Settings, sites: list[Site]
                  ) -> tuple[CrawlerProcess, list[tuple[str, Crawler]]]:
    """One process with a NewsSpider crawler per site, queued (start it with `.start()`)."""
    from scrapy.crawler import CrawlerProcess

    from archiver.crawl.spider import NewsSpider

    process = CrawlerProcess(settings)
    crawlers = []
    for site in sites:
        crawler = process.create_crawler(NewsSpider)
        crawlers.append((site.name, crawler))
        process.crawl(crawler, site=site.name)
    return process, crawlers


def _crawl(config: Config, store: Store, sites: list[Site], run_id: int, *,
           max_pages: int | None, log_level: str, extra_settings: dict[str, Any] | None,
           max_minutes: float | None, progress: bool = False) -> CrawlSummary:
    settings = crawl_settings()
    # The command line outranks the config's `[crawler]` table (set at `spider` priority by
    # NewsSpider.update_settings) only for what it was given: an option left out must not
    # replace the configured limit with "none" (issue 22: run_timeout was lost that way).
    given: dict[str, Any] = {}
    if max_minutes is not None:
        given["CLOSESPIDER_TIMEOUT"] = max_minutes * 60
    settings.setdict({
        "ARCHIVE_CONFIG": str(config.path),
        "ARCHIVE_DB": str(store.path),
        "ARCHIVE_MAX_PAGES": max_pages or 0,
        "LOG_LEVEL": log_level,
        "ARCHIVE_RUN_ID": run_id,
        **given,
        **(extra_settings or {}),
    }, priority="cmdline")
    process, crawlers = site_crawlers(settings, sites)
    status = None
    if progress:
        from archiver.crawl.progress import CrawlStatus

        status = CrawlStatus(crawlers)
        status.start()
    try:
        process.start()
    finally:
        if status is not None:
            status.stop()
    summaries = [SiteSummary.from_stats(name, crawler.stats.get_stats())
                 for name, crawler in crawlers]
    return CrawlSummary(sites=summaries, db_path=store.path, total_articles=store.count(),
                        run_id=run_id)
