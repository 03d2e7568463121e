"""scrapy-redis's scheduler adapted: requests survive a worker's death, fingerprints expire.

scrapy-redis 0.9.1 gives the shape: a Scheduler whose queue and duplicate filter live in Redis.
It pops requests destructively (a killed worker loses what it held), keeps fingerprints in a set
that only grows, and calls Scrapy APIs with the old `spider=` arguments. The subclasses here
keep its plumbing (settings, connection, request (de)serialisation) and change those parts:
requests are acknowledged (see `archiver.distributed.redis_state.Frontier`), fingerprints expire
(`SeenSet`), and each site of sites.toml gets its own keys.

A request counts as done when its callback's output has been consumed and every item it
yielded has left the item pipeline (scraped, dropped or failed); a download failure is done at
once. The spider middleware and the signal handlers below feed that count.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any
from weakref import WeakKeyDictionary

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base as RedisQueueBase
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet.task import LoopingCall

from archiver.crawl.destination import destination_for
from archiver.distributed import redis_state

logger = logging.getLogger(__name__)

META_KEY = "frontier_id"
HEARTBEAT_SECONDS = 1.0
#: open schedulers per worker id in this process (one per site): the worker is alive until
#: the last one closes
_open: Counter[str] = Counter()
#: each crawler's scheduler, for the middlewares (and the 304 path) that acknowledge requests
_schedulers: WeakKeyDictionary[Crawler, DistributedScheduler] = WeakKeyDictionary()


def acknowledger(crawler: Crawler) -> DistributedScheduler | None:
    """The crawler's distributed scheduler, which acknowledges its requests (None when the
    crawl is not distributed)."""
    return _schedulers.get(crawler)


class ExpiringDupeFilter(RFPDupeFilter):
    """scrapy-redis's duplicate filter over an expiring seen-set, one per site."""

    def __init__(self, seen: redis_state.SeenSet, fingerprint: Any, debug: bool = False) -> None:
        super().__init__(seen.r, key=seen.key, debug=debug)
        self.seen = seen
        self.fingerprint = fingerprint
        self.checks = 0

    def request_seen(self, request: Request) -> bool:
        self.checks += 1
        if self.checks % 5000 == 0:
            self.seen.prune()
        return self.seen.add(self.fingerprint(request))

    def close(self, reason: str = "") -> None:
        """Keep the fingerprints: other workers share them (scrapy-redis deletes them)."""

    def log(self, request: Request, spider: Spider) -> None:
        if self.debug:
            self.logger.debug("Filtered duplicate request: %s", request)


class AckQueue(RedisQueueBase):
    """scrapy-redis's queue interface over a `Frontier`: pops are acknowledged, not final."""

    def __init__(self, frontier: redis_state.Frontier, spider: Spider) -> None:
        super().__init__(frontier.r, spider, frontier.queue_key)
        self.frontier = frontier

    def __len__(self) -> int:
        return self.frontier.queued()

    def push(self, request: Request) -> None:
        replaces = request.meta.get(META_KEY)
        request.meta.pop(META_KEY, None)
        self.frontier.push(self._encode_request(request), request.priority, replaces=replaces)

    def pop(self, timeout: int = 0) -> Request | None:
        got = self.frontier.pop()
        if got is None:
            return None
        rid, data = got
        request = self._decode_request(data)
        request.meta[META_KEY] = rid
        return request

    def clear(self) -> None:
        self.frontier.clear()


