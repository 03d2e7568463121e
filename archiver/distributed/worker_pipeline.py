"""A worker's item pipeline: extract and clean each page, then push the article to Redis
(or, for a page judged not to be one, the skip, which the writer records).

The worker never opens the archive: `archiver writer` is the one process that writes SQLite.
What goes over Redis is a JSON message (see `article_message`), so the writer needs neither
Scrapy nor the page bytes.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archiver.crawl import ingest
from archiver.crawl import pool as workers
from archiver.crawl.items import RawPage
from archiver.crawl.pipeline import PAGES_PER_WORKER, extract_in_pool
from archiver.distributed import state as shared
from archiver.extract.page import Article, Extraction

logger = logging.getLogger(__name__)


def article_message(site: str, article: Article, *, fetched_at: str, requested_url: str,
                    worker: str, capture: dict[str, Any] | None = None,
                    etag: str | None = None, last_modified: str | None = None,
                    revisit: tuple[int, ...] | list[int] = ()) -> bytes:
    """The JSON a worker pushes for one article.

    `capture` is the reference to the raw response the worker kept in its WARC files
    (archiver.distributed.worker_capture), None when WARC is off. `etag`, `last_modified` and the
    site's
    `revisit` schedule let the writer keep the revisit state `archiver crawl` keeps, and
    publish the validators for the workers' conditional requests.
    """
    return json.dumps({
        "type": "article", "site": site, "article": article.to_dict(),
        "fetched_at": fetched_at, "requested_url": requested_url, "worker": worker,
        "capture": capture, "extractor": ingest.EXTRACTOR_VERSION,
        "etag": etag, "last_modified": last_modified, "revisit": list(revisit),
    }, ensure_ascii=False).encode("utf-8")


def skipped_message(item: RawPage, result: Extraction, *, worker: str) -> bytes:
    """The JSON a worker pushes for a page judged not to be an article: the writer records it
    in `skipped_pages` under the worker's run, as `archiver crawl` does."""
    return json.dumps({
        "type": "skipped", "site": item.site, "url": item.url, "fetched_url": item.final_url,
        "reason": result.reason or "not_article", "score": result.score,
        "fetched_at": item.fetched_at, "worker": worker, "capture": item.capture_ref,
    }, ensure_ascii=False).encode("utf-8")


class WorkerPipeline:
    """RawPage -> extracted, cleaned Article -> the Redis item list; drops counted by reason."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.workers = crawler.settings.getint("ARCHIVE_EXTRACT_WORKERS", 2)
        self.extract_timeout = crawler.settings.getfloat("ARCHIVE_EXTRACT_TIMEOUT", 20.0)
        self.slots = asyncio.Semaphore(PAGES_PER_WORKER * max(1, self.workers))
        self.worker = crawler.settings.get("ARCHIVE_WORKER_ID")
        self.items = shared.ItemQueue(shared.connect(crawler.settings.get("ARCHIVE_REDIS_URL")))
        self.pool = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.pool = workers.acquire(self.workers)

    def close_spider(self) -> None:
        if self.pool is not None:
            workers.release()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawPage):
            return item
        site = self.crawler.spider.site
        result, failure = await extract_in_pool(item, site, self.stats,
                                                timeout=self.extract_timeout, slots=self.slots)
        if failure is not None:
            raise DropItem(failure[1])
        if result.article is None:
            self.stats.inc_value(f"archive/skipped/{result.reason}")
            logger.info("not an article (%s): %s", result.reason, item.url)
            self._push(item, skipped_message(item, result, worker=self.worker))
            raise DropItem(f"not an article ({result.reason})")
        message = article_message(site.name, result.article, fetched_at=item.fetched_at,
                                  requested_url=item.url, worker=self.worker,
                                  capture=item.capture_ref, etag=item.headers.get("etag"),
                                  last_modified=item.headers.get("last-modified"),
                                  revisit=site.revisit)
        self._push(item, message)
        self.stats.inc_value("archive/articles/pushed")
        return item

    def _push(self, item: RawPage, message: bytes) -> None:
        try:
            self.items.push(message)
        except shared.redis.RedisError as exc:
            # Not acknowledged: the request stays in flight and is fetched again later.
            self.stats.inc_value("archive/errors/redis")
            logger.error("redis: cannot push %s: %s", item.url, exc)
            raise
