"""Scrapy pipeline: extract each fetched page in the extraction pool, then hand the article
(or the skip) to the crawl's destination: the local archive, or in a worker the writer."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archiver.config import Site
from archiver.crawl import ingest, pool
from archiver.crawl.destination import Destination, destination_for
from archiver.crawl.items import RawPage
from archiver.crawl.settings import crawler_options
from archiver.extract.page import Extraction

logger = logging.getLogger(__name__)
#: Seconds past the extraction timeout before a pool process is presumed stuck and killed.
EXTRACT_GRACE = 30.0
#: Pages handed to each extraction process at once: one being extracted, three waiting, so a
#: process still has a page when the reactor is busy for longer than one extraction (a
#: commit, a sitemap). bench/ row 1, 2,000 pages, interleaved runs (2026-11-28): idle CPU
#: during the crawl 9% with two, 6-7% with four (pages/s 58-65 against 66-68); one at a time
#: was about 10% slower than two.
PAGES_PER_PROCESS = 4


async def extract_in_pool(item: RawPage, site: Site, stats: Any, *, timeout: float,
                          slots: asyncio.Semaphore
                          ) -> tuple[Extraction | None, tuple[str, str] | None]:
    """Extract one page in the pool: (the extraction, None) or (None, (error, message)).

    At most `PAGES_PER_PROCESS` pages per pool process at a time (`slots`): a process finds
    its next page waiting when it finishes one, instead of idling while the result travels
    back and the reactor hands over another; and a page waits for at most
    `PAGES_PER_PROCESS - 1` other pages' extractions on its process, so the backstop allows
    `PAGES_PER_PROCESS` extractions. The process's own alarm cuts Python code; the backstop
    (with room for a fresh process's imports) covers one stuck in C. Each failure is logged
    and counted here; the caller decides what else to record.
    """
    async with slots:
        future = pool.submit(timeout, ingest.process, item.body, item.final_url, site,
                             content_type=item.content_type, hints=item.hints)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future),
                                          PAGES_PER_PROCESS * timeout + EXTRACT_GRACE), None
        except (pool.ExtractionTimeout, TimeoutError) as exc:
            if isinstance(exc, TimeoutError):
                pool.recycle()
            stats.inc_value("archive/skipped/extraction_timeout")
            message = f"extraction took more than {timeout:g}s"
            logger.warning("skipped (extraction_timeout): %s: %s", item.url, message)
            return None, ("extraction_timeout", message)
        except Exception as exc:  # a crash in the pool process: count it, keep crawling
            stats.inc_value("archive/errors/extract")
            logger.error("extraction failed for %s: %s: %s", item.url, type(exc).__name__, exc)
            return None, ("extract", f"{type(exc).__name__}: {exc}")


class ArchivePipeline:
    """Turns RawPage items into kept articles; every drop is logged and counted by reason."""

    def __init__(self, crawler: Crawler) -> None:
        options = crawler_options(crawler.settings)
        self.crawler = crawler
        self.stats = crawler.stats
        self.processes = options.extract_workers  #: the extraction pool's size
        self.extract_timeout = options.extract_timeout
        self.slots = asyncio.Semaphore(PAGES_PER_PROCESS * max(1, self.processes))
        self.destination: Destination | None = None
        self.pooled = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.destination = destination_for(self.crawler)
        self.destination.open()
        pool.acquire(self.processes)
        self.pooled = True

    def close_spider(self) -> None:
        if self.pooled:
            pool.release()
            self.pooled = False

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawPage):
            return item
        destination = self.destination
        assert destination is not None, "process_item before open_spider"
        site = destination.site
        assert site is not None, "a crawl's pages belong to a site"
        if destination.refusing:
            raise DropItem("the archive cannot be written")
        result, failure = await extract_in_pool(item, site, self.stats,
                                                timeout=self.extract_timeout, slots=self.slots)
        if failure is not None or result is None:
            error, message = failure or ("extract", "no result")
            destination.give_up(item, error, message)
            raise DropItem(message)
        if result.article is None:
            self.stats.inc_value(f"archive/skipped/{result.reason}")
            logger.info("not an article (%s): %s", result.reason, item.url)
            destination.record_skip(item, result)
            raise DropItem(f"not an article ({result.reason})")
        outcome = destination.save_article(item, site, result.article)
        if outcome is None:
            raise DropItem("the archive cannot be written")
        self.stats.inc_value(f"archive/articles/{outcome}")
        logger.debug("%s article: %s", outcome, result.article.url)
        return item
