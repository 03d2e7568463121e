"""Scrapy downloader middlewares: WARC capture of every response, and conditional GET.

Both write through the crawler's destination (archiver.crawl.destination): the local archive
in `archiver crawl`, Redis messages to the writer in `archiver worker`.

`WarcCaptureMiddleware` keeps every response the crawl fetches as a WARC capture.

`ConditionalGetMiddleware`: a request for an archived article that is due, or (in a local
crawl) for a feed or sitemap polled before, gets `If-None-Match` / `If-Modified-Since` from the
validators the destination knows (the archive's; in a worker, those the writer published). A
304 answer is the page saying "unchanged": for an article it moves `last_seen` and counts as
unchanged, without extracting anything; for a feed it means there is nothing new to read.
Switch it off with `ARCHIVE_CONDITIONAL_GET = False`.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from archiver import __version__
from archiver.crawl.destination import Destination, destination_for
from archiver.crawl.settings import crawler_options
from archiver.store import clock
from archiver.store.archive import now_iso
from archiver.warc.files import Exchange, WarcWriter, recover

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
        url=request.url, fetched_at=clock.now().replace(microsecond=0),
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
    """Writes each response, as received, with its request, to WARC files, and has it indexed.

    It sits next to the downloader (priority above HttpCompressionMiddleware's), so it sees
    robots.txt, feeds, sitemaps, redirects and pages alike, with the body still as the server
    sent it. The capture (its id in the local archive, or in a worker its WARC record's place)
    and its time go into `request.meta` (`archive_capture` or `archive_capture_ref`,
    `archive_fetched_at`) for the spider to hand on with the page. A killed crawl leaves its
    file `.open`: the next one on that folder trims it to its last complete record (files of
    live crawls are locked and left alone). Switch off with `ARCHIVE_WARC = False`.
    """

    def __init__(self, crawler: Crawler, destination: Destination) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.destination = destination
        #: what a capture that cannot be kept raises: a full disk, or the destination's failures
        self.failures: tuple[type[Exception], ...] = (OSError, *destination.failures)
        self.max_bytes = crawler_options(crawler.settings).warc_max_bytes
        self.writer: WarcWriter | None = None
        self.site: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        if not crawler_options(crawler.settings).warc:
            raise NotConfigured("ARCHIVE_WARC is off")
        middleware = cls(crawler, destination_for(crawler))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self) -> None:
        directory = self.destination.warc_directory()
        recover(directory)
        site = self.destination.site
        self.site = site.name if site is not None else None
        self.writer = WarcWriter(directory, prefix=self.destination.warc_prefix(self.site),
                                 max_bytes=self.max_bytes,
                                 software=f"archiver/{__version__} ({self.destination.software})")

    def spider_closed(self) -> None:
        writer, self.writer = self.writer, None
        if writer is None:
            return
        try:
            writer.close()
        except OSError as exc:  # e.g. the disk filled up: the next run recovers the file
            logger.error("cannot finish WARC file: %s", exc)

    def _fail(self, url: str, exc: Exception) -> None:
        """A capture that cannot be written or indexed stops the run, said once.

        Going on would archive pages without their captures, and a write lock held past the
        busy timeout would make every later response wait that long again. (In a worker the
        request is not acknowledged: it returns to the frontier when the worker stops.)
        """
        self.stats.inc_value("archive/errors/warc")
        writer, self.writer = self.writer, None
        self.destination.stop.stop(f"cannot keep capture of {url}: {exc}")
        if writer is not None:
            try:
                writer.close()
            except OSError:
                pass

    def process_response(self, request: Request, response: Response) -> Response:
        if self.writer is None:
            return response
        exchange, role = exchange_of(request, response)
        try:
            kept = self.destination.keep_capture(self.writer, exchange, site=self.site,
                                                 role=role, hints=request.meta.get("hints"))
        except self.failures as exc:
            self._fail(request.url, exc)
            raise IgnoreRequest(f"capture not kept: {exc}") from None
        self.stats.inc_value(f"archive/captures/{kept.kind}")
        if kept.capture_id is not None:
            request.meta["archive_capture"] = kept.capture_id
        if kept.ref is not None:
            request.meta["archive_capture_ref"] = kept.ref
        request.meta["archive_fetched_at"] = exchange.fetched_at.isoformat()
        return response


class NotModified(IgnoreRequest):
    """The server answered 304: what the archive holds is current (handled, not an error)."""


class ConditionalGetMiddleware:
    """Add validators to revisits (and feed polls); turn 304 answers into `unchanged`."""

    def __init__(self, crawler: Crawler, destination: Destination) -> None:
        self.crawler = crawler
        self.destination = destination

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        if not crawler.settings.getbool("ARCHIVE_CONDITIONAL_GET", True):
            raise NotConfigured("ARCHIVE_CONDITIONAL_GET is off")
        destination = destination_for(crawler)
        why = destination.conditional_unavailable()
        if why:
            raise NotConfigured(why)
        return cls(crawler, destination)

    def process_request(self, request: Request) -> None:
        if request.meta.get("role") not in self.destination.conditional_roles:
            return None
        if forget_validators_on_redirect(request):
            return None
        found = self.destination.validators(request.url)
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
        url = request.meta.get("archive_url", request.url)
        site = self.destination.site
        if role == "page" and site is not None:
            try:
                known = self.destination.not_modified(
                    request, site, url=url,
                    seen_at=request.meta.get("archive_fetched_at") or now_iso(),
                    etag=_header(response, b"ETag"),
                    last_modified=_header(response, b"Last-Modified"))
            except self.destination.failures as exc:
                stats.inc_value(f"archive/errors/{self.destination.error_key}")
                logger.error("cannot record the 304 of %s: %s", url, exc)
                raise NotModified(str(exc)) from None
            if known:
                stats.inc_value("archive/articles/unchanged")
        logger.debug("not modified (304): %s", url)
        raise NotModified(f"304 Not Modified: {url}")


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
