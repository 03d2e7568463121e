"""Per-domain politeness shared by all workers: a downloader middleware taking leases in Redis.

Scrapy's DOWNLOAD_DELAY and CONCURRENT_REQUESTS_PER_DOMAIN hold inside one process; N workers
would hit a site N times as hard. Here each request first takes a lease for its domain from
Redis (`archiver.distributed.redis_state.DomainLeases`): at most the configured concurrency at
once, the configured delay between request starts, across every worker on every host. A lease
held by a worker that dies is freed once its liveness key expires (or, at the latest, after the
download timeout).
"""

from __future__ import annotations

import asyncio
import logging

import redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from archiver.config import CrawlerOptions
from archiver.crawl.settings import crawler_options
from archiver.distributed import redis_state

logger = logging.getLogger(__name__)

LEASE_META = "archive_domain_lease"


class SharedPolitenessMiddleware:
    """Takes a domain lease before each download and gives it back when the download ends.

    Settings: ARCHIVE_REDIS_URL (off without it), ARCHIVE_SHARED_DELAY (seconds between
    request starts per domain), CONCURRENT_REQUESTS_PER_DOMAIN (leases per domain).
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        url = settings.get("ARCHIVE_REDIS_URL")
        if not url:
            raise NotConfigured("no ARCHIVE_REDIS_URL")
        self.stats = crawler.stats
        options = crawler_options(settings)
        self.leases = redis_state.DomainLeases(
            redis_state.connect(url),
            concurrency=options.concurrent_per_domain,
            # a worker's DOWNLOAD_DELAY is 0: run_worker gives the configured one here
            delay=settings.getfloat("ARCHIVE_SHARED_DELAY", CrawlerOptions().download_delay),
            lease_seconds=options.download_timeout + 10,
            worker=settings.get("ARCHIVE_WORKER_ID") or "",
        )
        self.local: dict[str, asyncio.Semaphore] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPolitenessMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        domain = urlparse_cached(request).hostname or ""
        # At most `concurrency` requests of this worker ask Redis; the rest queue here.
        local = self.local.setdefault(domain, asyncio.Semaphore(self.leases.concurrency))
        async with local:
            backoff = 0.005
            waits = 0
            while True:
                lease, wait = self.leases.try_acquire(domain)
                if lease is not None:
                    break
                waits += 1
                if wait < 0.02:  # all leases held: poll, backing off to 50 ms
                    wait, backoff = backoff, min(backoff * 2, 0.05)
                await asyncio.sleep(wait)
        request.meta[LEASE_META] = lease
        if waits:
            self.stats.inc_value("archive/distributed/lease_waits")

    def _release(self, request: Request) -> None:
        lease = request.meta.pop(LEASE_META, None)
        if lease is not None:
            try:
                self.leases.release(lease)
            except redis.RedisError as exc:  # it expires by itself
                logger.warning("redis: cannot release lease for %s: %s", lease.domain, exc)

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._release(request)
        return None