class DistributedScheduler(RedisScheduler):
    """The worker's scheduler: shared frontier, expiring fingerprints, acknowledgements.

    Settings: ARCHIVE_REDIS_URL, ARCHIVE_WORKER_ID, ARCHIVE_SEEN_TTL (seconds a fingerprint is
    remembered), ARCHIVE_IDLE_EXIT (seconds with an empty frontier, nothing in flight anywhere,
    after which the worker stops; 0: wait for new seeds forever).
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.client = redis_state.connect(settings.get("ARCHIVE_REDIS_URL"))
        super().__init__(self.client, persist=True, idle_before_close=0)
        self.crawler = crawler
        self.stats = crawler.stats
        self.worker = settings.get("ARCHIVE_WORKER_ID") or redis_state.worker_id()
        self.seen_ttl = settings.getfloat("ARCHIVE_SEEN_TTL", 30 * 86400)
        self.idle_exit = settings.getfloat("ARCHIVE_IDLE_EXIT", 0)
        self.frontier: redis_state.Frontier | None = None
        self.pending: dict[str, int] = {}  # request id -> unfinished parts (callback, items)
        self.items: dict[int, str] = {}  # id(item) -> request id
        self.idle_since: float | None = None
        self.beat = LoopingCall(self._heartbeat)
        crawler.signals.connect(self._spider_idle, signal=signals.spider_idle)
        for signal in (signals.item_scraped, signals.item_dropped):
            crawler.signals.connect(self._item_done, signal=signal)
        crawler.signals.connect(self._item_failed, signal=signals.item_error)
        # The engine looks for new requests every 5 s when it has none; other workers fill
        # the shared queue at any moment, so look more often. (A private attribute: if it
        # goes away, workers only react more slowly.)
        if crawler.engine is not None and hasattr(crawler.engine, "_SLOT_HEARTBEAT_INTERVAL"):
            crawler.engine._SLOT_HEARTBEAT_INTERVAL = 0.5

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedScheduler:
        return cls(crawler)

    def open(self, spider: Spider) -> None:
        self.spider = spider
        configured = destination_for(self.crawler).site
        if configured is None:
            raise ValueError("a worker's spider crawls one site of sites.toml")
        site = configured.name
        self.frontier = frontier = redis_state.Frontier(self.client, site, self.worker)
        self.queue = AckQueue(frontier, spider)
        fingerprinter = self.crawler.request_fingerprinter
        self.df = ExpiringDupeFilter(redis_state.SeenSet(self.client, site, self.seen_ttl),
                                     fingerprinter.fingerprint,
                                     debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"))
        self.df.seen.prune()
        redis_state.heartbeat(self.client, self.worker)
        _open[self.worker] += 1
        recovered = frontier.recover()
        if recovered:
            logger.info("took back %d requests from dead workers", recovered)
        logger.info("worker %s on site %s: %d requests queued", self.worker, site, len(self))
        self.beat.start(HEARTBEAT_SECONDS, now=False)
        _schedulers[self.crawler] = self

    def close(self, reason: str) -> None:
        if self.beat.running:
            self.beat.stop()
        if self.frontier is not None:
            # Whatever this worker still holds (a shutdown mid-page) goes back to the queue.
            back = self.frontier.recover(include_self=True)
            if back:
                logger.info("returned %d unfinished requests to the frontier", back)
            _open[self.worker] -= 1
        if _open[self.worker] <= 0:
            redis_state.retire(self.client, self.worker)

    # -- queueing ------------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        # A request with a frontier id is a retry or redirect of one this worker holds: it
        # replaces that one in the queue, bypassing the duplicate filter.
        rid = request.meta.get(META_KEY)
        if rid is None and not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            self.stats.inc_value("archive/distributed/duplicates")
            return False
        if (rid is None and not request.meta.get("seed") and self.frontier is not None
                and not self.frontier.take_budget()):
            self.stats.inc_value("archive/skipped/page_budget")  # max_pages, across workers
            return False
        if rid is not None:
            self.pending.pop(rid, None)
        self.queue.push(request)
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        request = self.queue.pop()
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
            self.pending[request.meta[META_KEY]] = 1  # the callback (or errback) to come
        return request

    def has_pending_requests(self) -> bool:
        return len(self) > 0

    # -- acknowledgement -----------------------------------------------------------------

    def track_item(self, rid: str, item: Any) -> None:
        """An item yielded for request `rid`: the request is done only once it is."""
        if rid in self.pending:
            self.pending[rid] += 1
            self.items[id(item)] = rid

    def part_done(self, rid: str | None) -> None:
        """One part of request `rid` finished; acknowledge it once all have."""
        if rid is None or rid not in self.pending:
            return
        self.pending[rid] -= 1
        if self.pending[rid] <= 0:
            del self.pending[rid]
            if self.frontier is not None:
                self.frontier.ack(rid)

    def _item_done(self, item: Any, **kwargs: Any) -> None:
        self.part_done(self.items.pop(id(item), None))

    def _item_failed(self, item: Any, **kwargs: Any) -> None:
        """An unexpected pipeline error (Redis gone): keep the request unacknowledged, so it
        goes back to the queue when this worker stops."""
        self.items.pop(id(item), None)

    # -- liveness and the end of the crawl -----------------------------------------------

    def _heartbeat(self) -> None:
        try:
            redis_state.heartbeat(self.client, self.worker)
            recovered = self.frontier.recover() if self.frontier else 0
        except redis.RedisError as exc:
            logger.error("redis: %s", exc)
            return
        if recovered:
            logger.info("took back %d requests from dead workers", recovered)
            self.stats.inc_value("archive/distributed/recovered", recovered)

    def _spider_idle(self) -> None:
        """Keep the worker open while the shared frontier may still grow."""
        busy = len(self) > 0 or (self.frontier is not None and self.frontier.in_flight() > 0)
        now = time.monotonic()
        if busy or self.idle_exit <= 0:
            self.idle_since = None
            raise DontCloseSpider
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_exit:
            raise DontCloseSpider


class FrontierAckMiddleware:
    """Spider middleware: drops the spider's own seeds and counts each request's items.

    In a worker the seeds come from `archiver crawl --distributed`, through the frontier, so
    the spider's `start()` output is discarded; every callback output is watched so its request
    is acknowledged only after its items are through the pipeline.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierAckMiddleware:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for _ in start:
            pass
        return
        yield  # an async generator that yields nothing

    async def process_spider_output(self, response: Response,
                                    result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        scheduler = acknowledger(self.crawler)
        rid = response.request.meta.get(META_KEY) if response.request else None
        try:
            async for output in result:
                if scheduler is not None and rid and not isinstance(output, Request):
                    scheduler.track_item(rid, output)
                yield output
        finally:
            if scheduler is not None:
                scheduler.part_done(rid)


class FrontierAckDownloaderMiddleware:
    """Downloader middleware: a request whose download failed is done (after its errback)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierAckDownloaderMiddleware:
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception) -> None:
        scheduler = acknowledger(self.crawler)
        if scheduler is not None:
            # The errback runs next and yields nothing: nothing more to wait for. A retry
            # re-enqueues the request under its id and so replaces it in the queue.
            scheduler.part_done(request.meta.get(META_KEY))
        return None
