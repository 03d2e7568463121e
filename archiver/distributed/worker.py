"""Run one distributed worker: Scrapy crawlers fed by the shared Redis frontier, one per site.

Any number of workers run at once, on any hosts. Each fetches what the frontier holds, keeps
each response in its own WARC files, extracts and cleans it, and pushes articles (with their
capture references) to Redis for `archiver writer`; it never opens the archive.
When it starts it pushes a `running` run record and keeps a heartbeat key alive from a thread of
its own; when it stops it pushes its final run record. The writer stores both in `runs`, and
marks a run whose heartbeat expired without a final record `lost` (a worker killed by SIGKILL,
or its host gone).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from pathlib import Path
from typing import Any

import redis

from archiver.config import Config
from archiver.crawl.run import CrawlSummary, SiteSummary, crawl_settings, site_crawlers
from archiver.distributed import redis_state
from archiver.store import clock
from archiver.warc.captures import warc_dir_for

logger = logging.getLogger(__name__)

#: Components a worker adds to archiver.crawl.settings' dicts (the pipeline, the capture and
#: conditional-GET middlewares and the guards are those of `archiver crawl`).
WORKER_COMPONENTS: dict[str, dict[str, int | None]] = {
    "SPIDER_MIDDLEWARES": {"archiver.distributed.scheduler.FrontierAckMiddleware": 1},
    "DOWNLOADER_MIDDLEWARES": {
        "archiver.distributed.scheduler.FrontierAckDownloaderMiddleware": 990,
        "archiver.distributed.politeness.SharedPolitenessMiddleware": 1000,
    },
}

#: Worker-mode Scrapy settings, on top of archiver.crawl.settings and the config's [crawler] table.
WORKER_SETTINGS: dict[str, Any] = {
    "SCHEDULER": "archiver.distributed.scheduler.DistributedScheduler",
    # The archive lives with the writer: validators come from Redis, captures go to the
    # worker's own WARC files, articles to the writer (archiver.distributed.redis_destination).
    "ARCHIVE_DESTINATION": "archiver.distributed.redis_destination.RedisDestination",
    # Politeness is shared through Redis; the local delay and AutoThrottle would stack on it.
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
}


class RunHeartbeat:
    """Keeps the run's heartbeat key alive from a thread, independent of the Scrapy reactor.

    A thread, not a reactor timer: a worker busy starting up or stalled by a slow page is still
    running; only a dead process (or a lost host) stops beating.
    """

    def __init__(self, redis_url: str, worker: str, ttl: float) -> None:
        self.client = redis_state.connect(redis_url)
        self.worker = worker
        self.ttl = ttl
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="run-heartbeat", daemon=True)

    def beat(self) -> None:
        redis_state.run_beat(self.client, self.worker, self.ttl)

    def start(self) -> None:
        self.beat()
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping.wait(self.ttl / 3):
            try:
                self.beat()
            except redis.RedisError as exc:
                logger.warning("redis: run heartbeat failed: %s", exc)

    def stop(self) -> None:
        """Stop beating and say the run ended (call after the final record is pushed)."""
        self.stopping.set()
        self.thread.join(timeout=5)
        redis_state.run_end(self.client, self.worker)


def start_message(worker: str, started: str, sites: list[str]) -> bytes:
    """The JSON record of a worker's run as it starts (status `running`)."""
    return json.dumps({
        "type": "run", "worker": worker, "host": socket.gethostname(), "pid": os.getpid(),
        "started": started, "status": "running",
        "sites": [{"site": name} for name in sites],
    }).encode("utf-8")


def run_message(worker: str, started: str, summary: CrawlSummary) -> bytes:
    """The JSON record of one worker's run, shaped like a `runs` row."""
    code = summary.exit_code
    return json.dumps({
        "type": "run", "worker": worker, "host": socket.gethostname(), "pid": os.getpid(),
        "started": started, "finished": clock.now_iso(), "status": code.name.lower(),
        "exit_code": int(code),
        "sites": [{"site": s.site, "finish_reason": s.finish_reason,
                   "pages_fetched": s.pages_fetched, "skipped": dict(s.skipped),
                   "errors": dict(s.errors)} for s in summary.sites],
    }).encode("utf-8")


def run_worker(config: Config, redis_url: str, site_names: list[str] | None = None, *,
               idle_exit: float = 0, seen_ttl_days: float = 30, log_level: str = "INFO",
               max_pages: int | None = None, warc_dir: Path | None = None,
               heartbeat_ttl: float = redis_state.RUN_TTL_SECONDS) -> CrawlSummary:
    """Work the shared frontier of the chosen sites until stopped (or idle for `idle_exit` s).

    WARC files go to `warc_dir` (default: `[crawler] warc_dir`, relative to the current
    folder, else `./warc`); `heartbeat_ttl` is how long after this process dies its run is
    declared lost. Scrapy's reactor cannot restart, so call this once per process (the CLI does).
    """
    sites = config.select(site_names)
    client = redis_state.connect(redis_url)  # a bad URL: one line, before Scrapy starts
    worker = redis_state.worker_id()
    started = clock.now_iso()
    warc_folder = Path(warc_dir) if warc_dir else warc_dir_for("archive.db",
                                                              config.crawler.warc_dir or None)
    settings = crawl_settings()
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
        "ARCHIVE_WARC_DIR": str(warc_folder.resolve()),
        "LOG_LEVEL": log_level,
    }, priority="cmdline")
    heartbeat = RunHeartbeat(redis_url, worker, heartbeat_ttl)
    heartbeat.start()  # before the record: the writer must never see it without a heartbeat
    items = redis_state.ItemQueue(client)
    items.push(start_message(worker, started, [s.name for s in sites]))
    process, crawlers = site_crawlers(settings, sites)
    process.start()
    summary = CrawlSummary(
        sites=[SiteSummary.from_stats(name, crawler.stats.get_stats())
               for name, crawler in crawlers],
        db_path=None)
    for s, (_, crawler) in zip(summary.sites, crawlers, strict=True):
        s.new = int(crawler.stats.get_value("archive/articles/pushed", 0))
    items.push(run_message(worker, started, summary))
    heartbeat.stop()
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
