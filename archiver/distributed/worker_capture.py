"""A distributed worker's WARC capture: its own WARC files, with references pushed to Redis.

`archiver crawl` writes a response to WARC and indexes it in the archive's `captures` table at
once. A worker has no archive: it writes the record to WARC files of its own (the worker's
name is in the file name, so workers sharing a folder never share a file), then pushes the
record's place (file name, offset, length) and its index fields to the writer, which records
the capture in the same `captures` table. The reference also rides with the page
(`request.meta["archive_capture_ref"]`), so the article message names its capture.

The record reaches the file (flushed) before its reference is pushed, so the index never names
bytes that are not on disk. A killed worker leaves its file `.open`; the next worker started on
that folder trims it to its last complete record and gives it its final name
(`archiver.warc.files.recover`), and reading resolves `.open` files meanwhile.

Workers write every response in full (no WARC revisit records): finding the earlier identical
payload needs the capture index, which only the writer has.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from archiver import __version__
from archiver.crawl.middlewares import exchange_of
from archiver.distributed import state as shared
from archiver.warc.files import DEFAULT_MAX_BYTES, WarcWriter, recover

logger = logging.getLogger(__name__)

REF_META = "archive_capture_ref"


def capture_message(ref: dict[str, Any]) -> bytes:
    """The JSON a worker pushes for one capture (the writer indexes it in `captures`)."""
    return json.dumps({"type": "capture", "capture": ref}, ensure_ascii=False).encode("utf-8")


class WorkerWarcMiddleware:
    """Writes each response, as received, to this worker's WARC files; pushes its reference.

    Settings: ARCHIVE_WORKER_WARC (on/off, from `[crawler] warc`), ARCHIVE_WORKER_WARC_DIR (the
    folder), ARCHIVE_WARC_MAX_BYTES, ARCHIVE_WORKER_ID, ARCHIVE_REDIS_URL.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.directory = Path(settings.get("ARCHIVE_WORKER_WARC_DIR") or "warc")
        self.max_bytes = settings.getint("ARCHIVE_WARC_MAX_BYTES", DEFAULT_MAX_BYTES)
        self.worker = settings.get("ARCHIVE_WORKER_ID") or shared.worker_id()
        self.items = shared.ItemQueue(shared.connect(settings.get("ARCHIVE_REDIS_URL")))
        self.writer: WarcWriter | None = None
        self.site: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerWarcMiddleware:
        if not crawler.settings.getbool("ARCHIVE_WORKER_WARC", False):
            raise NotConfigured("ARCHIVE_WORKER_WARC is off")
        if not crawler.settings.get("ARCHIVE_REDIS_URL"):
            raise NotConfigured("no ARCHIVE_REDIS_URL")
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self) -> None:
        recover(self.directory)  # files of killed workers (live ones are locked: left alone)
        site = getattr(self.crawler.spider, "site", None)
        self.site = getattr(site, "name", None)
        self.writer = WarcWriter(self.directory, prefix=f"archiver-{self.site}-{self.worker}",
                                 max_bytes=self.max_bytes,
                                 software=f"archiver/{__version__} (Scrapy, worker)")

    def spider_closed(self) -> None:
        writer, self.writer = self.writer, None
        if writer is not None:
            try:
                writer.close()
            except OSError as exc:  # the next worker on this folder recovers the file
                logger.error("cannot finish WARC file: %s", exc)

    def _stop(self) -> None:
        """Captures cannot be kept (disk full, Redis gone): stop rather than archive pages
        without them. Said once; the unfinished requests return to the frontier."""
        if self.writer is None:
            return
        self.spider_closed()
        engine = self.crawler.engine
        if engine is not None:
            self._closing = asyncio.ensure_future(
                engine.close_spider_async(reason="archive_unwritable"))

    def process_response(self, request: Request, response: Response) -> Response:
        if self.writer is None:
            return response
        exchange, role = exchange_of(request, response)
        hints = request.meta.get("hints")
        hint_values = {k: v for k, v in asdict(hints).items() if v} if hints else {}
        try:
            written = self.writer.write(exchange)
            ref = {
                "file": written.path.name, "dir": str(written.path.parent.resolve()),
                "offset": written.offset, "length": written.length,
                "url": request.url, "fetched_at": exchange.fetched_at.isoformat(),
                "status": response.status,
                "content_type": exchange.header("content-type"),
                "payload_digest": written.payload_digest, "record_type": written.record_type,
                "site": self.site, "role": role,
                "hints": json.dumps(hint_values, ensure_ascii=False) if hint_values else None,
                "worker": self.worker,
            }
            self.items.push(capture_message(ref))
        except (OSError, shared.redis.RedisError) as exc:
            # Not acknowledged: the request goes back to the frontier when this worker stops.
            self.stats.inc_value("archive/errors/warc")
            logger.error("cannot keep capture of %s: %s; stopping this worker", request.url, exc)
            self._stop()
            raise IgnoreRequest(f"capture not kept: {exc}") from None
        self.stats.inc_value(f"archive/captures/{written.record_type}")
        request.meta[REF_META] = ref
        request.meta["archive_fetched_at"] = exchange.fetched_at.isoformat()
        return response
