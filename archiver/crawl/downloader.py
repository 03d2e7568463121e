"""Scrapy's downloader, with `CONCURRENT_REQUESTS_PER_DOMAIN` holding when there is no delay.

Scrapy 2.19's `Downloader._process_queue` hands queued requests to new asyncio tasks while the
slot has free transfer places, but a request counts as transferring only once its task first
runs. With a download delay the loop stops after one request; without one (`download_delay =
0`, AutoThrottle off) it hands over every queued request at once, and a site configured for
`concurrent_per_domain = 1` got eight requests at a time (issue 22; measured on a slow fixture
site, tests/crawl/test_run_limits.py). Counting the request as transferring when it is handed over
makes the limit hold; `_download` adds it again (a set: no change) and removes it when done.
"""

from __future__ import annotations

from typing import Any

from scrapy.core.downloader import Downloader as ScrapyDownloader


class Downloader(ScrapyDownloader):
    """`DOWNLOADER` for archiver: the per-domain concurrency limit counts requests handed to
    a download task, not only those whose task has started."""

    def _wait_for_download(self, slot: Any, request: Any, queue_dfd: Any) -> Any:
        slot.transferring.add(request)  # before the task runs: the next loop turn sees it
        return super()._wait_for_download(slot, request, queue_dfd)
