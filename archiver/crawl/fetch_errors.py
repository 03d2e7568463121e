"""What a failed request means for the crawl: an error, a counted skip, or nothing at all.

Every request of the spider has this as its errback. A seed that fails is an error (the site
may have gone quiet); a page that fails is mostly a limit doing its job (too large, too slow,
too many redirects, an HTTP error): a counted skip with a line in the fetch log. A page that
may answer next time (a timeout, a download error) stays on the frontier; an archived
article's failed revisit waits for its next scheduled look.
"""

from __future__ import annotations

import logging

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archiver.crawl.admission import CrawlLog
from archiver.crawl.middlewares import NotModified
from archiver.crawl.state_access import CrawlStateAccess
from archiver.store.archive import now_iso

logger = logging.getLogger("archiver.crawl.spider")  # the spider's log, as it always was

#: Download failures that are a limit doing its job: counted skips, not errors (for pages).
_LIMIT_SKIPS = {"DownloadCancelledError": "too_large", "DownloadTimeoutError": "timeout",
                "TimeoutError": "timeout"}


def limit_of(kind: str, message: str) -> str | None:
    """The limit a failure of type `kind` (with `message`) is, if it is one."""
    if "IgnoreRequest" in kind and "max redirections" in message:
        return "redirect_limit"
    if "IgnoreRequest" in kind and "during decompression" in message:
        return "too_large"
    if kind == "ValueError":  # a redirect to javascript: or another unusable URL
        return "bad_redirect"
    return _LIMIT_SKIPS.get(kind)


class FetchErrors:
    """The spider's errback (see the module docstring)."""

    def __init__(self, log: CrawlLog, state: CrawlStateAccess, revisit: tuple[int, ...]) -> None:
        self.log = log
        self.state = state
        self.revisit = revisit  #: the site's revisit schedule

    def handle(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        seed = request.meta.get("seed", False)
        if failure.check(NotModified):  # 304: handled by the conditional-GET middleware
            return
        if failure.check(HttpError):
            self._http_error(request, failure.value.response.status, seed)
            return
        kind = failure.type.__name__ if failure.type else "error"
        message = str(failure.value)
        if request.meta.get("archive_skip"):  # refused by a guard, which counted and logged it
            if seed:
                self.log.error("seed_refused", request.url, message[:300])
            self.state.frontier_done(request.meta.get("archive_url"))
            return
        limit = limit_of(kind, message)
        if limit == "too_large" and not message:
            message = "body larger than DOWNLOAD_MAXSIZE"
        if limit and not seed:
            self.log.count(f"archive/skipped/{limit}")
            logger.warning("skipped (%s): %s: %s", limit, request.url, message[:200])
            self.log.failure(request.url, limit, message[:300])
            if limit == "timeout":  # may answer next time: stays on the frontier
                self._revisit_failed(request)
            else:
                self.state.frontier_done(request.meta.get("archive_url"))
            return
        if "IgnoreRequest" in kind:  # robots.txt or an offsite redirect: a skip, not an error
            robots = "robots.txt" in str(failure.value)
            self.log.skip("robots_txt" if robots else "ignored_request", request.url)
            self.state.frontier_done(request.meta.get("archive_url"))
            return
        # A download error (timeout, refused): the URL stays on the frontier for the next run.
        self.log.error(f"download_{kind}", request.url, str(failure.value)[:300])
        self._revisit_failed(request)

    def _http_error(self, request: scrapy.Request, status: int, seed: bool) -> None:
        if seed:
            self.log.error(f"seed_http_{status}", request.url, f"HTTP {status}", status)
            return
        self.log.skip(f"http_{status}", request.url)
        logger.info("skipped (HTTP %s): %s", status, request.url)
        self.log.failure(request.url, f"http_{status}", f"HTTP {status}", status)
        self.state.frontier_done(request.meta.get("archive_url"))
        self._revisit_failed(request)

    def _revisit_failed(self, request: scrapy.Request) -> None:
        """A failed revisit of an archived article waits for its next scheduled look."""
        url = request.meta.get("archive_url")
        if not url or request.meta.get("role") != "page":
            return
        self.state.mark_checked(url, now_iso(), self.revisit)
