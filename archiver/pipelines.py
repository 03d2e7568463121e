"""Scrapy pipeline: extract each fetched page in the worker pool, then store the article."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from . import ingest, workers
from .errors import ArchiverError
from .items import RawPage
from .store import Store

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Turns RawPage items into stored articles; every drop is logged and counted by reason."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = crawler.settings.get("ARCHIVE_DB")
        self.workers = crawler.settings.getint("ARCHIVE_EXTRACT_WORKERS", 2)
        self.store: Store | None = None
        self.pool = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.store = Store(self.db_path)
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
        future = self.pool.submit(
            ingest.process, item.body, item.final_url, site, content_type=item.content_type,
            hints=item.hints,
        )
        try:
            result = await asyncio.wrap_future(future)
        except Exception as exc:  # a crash in the worker: count it, keep crawling
            self.stats.inc_value("archive/errors/extract")
            logger.error("extraction failed for %s: %s: %s", item.url, type(exc).__name__, exc)
            raise DropItem(f"extraction failed: {exc}") from None
        if result.article is None:
            self.stats.inc_value(f"archive/skipped/{result.reason}")
            logger.info("not an article (%s): %s", result.reason, item.url)
            raise DropItem(f"not an article ({result.reason})")
        try:
            outcome = ingest.save(self.store, site.name, result.article,
                                  fetched_at=item.fetched_at, capture_id=item.capture_id)
        except ArchiverError as exc:
            self.stats.inc_value("archive/errors/store")
            logger.error("%s", exc)
            raise DropItem(str(exc)) from None
        self.stats.inc_value(f"archive/articles/{outcome}")
        logger.debug("%s article: %s", outcome, result.article.url)
        return item
