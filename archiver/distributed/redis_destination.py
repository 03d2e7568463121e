"""`archiver worker`'s destination: no archive here, every result a Redis message to the writer.

The worker's captures go to WARC files of its own (its name is in the file name, so workers
sharing a folder never share a file); each record reaches the file (flushed) before its
reference is pushed, so the index never names bytes that are not on disk, and the reference
rides with the page (`request.meta["archive_capture_ref"]`), so the article's message names its
capture. Workers write every response in full (no WARC revisit records): finding the earlier
identical payload needs the capture index, which only the writer has.

Validators for conditional GET are those the writer published (archiver.distributed.validators)
for article pages (feeds and sitemaps are polled in full); a 304 becomes a `not_modified`
message, which the writer records as `archiver crawl` does. Articles, skipped pages and 304s
are pushed as messages (archiver.distributed.messages). A push that fails raises: the request
stays unacknowledged and returns to the frontier when this worker stops.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path

import redis
from scrapy import Request
from scrapy.crawler import Crawler

from archiver.config import Site
from archiver.crawl.destination import CrawlStop, KeptCapture
from archiver.crawl.items import RawPage
from archiver.crawl.state_access import CrawlStateAccess
from archiver.distributed import redis_state
from archiver.distributed.messages import (
    article_message,
    capture_message,
    not_modified_message,
    skipped_message,
)
from archiver.distributed.scheduler import META_KEY, acknowledger
from archiver.distributed.validators import PublishedValidators
from archiver.extract.page import Article, Extraction, Hints
from archiver.warc.files import Exchange, WarcWriter

logger = logging.getLogger(__name__)


class RedisDestination:
    """Validators from the writer's publication; captures, articles, skips and 304s pushed.

    Settings: ARCHIVE_REDIS_URL, ARCHIVE_WORKER_ID, ARCHIVE_WARC_DIR (the worker's WARC
    folder, as given: run_worker makes it absolute).
    """

    conditional_roles = frozenset({"page"})
    failures: tuple[type[Exception], ...] = (redis.RedisError,)
    error_key = "redis"
    software = "Scrapy, worker"

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler  # its stats exist only once the crawl starts: read when needed
        self.site: Site | None = None
        self.worker: str = settings.get("ARCHIVE_WORKER_ID") or redis_state.worker_id()
        self.directory = Path(settings.get("ARCHIVE_WARC_DIR") or "warc")
        client = redis_state.connect(settings.get("ARCHIVE_REDIS_URL"))
        self.items = redis_state.ItemQueue(client)
        self.published = PublishedValidators(client)
        self.stop = CrawlStop(crawler, "this worker")
        self._state = CrawlStateAccess(None, self.stop)  # the writer keeps the crawl state

    def crawl_state(self) -> CrawlStateAccess:
        return self._state

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def _push(self, url: str, message: bytes) -> None:
        try:
            self.items.push(message)
        except redis.RedisError as exc:
            # Not acknowledged: the request stays in flight and is fetched again later.
            self.crawler.stats.inc_value("archive/errors/redis")
            logger.error("redis: cannot push %s: %s", url, exc)
            raise

    # -- conditional GET -----------------------------------------------------------------

    def conditional_unavailable(self) -> str | None:
        return None

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        try:
            return self.published.get(url)
        except redis.RedisError as exc:  # a full fetch instead: nothing is lost
            logger.warning("redis: no validators for %s: %s", url, exc)
            return None

    def not_modified(self, request: Request, site: Site, *, url: str, seen_at: str,
                     etag: str | None, last_modified: str | None) -> bool:
        """Pushed for the writer, which knows whether the page is archived (counted as
        unchanged here); then the request is acknowledged: its errback, which ignores the
        304, does not pass the spider middleware that acknowledges requests."""
        self.items.push(not_modified_message(site.name, url, seen_at=seen_at, etag=etag,
                                             last_modified=last_modified,
                                             revisit=site.revisit, worker=self.worker))
        acks = acknowledger(self.crawler)
        if acks is not None:
            acks.part_done(request.meta.get(META_KEY))
        return True

    # -- WARC captures -------------------------------------------------------------------

    def warc_directory(self) -> Path:
        return self.directory

    def warc_prefix(self, site: str | None) -> str:
        return f"archiver-{site}-{self.worker}"

    def keep_capture(self, writer: WarcWriter, exchange: Exchange, *, site: str | None,
                     role: str | None, hints: Hints | None) -> KeptCapture:
        """Written to this worker's WARC file, then its place and index fields pushed."""
        hint_values = {k: v for k, v in asdict(hints).items() if v} if hints else {}
        written = writer.write(exchange)
        ref = {
            "file": written.path.name, "dir": str(written.path.parent.resolve()),
            "offset": written.offset, "length": written.length,
            "url": exchange.url, "fetched_at": exchange.fetched_at.isoformat(),
            "status": exchange.status,
            "content_type": exchange.header("content-type"),
            "payload_digest": written.payload_digest, "record_type": written.record_type,
            "site": site, "role": role,
            "hints": json.dumps(hint_values, ensure_ascii=False) if hint_values else None,
            "worker": self.worker,
        }
        self.items.push(capture_message(ref))
        return KeptCapture(written.record_type, ref=ref)

    # -- pages ---------------------------------------------------------------------------

    @property
    def refusing(self) -> bool:
        return False

    def save_article(self, item: RawPage, site: Site, article: Article) -> str | None:
        self._push(item.url, article_message(
            site.name, article, fetched_at=item.fetched_at, requested_url=item.url,
            worker=self.worker, capture=item.capture_ref, etag=item.headers.get("etag"),
            last_modified=item.headers.get("last-modified"), revisit=site.revisit))
        return "pushed"

    def record_skip(self, item: RawPage, result: Extraction) -> None:
        self._push(item.url, skipped_message(item, result, worker=self.worker))

    def give_up(self, item: RawPage, error: str, message: str) -> None:
        """Nothing to record: the extraction's failure is logged and counted, and the writer
        keeps no frontier."""
