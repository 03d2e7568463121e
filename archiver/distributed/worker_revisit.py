"""A distributed worker's conditional GET: validators from Redis out, 304 answers to the writer.

`archiver crawl` reads an archived page's ETag / Last-Modified from the archive. A worker has no
archive: the writer publishes the validators of each page it commits into Redis
(`archiver.distributed.state.Validators`), and this middleware sends them as `If-None-Match` /
`If-Modified-Since` when the page is requested again (a revisit: the page's fingerprint expired
from the seen-set). A 304 answer becomes a `not_modified` message; the writer records it as
`archiver crawl` does (`last_seen` moves, the revisit schedule advances, no new revision).
Switch it off with `ARCHIVE_CONDITIONAL_GET = False`.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from archiver.crawl.middlewares import (
    NotModified,
    _header,
    forget_validators_on_redirect,
    make_conditional,
)
from archiver.distributed import state as shared
from archiver.distributed.scheduler import META_KEY

logger = logging.getLogger(__name__)

#: Request roles sent conditionally by a worker: article pages (their validators come from the
#: writer, who knows they are archived). Feeds and sitemaps are polled in full.
CONDITIONAL_ROLES = {"page"}


def not_modified_message(site: str, url: str, *, seen_at: str, etag: str | None,
                         last_modified: str | None, revisit: tuple[int, ...] | list[int],
                         worker: str) -> bytes:
    """The JSON a worker pushes when an archived page answered 304."""
    return json.dumps({
        "type": "not_modified", "site": site, "url": url, "seen_at": seen_at,
        "etag": etag, "last_modified": last_modified, "revisit": list(revisit),
        "worker": worker,
    }).encode("utf-8")


class SharedConditionalGetMiddleware:
    """Adds the writer's published validators to page requests; turns 304 into `unchanged`."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        client = shared.connect(settings.get("ARCHIVE_REDIS_URL"))
        self.validators = shared.Validators(client)
        self.items = shared.ItemQueue(client)
        self.worker = settings.get("ARCHIVE_WORKER_ID") or ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedConditionalGetMiddleware:
        if not crawler.settings.getbool("ARCHIVE_WORKER_CONDITIONAL_GET", True):
            raise NotConfigured("conditional GET is off")
        if not crawler.settings.get("ARCHIVE_REDIS_URL"):
            raise NotConfigured("no ARCHIVE_REDIS_URL")
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if request.meta.get("role") not in CONDITIONAL_ROLES:
            return None
        if forget_validators_on_redirect(request):
            return None
        try:
            found = self.validators.get(request.url)
        except shared.redis.RedisError as exc:  # a full fetch instead: nothing is lost
            logger.warning("redis: no validators for %s: %s", request.url, exc)
            return None
        if found is None:
            return None
        make_conditional(request, *found)
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status != 304 or not request.meta.get("conditional"):
            return response
        spider = self.crawler.spider
        stats = self.crawler.stats
        role = request.meta.get("role")
        stats.inc_value(f"archive/not_modified/{role}")
        url = request.meta.get("archive_url", request.url)
        message = not_modified_message(
            spider.site.name, url,
            seen_at=request.meta.get("archive_fetched_at")
            or datetime.now(UTC).replace(microsecond=0).isoformat(),
            etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified"),
            revisit=spider.site.revisit, worker=self.worker)
        try:
            self.items.push(message)
        except shared.redis.RedisError as exc:
            # Not acknowledged: the request returns to the frontier when this worker stops.
            stats.inc_value("archive/errors/redis")
            logger.error("redis: cannot push 304 of %s: %s", url, exc)
            raise NotModified(str(exc)) from None
        stats.inc_value("archive/articles/unchanged")
        # The errback (which ignores NotModified) does not pass the spider middleware that
        # acknowledges requests: acknowledge here, now that the writer will hear of it.
        scheduler = getattr(spider, "frontier_scheduler", None)
        if scheduler is not None:
            scheduler.part_done(request.meta.get(META_KEY))
        logger.debug("not modified (304): %s", url)
        raise NotModified(f"304 Not Modified: {url}")
