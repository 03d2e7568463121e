"""Where a crawl's results go: the one interface the Scrapy components write through.

`archiver crawl` and `archiver worker` run the same spider, pipeline and middlewares. What
differs is where validators come from and where a capture's index row, an article, a skipped
page or a 304 go: the local archive (`archiver.crawl.local.LocalDestination`), or Redis
messages to the writer (`archiver.distributed.redis_destination.RedisDestination`). Each
crawler has one destination, named by the `ARCHIVE_DESTINATION` setting and shared by its
components through `destination_for`, with the crawl's one `CrawlStop`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from weakref import WeakKeyDictionary

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.utils.misc import load_object

from archiver.config import Site
from archiver.extract.page import Article, Extraction, Hints

if TYPE_CHECKING:
    from archiver.crawl.items import RawPage
    from archiver.crawl.state_access import CrawlStateAccess
    from archiver.warc.files import Exchange, WarcWriter

logger = logging.getLogger(__name__)

LOCAL = "archiver.crawl.local.LocalDestination"


class CrawlStop:
    """The crawl's "results can no longer be kept" switch: one per crawler, shared by the
    spider, the pipeline and the middlewares, so the failure is said once and the crawl is
    closed once, by whichever part met it first."""

    def __init__(self, crawler: Crawler, what: str = "the crawl") -> None:
        self.crawler = crawler
        self.what = what  #: what stops, in the log line ("the crawl", "this worker")
        self.stopped = False
        #: the engine's closing, kept so the task is not collected; closing waits for the
        #: items in flight, the caller's among them, so nobody awaits it
        self.closing: asyncio.Future | None = None

    def stop(self, why: str) -> None:
        """Log `why` once and close the crawl (reason `archive_unwritable`); later calls do
        nothing."""
        if self.stopped:
            return
        self.stopped = True
        logger.error("%s; stopping %s", why, self.what)
        engine = self.crawler.engine
        if engine is not None:
            self.closing = asyncio.ensure_future(
                engine.close_spider_async(reason="archive_unwritable"))


@dataclass(frozen=True)
class KeptCapture:
    """A response kept in WARC: its record type and how the page names it later."""

    kind: str  #: "response" or "revisit" (counted as `archive/captures/<kind>`)
    capture_id: int | None = None  #: its `captures` row (local archive)
    ref: dict[str, Any] | None = None  #: where its WARC record is (a worker's capture)


class Destination(Protocol):
    """What the crawl components need from where results go (see the module docstring).

    Writes raise one of `failures` when they cannot be done; the components count them as
    `archive/errors/<error_key>`.
    """

    stop: CrawlStop
    #: the site this crawler crawls (set by the spider when it is made)
    site: Site | None
    #: request roles sent conditionally (with the validators `validators` finds)
    conditional_roles: frozenset[str]
    failures: tuple[type[Exception], ...]
    error_key: str
    #: in the WARC files' `software` field: who wrote them
    software: str

    def crawl_state(self) -> CrawlStateAccess:
        """The spider's frontier and revisit state (a no-op one where there is none)."""
        ...

    def open(self) -> None:
        """The site's crawl begins (the pipeline opens)."""
        ...

    def close(self) -> None:
        """The crawl ended: let go of what it holds (idempotent)."""
        ...

    # -- conditional GET -----------------------------------------------------------------

    def conditional_unavailable(self) -> str | None:
        """Why conditional requests cannot be made here, or None."""
        ...

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        """The (ETag, Last-Modified) known for `url`, or None."""
        ...

    def not_modified(self, request: Request, site: Site, *, url: str, seen_at: str,
                     etag: str | None, last_modified: str | None) -> bool:
        """An archived page answered 304; True when it is (as far as known) archived."""
        ...

    # -- WARC captures -------------------------------------------------------------------

    def warc_directory(self) -> Path: ...

    def warc_prefix(self, site: str | None) -> str:
        """The start of this crawl's WARC file names (no two writers share a file)."""
        ...

    def keep_capture(self, writer: WarcWriter, exchange: Exchange, *, site: str | None,
                     role: str | None, hints: Hints | None) -> KeptCapture:
        """Write one response to WARC with `writer`, and index it (or have it indexed)."""
        ...

    # -- pages, after extraction ---------------------------------------------------------

    @property
    def refusing(self) -> bool:
        """True once a page's write failed in a way that stops the crawl: drop the rest."""
        ...

    def save_article(self, item: RawPage, site: Site, article: Article) -> str | None:
        """Keep an article: its outcome (counted as `archive/articles/<outcome>`), or None
        when it could not be kept (the failure already counted and said)."""
        ...

    def record_skip(self, item: RawPage, result: Extraction) -> None:
        """A page judged not to be an article: recorded with its reason and score."""
        ...

    def give_up(self, item: RawPage, error: str, message: str) -> None:
        """A page that will not be stored (its extraction failed): logged, off the frontier."""
        ...


_destinations: WeakKeyDictionary[Crawler, Destination] = WeakKeyDictionary()


def destination_for(crawler: Crawler) -> Destination:
    """The crawler's destination, made on first use from its `ARCHIVE_DESTINATION` setting
    (an import path; the local archive by default) and shared by all its components."""
    destination = _destinations.get(crawler)
    if destination is None:
        cls = load_object(crawler.settings.get("ARCHIVE_DESTINATION") or LOCAL)
        destination = cls(crawler)
        _destinations[crawler] = destination
    return destination
