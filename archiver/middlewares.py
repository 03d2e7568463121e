"""Downloader middleware: conditional GET for revisits and feed polls, from stored validators.

A request for an archived article that is due, or for a feed or sitemap polled before, gets
`If-None-Match` / `If-Modified-Since` from the validators the archive kept. A 304 answer is
the page saying "unchanged": for an article it moves `last_seen` and counts as unchanged,
without downloading or extracting anything; for a feed it means there is nothing new to read.
Switch it off with `ARCHIVE_CONDITIONAL_GET = False`.
"""

from __future__ import annotations

import logging

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from .errors import ArchiverError
from .store import Store, now_iso

logger = logging.getLogger(__name__)

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
        if request.meta.get("redirect_urls"):
            # A redirect target is another resource: the first URL's validators do not apply.
            for name in (b"If-None-Match", b"If-Modified-Since"):
                request.headers.pop(name, None)
            request.meta.pop("conditional", None)
            return None
        found = self.store.validators(request.url)
        if found is None:
            return None
        etag, last_modified = found
        if etag:
            request.headers.setdefault(b"If-None-Match", etag.encode("latin-1", "replace"))
        if last_modified:
            request.headers.setdefault(b"If-Modified-Since",
                                       last_modified.encode("latin-1", "replace"))
        request.meta["conditional"] = True
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
