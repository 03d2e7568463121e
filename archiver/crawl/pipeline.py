"""Scrapy pipeline: extract each fetched page in the worker pool, then store the article."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archiver.crawl import ingest
from archiver.crawl import pool as workers
from archiver.crawl.items import RawPage
from archiver.errors import ArchiverError
from archiver.extract.boilerplate import Overrides
from archiver.extract.page import Extraction
from archiver.store.archive import Store

logger = logging.getLogger(__name__)
#: Seconds past the extraction timeout before a worker is presumed stuck and killed.
EXTRACT_GRACE = 30.0
#: Pages handed to each extraction worker at once: one being extracted, three waiting, so a
#: worker still has a page when the reactor is busy for longer than one extraction (a commit,
#: a sitemap). bench/ row 1, 2,000 pages, interleaved runs (2026-11-28): idle CPU during the
#: crawl 9% with two, 6-7% with four (pages/s 58-65 against 66-68); one at a time was about
#: 10% slower than two.
PAGES_PER_WORKER = 4


async def extract_in_pool(item: RawPage, site: Any, stats: Any, *, timeout: float,
                          slots: asyncio.Semaphore
                          ) -> tuple[Extraction | None, tuple[str, str] | None]:
    """Extract one page in the worker pool: (the extraction, None) or (None, (error, message)).

    At most `PAGES_PER_WORKER` pages per worker in the pool at a time (`slots`): a worker
    finds its next page waiting when it finishes one, instead of idling while the result
    travels back and the reactor hands over another; and a page waits for at most
    `PAGES_PER_WORKER - 1` other pages' extractions on its worker, so the backstop allows
    `PAGES_PER_WORKER` extractions. The worker's own alarm cuts
    Python code; the backstop (with room for a fresh worker's imports) covers a worker stuck
    in C. Each failure is logged and
    counted here; the caller decides what else to record. Shared by the crawl's pipeline and the
    distributed worker's.
    """
    async with slots:
        future = workers.submit(timeout, ingest.process, item.body, item.final_url, site,
                                content_type=item.content_type, hints=item.hints)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future),
                                          PAGES_PER_WORKER * timeout + EXTRACT_GRACE), None
        except (workers.ExtractionTimeout, TimeoutError) as exc:
            if isinstance(exc, TimeoutError):
                workers.recycle()
            stats.inc_value("archive/skipped/extraction_timeout")
            message = f"extraction took more than {timeout:g}s"
            logger.warning("skipped (extraction_timeout): %s: %s", item.url, message)
            return None, ("extraction_timeout", message)
        except Exception as exc:  # a crash in the worker: count it, keep crawling
            stats.inc_value("archive/errors/extract")
            logger.error("extraction failed for %s: %s: %s", item.url, type(exc).__name__, exc)
            return None, ("extract", f"{type(exc).__name__}: {exc}")


class ArchivePipeline:
    """Turns RawPage items into stored articles; every drop is logged and counted by reason."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = crawler.settings.get("ARCHIVE_DB")
        self.workers = crawler.settings.getint("ARCHIVE_EXTRACT_WORKERS", 2)
        self.run_id = crawler.settings.get("ARCHIVE_RUN_ID")
        self.extract_timeout = crawler.settings.getfloat("ARCHIVE_EXTRACT_TIMEOUT", 20.0)
        self.store_failed = False
        self.closing: asyncio.Future | None = None
        self.slots = asyncio.Semaphore(PAGES_PER_WORKER * max(1, self.workers))
        self.store: Store | None = None
        self.pool = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.store = Store(self.db_path)
        site = getattr(self.crawler.spider, "site", None)
        if site is not None:  # keep/drop rules for the learned-template cleaning at save time
            self.store.remember_overrides(site.name, Overrides(site.clean.keep_text,
                                                               site.clean.drop_text))
        self.pool = workers.acquire(self.workers)

    def close_spider(self) -> None:
        if self.store is not None:
            self.store.close()
        if self.pool is not None:
            workers.release()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawPage):
            return item
        site = self.crawler.spider.site
        if self.store_failed:
            raise DropItem("the archive cannot be written")
        result, failure = await extract_in_pool(item, site, self.stats,
                                                timeout=self.extract_timeout, slots=self.slots)
        if failure is not None:
            self._give_up(item, *failure)
            raise DropItem(failure[1])
        if result.article is None:
            self.stats.inc_value(f"archive/skipped/{result.reason}")
            logger.info("not an article (%s): %s", result.reason, item.url)
            self._record_skip(item, result)
            raise DropItem(f"not an article ({result.reason})")
        try:
            outcome = ingest.save(
                self.store, site.name, result.article, fetched_at=item.fetched_at,
                capture_id=item.capture_id, requested_url=item.url,
                etag=item.headers.get("etag"), last_modified=item.headers.get("last-modified"),
                schedule=site.revisit)
        except ArchiverError as exc:
            # Disk full, read-only, corrupt or locked past the busy timeout: the run cannot
            # go on. Say so once, stop the crawl, and leave what is stored untouched.
            self.stats.inc_value("archive/errors/store")
            if not self.store_failed:
                self.store_failed = True
                self.closing = stop_unwritable(self.crawler, exc)
            raise DropItem(str(exc)) from None
        self.stats.inc_value(f"archive/articles/{outcome}")
        logger.debug("%s article: %s", outcome, result.article.url)
        return item

    def _record_skip(self, item: RawPage, result: Extraction) -> None:
        """A page judged not to be an article: recorded in `skipped_pages` (with its reason,
        score, run and capture) and taken off the frontier, so nothing is lost unseen."""
        try:
            self.store.skip_page(item.site, item.url, reason=result.reason or "not_article",
                                 fetched_at=item.fetched_at, fetched_url=item.final_url,
                                 score=result.score, run_id=self.run_id,
                                 capture_id=item.capture_id)
        except ArchiverError as exc:
            self.store_failed = True
            stop_unwritable(self.crawler, exc)

    def _give_up(self, item: RawPage, error: str | None = None, message: str = "") -> None:
        """Take a page that will not be stored off the frontier (and log it, if it failed)."""
        try:
            if error:
                self.store.log_failure(self.run_id, item.site, item.url, error, message)
            self.store.frontier_done(item.url)
        except ArchiverError as exc:
            self.store_failed = True
            stop_unwritable(self.crawler, exc)


def stop_unwritable(crawler: Crawler, exc: Exception) -> asyncio.Future | None:
    """The archive cannot be written (disk full, read-only, locked past the busy timeout):
    say so once for the whole crawl, and stop it. Whoever meets the failure first calls this.

    Not awaited: closing waits for the items in flight, the caller's among them.
    """
    if getattr(crawler, "_archive_unwritable", False):
        return None
    crawler._archive_unwritable = True  # type: ignore[attr-defined]
    logger.error("%s; stopping the crawl", exc)
    return asyncio.ensure_future(crawler.engine.close_spider_async(reason="archive_unwritable"))
