"""Run one distributed worker: Scrapy crawlers fed by the shared Redis frontier, one per site.

Any number of workers run at once, on any hosts. Each fetches what the frontier holds, extracts
and cleans it, and pushes articles to Redis for `archiver writer`; it never opens the archive.
When it stops it pushes its run record, which the writer stores in `runs`.
"""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime
from typing import Any

from . import frontier as shared
from .config import Config
from .crawl import CrawlSummary, SiteSummary

#: Components a worker adds to (or, with None, removes from) archiver.settings' dicts.
WORKER_COMPONENTS: dict[str, dict[str, int | None]] = {
    "ITEM_PIPELINES": {"archiver.pipelines.ArchivePipeline": None,
                       "archiver.worker_pipeline.WorkerPipeline": 300},
    "SPIDER_MIDDLEWARES": {"archiver.redis_scheduler.FrontierAckMiddleware": 1},
    "DOWNLOADER_MIDDLEWARES": {
        "archiver.redis_scheduler.FrontierAckDownloaderMiddleware": 990,
        "archiver.shared_politeness.SharedPolitenessMiddleware": 1000,
    },
}

#: Worker-mode Scrapy settings, on top of archiver.settings and the config's [crawler] table.
WORKER_SETTINGS: dict[str, Any] = {
    "SCHEDULER": "archiver.redis_scheduler.DistributedScheduler",
    # Politeness is shared through Redis; the local delay and AutoThrottle would stack on it.
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    # The archive lives with the writer: no incremental state or validators read here.
    "ARCHIVE_INCREMENTAL": False,
    "ARCHIVE_CONDITIONAL_GET": False,
    # Raw capture records into the archive's `captures` table; not in a worker (yet).
    "ARCHIVE_WARC": False,
}


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def run_message(worker: str, started: str, summary: CrawlSummary) -> bytes:
    """The JSON record of one worker's run, shaped like a `runs` row."""
    code = summary.exit_code
    return json.dumps({
        "type": "run", "worker": worker, "host": socket.gethostname(), "pid": os.getpid(),
        "started": started, "finished": _now(), "status": code.name.lower(),
        "exit_code": int(code),
        "sites": [{"site": s.site, "finish_reason": s.finish_reason,
                   "pages_fetched": s.pages_fetched, "skipped": dict(s.skipped),
                   "errors": dict(s.errors)} for s in summary.sites],
    }).encode("utf-8")


def run_worker(config: Config, redis_url: str, site_names: list[str] | None = None, *,
               idle_exit: float = 0, seen_ttl_days: float = 30, log_level: str = "INFO",
               max_pages: int | None = None) -> CrawlSummary:
    """Work the shared frontier of the chosen sites until stopped (or idle for `idle_exit` s).

    Scrapy's reactor cannot restart, so call this once per process (the CLI does).
    """
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from spiders.news import NewsSpider

    sites = config.select(site_names)
    client = shared.connect(redis_url)  # a bad URL: one line, before Scrapy starts
    worker = shared.worker_id()
    started = _now()
    settings = get_project_settings()
    settings.setmodule("archiver.settings", priority="project")
    components = {name: {**settings.getdict(name), **extra}
                  for name, extra in WORKER_COMPONENTS.items()}  # the guards stay in place
    settings.setdict({
        **WORKER_SETTINGS,
        **components,
        "ARCHIVE_CONFIG": str(config.path),
        "ARCHIVE_DB": "",
        # sites.toml's max_pages is a budget per run shared by all workers (set by seeding,
        # kept in Redis); a worker's own limit applies only when given.
        "ARCHIVE_MAX_PAGES": max_pages or 10**9,
        "ARCHIVE_REDIS_URL": redis_url,
        "ARCHIVE_WORKER_ID": worker,
        "ARCHIVE_IDLE_EXIT": idle_exit,
        "ARCHIVE_SEEN_TTL": seen_ttl_days * 86400,
        "ARCHIVE_SHARED_DELAY": config.crawler.download_delay,
        "LOG_LEVEL": log_level,
    }, priority="cmdline")
    process = CrawlerProcess(settings)
    crawlers = []
    for site in sites:
        crawler = process.create_crawler(NewsSpider)
        crawlers.append((site.name, crawler))
        process.crawl(crawler, site=site.name)
    process.start()
    summary = CrawlSummary(
        sites=[SiteSummary.from_stats(name, crawler.stats.get_stats())
               for name, crawler in crawlers],
        db_path=None)  # type: ignore[arg-type]
    for s, (_, crawler) in zip(summary.sites, crawlers, strict=True):
        s.new = int(crawler.stats.get_value("archive/articles/pushed", 0))
    shared.ItemQueue(client).push(run_message(worker, started, summary))
    return summary


def render(summary: CrawlSummary) -> str:
    """A worker's one-screen summary (articles are counted as pushed; the writer stores them)."""
    lines = []
    for s in summary.sites:
        lines.append(f"site {s.site}: {s.pages_fetched} pages fetched, {s.new} articles pushed "
                     f"[{s.finish_reason}]")
        if s.skipped:
            skips = ", ".join(f"{k} {v}" for k, v in sorted(s.skipped.items()))
            lines.append(f"  skipped: {skips}")
        if s.errors:
            lines.append("  errors: " + ", ".join(f"{k} {v}" for k, v in sorted(s.errors.items())))
    code = summary.exit_code
    lines.append(f"result: {code.name.lower()} (exit {int(code)})")
    return "\n".join(lines)
