"""Scrapy downloader middlewares: WARC capture of every response, and conditional GET.

`WarcCaptureMiddleware` keeps every response the crawl fetches as a WARC capture.

`ConditionalGetMiddleware`: a request for an archived article that is due, or for a feed or
sitemap polled before, gets `If-None-Match` / `If-Modified-Since` from the validators the archive
kept. A 304 answer is the page saying "unchanged": for an article it moves `last_seen` and counts
as unchanged, without extracting anything; for a feed it means there is nothing new to read.
Switch it off with `ARCHIVE_CONDITIONAL_GET = False`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from archiver import __version__
from archiver.errors import ArchiverError
from archiver.store.archive import Store, now_iso
from archiver.warc.captures import CaptureRecorder, warc_dir_for
from archiver.warc.files import DEFAULT_MAX_BYTES, Exchange, WarcWriter, recover

logger = logging.getLogger(__name__)


def _headers(headers: Any) -> list[tuple[str, str]]:
    """Scrapy Headers as (name, value) pairs, duplicates kept."""
    return [(k.decode("latin-1"), v.decode("latin-1"))
            for k, values in headers.items() for v in values]



def exchange_of(request: Request, response: Response) -> tuple[Exchange, str | None]:
    """The request/response pair as WARC writes it, and its role (robots.txt named even when
    Scrapy's robots middleware, not the spider, asked for it)."""
    role = request.meta.get("role")
    if role is None and request.url.endswith("/robots.txt"):
        role = "robots"
    exchange = Exchange(
        url=request.url, fetched_at=datetime.now(UTC).replace(microsecond=0),
        status=response.status, headers=_headers(response.headers), body=response.body,
        protocol=response.protocol or "HTTP/1.1", method=request.method,
        request_headers=_headers(request.headers),
        ip_address=str(response.ip_address) if response.ip_address else None,
    )
    return exchange, role


def forget_validators_on_redirect(request: Request) -> bool:
    """True (and the request made unconditional) when it follows a redirect: the target is
    another resource, so the first URL's validators do not apply."""
    if not request.meta.get("redirect_urls"):
        return False
    for name in (b"If-None-Match", b"If-Modified-Since"):
        request.headers.pop(name, None)
    request.meta.pop("conditional", None)
    return True


def make_conditional(request: Request, etag: str | None, last_modified: str | None) -> None:
    """Send the stored validators, so an unchanged page costs a 304 and no body."""
    if etag:
        request.headers.setdefault(b"If-None-Match", etag.encode("latin-1", "replace"))
    if last_modified:
        request.headers.setdefault(b"If-Modified-Since",
                                   last_modified.encode("latin-1", "replace"))
    request.meta["conditional"] = True


class WarcCaptureMiddleware:
    """Writes each response, as received, with its request, to the archive's WARC files.

    It sits next to the downloader (priority above HttpCompressionMiddleware's), so it sees
    robots.txt, feeds, sitemaps, redirects and pages alike, with the body still as the server
    sent it. The capture's id and time go into `request.meta` (`archive_capture`,
    `archive_fetched_at`) for the spider to hand on with the page. Switch off with
    `ARCHIVE_WARC = False`.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = Path(settings.get("ARCHIVE_DB", "archive.db"))
        configured = settings.get("ARCHIVE_WARC_DIR") or None
        self.directory = warc_dir_for(self.db_path, configured)
        self.max_bytes = settings.getint("ARCHIVE_WARC_MAX_BYTES", DEFAULT_MAX_BYTES)
        self.recorder: CaptureRecorder | None = None
        self.site: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        if not crawler.settings.getbool("ARCHIVE_WARC", True):
            raise NotConfigured("ARCHIVE_WARC is off")
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self) -> None:
        recover(self.directory)
        site = getattr(self.crawler.spider, "site", None)
        self.site = getattr(site, "name", None)
        prefix = f"archiver-{self.site}" if self.site else "archiver"
        writer = WarcWriter(self.directory, prefix=prefix, max_bytes=self.max_bytes,
                            software=f"archiver/{__version__} (Scrapy)")
        self.recorder = CaptureRecorder(Store(self.db_path), writer)

    def spider_closed(self) -> None:
        recorder, self.recorder = self.recorder, None
        if recorder is None:
            return
        try:
            recorder.writer.close()
        except OSError as exc:  # e.g. the disk filled up: the next run recovers the file
            logger.error("cannot finish WARC file: %s", exc)
        recorder.store.close()

    def _fail(self, url: str, exc: Exception) -> None:
        """A capture that cannot be written or indexed stops the run, said once.

        Going on would archive pages without their captures, and a write lock held past the
        busy timeout would make every later response wait that long again.
        """
        self.stats.inc_value("archive/errors/warc")
        recorder, self.recorder = self.recorder, None
        # Said once per crawl, whichever part met the unwritable archive first (see
        # pipelines.stop_unwritable).
        already = getattr(self.crawler, "_archive_unwritable", False)
        self.crawler._archive_unwritable = True  # type: ignore[attr-defined]
        if not already:
            logger.error("cannot keep capture of %s: %s; stopping the crawl", url, exc)
        if recorder is not None:
            try:
                recorder.writer.close()
            except OSError:
                pass
            recorder.store.close()
        engine = self.crawler.engine
        if engine is not None and not already:
            self._closing = asyncio.ensure_future(
                engine.close_spider_async(reason="archive_unwritable"))

    def process_response(self, request: Request, response: Response) -> Response:
        if self.recorder is None:
            return response
        exchange, role = exchange_of(request, response)
        try:
            capture_id, kind = self.recorder.record(
                exchange, site=self.site, role=role, hints=request.meta.get("hints"))
        except (OSError, ArchiverError) as exc:
            self._fail(request.url, exc)
            raise IgnoreRequest(f"capture not kept: {exc}") from None
        self.stats.inc_value(f"archive/captures/{kind}")
        request.meta["archive_capture"] = capture_id
        request.meta["archive_fetched_at"] = exchange.fetched_at.isoformat()
        return response


#: Request roles (`request.meta["role"]`, set by the spider) that may be asked conditionally.
CONDITIONAL_ROLES = {"page", "feed", "sitemap"}


class NotModified(IgnoreRequest):
    """The server answered 304: what the archive holds is current (handled, not an error)."""


class ConditionalGetMiddleware:
    """Add validators to revisits and feed polls; turn 304 answers into `unchanged`."""

    def __init__(self, crawler: Crawler, db_path: str) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        if not crawler.settings.getbool("ARCHIVE_CONDITIONAL_GET", True):
            raise NotConfigured("ARCHIVE_CONDITIONAL_GET is off")
        db_path = crawler.settings.get("ARCHIVE_DB")
        if not db_path:
            raise NotConfigured("no ARCHIVE_DB")
        mw = cls(crawler, db_path)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self) -> None:
        self.store = Store(self.db_path)

    def spider_closed(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def process_request(self, request: Request) -> None:
        if self.store is None or request.meta.get("role") not in CONDITIONAL_ROLES:
            return None
        if forget_validators_on_redirect(request):
            return None
        found = self.store.validators(request.url)
        if found is None:
            return None
        make_conditional(request, *found)
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status != 304 or not request.meta.get("conditional"):
            return response
        role = request.meta.get("role")
        stats = self.crawler.stats
        stats.inc_value(f"archive/not_modified/{role}")
        if role != "page":  # a feed or sitemap with nothing new: shown among the skips
            stats.inc_value(f"archive/skipped/{role}_not_modified")
        if role == "page" and self.store is not None:
            spider = self.crawler.spider
            try:
                known = self.store.mark_not_modified(
                    request.url, now_iso(), spider.site.revisit,
                    etag=_header(response, b"ETag"),
                    last_modified=_header(response, b"Last-Modified"))
            except ArchiverError as exc:
                stats.inc_value("archive/errors/store")
                logger.error("%s", exc)
                raise NotModified(str(exc)) from None
            if known:
                stats.inc_value("archive/articles/unchanged")
        logger.debug("not modified (304): %s", request.url)
        raise NotModified(f"304 Not Modified: {request.url}")


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
