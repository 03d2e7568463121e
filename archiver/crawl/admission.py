"""Which discovered URLs a crawl requests, and, for every other one, the counted reason why not.

The spider finds URLs (feeds, sitemaps, links, the frontier an earlier run left, revisits
due); `Admission` decides on each: normalised and not too long, not seen this run, on the
site's domains, allowed by its patterns, new or due for a revisit, within the page budget. A
URL worth requesting is remembered on the frontier before it is requested, so a killed crawl
finds it again. `CrawlLog` is how the crawl says what it did with a URL: a stats counter, a
log line and, for failures, a line of the archive's fetch log.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from scrapy.crawler import Crawler

from archiver.config import Site
from archiver.crawl.state_access import CrawlStateAccess
from archiver.extract.page import Hints
from archiver.extract.urls import matches_any, normalize, on_domains
from archiver.store.schedule import FUTURE, MALFORMED, NEWER, site_modified

logger = logging.getLogger("archiver.crawl.spider")  # the spider's log, as it always was

#: A frontier URL requested this many times by successive runs without an outcome is dropped.
MAX_FRONTIER_ATTEMPTS = 5


class CrawlLog:
    """Counts (Scrapy stats `archive/...`), logs and records in `fetch_log` what a crawl did."""

    def __init__(self, crawler: Crawler, state: CrawlStateAccess, site: str,
                 run_id: int | None) -> None:
        self.crawler = crawler  # its stats exist once the crawl starts: read when counting
        self.state = state
        self.site = site
        self.run_id = run_id

    def count(self, key: str) -> None:
        self.crawler.stats.inc_value(key)

    def skip(self, reason: str, url: str) -> None:
        self.count(f"archive/skipped/{reason}")
        logger.debug("skipped (%s): %s", reason, url)

    def error(self, kind: str, url: str, message: str, status: int | None = None) -> None:
        self.count(f"archive/errors/{kind}")
        logger.error("%s: %s: %s", kind, url, message)
        self.failure(url, kind, message, status)

    def failure(self, url: str, kind: str, message: str, status: int | None = None) -> None:
        """A line in the archive's `fetch_log`, for the analyst asking why a site went quiet."""
        self.state.log_failure(self.run_id, self.site, url, kind, message, status)


@dataclass(frozen=True)
class Admitted:
    """A discovered URL this run requests."""

    url: str  #: normalised
    is_article: bool  #: a page to extract (else a listing, used for its links)


class Admission:
    """The run's decisions on discovered URLs (see the module docstring)."""

    def __init__(self, site: Site, state: CrawlStateAccess, log: CrawlLog, *, budget: int,
                 max_url_length: int) -> None:
        self.site = site
        self.state = state
        self.log = log
        self.budget = budget  #: pages this run may request
        self.max_url_length = max_url_length
        self.requested = 0
        self.seen: set[str] = set()
        self.allow_re = site.allow_re
        self.deny_re = site.deny_re

    def seed(self, url: str) -> str:
        """A seed's URL, normalised; a link back to it is not a second request."""
        url = normalize(url) or url
        self.seen.add(url)
        return url

    def admit(self, raw_url: str, *, hints: Hints | None = None, hops: int | None = None,
              resumed: bool = False, modified: str | None = None) -> Admitted | None:
        """The URL to request, or None with a counted skip saying why there is none.

        `modified` is when the feed or sitemap says the page last changed: newer than the
        archive's last fetch, it makes an archived article due ahead of its schedule.
        `resumed`: the URL comes from the frontier an earlier run left.
        """
        url = normalize(raw_url)
        if url is None:
            self.log.skip("bad_url", raw_url[:200])
            return None
        if len(url) > self.max_url_length:
            self.log.skip("url_too_long", url[:200])
            return None
        if url in self.seen:
            if resumed:
                self.state.frontier_done(url)  # a seed this run requests anyway
            return None
        self.seen.add(url)
        if not on_domains(url, self.site.domains):
            self.log.skip("offsite", url)
            return None
        if matches_any(url, self.deny_re):
            self.log.skip("denied_by_pattern", url)
            return None
        is_article = not self.allow_re or matches_any(url, self.allow_re)
        if not is_article and (hops is None or hops >= self.site.follow_depth):
            self.log.skip("not_allowed_by_pattern", url)
            return None
        return self._within_budget(url, is_article, hints=hints, hops=hops, resumed=resumed,
                                   modified=modified)

    def _within_budget(self, url: str, is_article: bool, *, hints: Hints | None,
                       hops: int | None, resumed: bool, modified: str | None
                       ) -> Admitted | None:
        """A URL the site's rules allow: requested if new or due, and the budget allows."""
        state = self.state
        revisit = self.revisit_reason(url, modified) if is_article else "new"
        if revisit is None:
            self.log.skip("not_due", url)  # archived, and not due for a revisit
            if resumed:
                state.frontier_done(url)
            return None
        if not resumed:  # remembered until dealt with, even if killed
            state.frontier_add(self.site.name, url, "page" if is_article else "listing", hops,
                               asdict(hints) if hints else None)
        if self.requested >= self.budget:
            self.log.skip("page_budget", url)  # stays on the frontier for the next run
            return None
        if resumed:
            if state.frontier_attempt(url) > MAX_FRONTIER_ATTEMPTS:
                state.frontier_done(url)
                self.log.error("gave_up", url, f"no outcome after {MAX_FRONTIER_ATTEMPTS} runs")
                return None
            self.log.count("archive/resumed")
        if revisit != "new":
            self.log.count(f"archive/revisits/{revisit}")
            state.record_revisit(url, self.site.name, self.log.run_id, revisit, modified)
        self.requested += 1
        return Admitted(url, is_article)

    def revisit_reason(self, url: str, modified: str | None) -> str | None:
        """Why an article URL is requested: `new` (not archived), `schedule` (its revisit is
        due), `lastmod` (the site's date says it changed since the archive's last fetch);
        None when it is archived and neither says so."""
        due, last_fetch = self.state.revisit_state(url, self.site.revisit)
        if last_fetch is None:
            return "new" if due else None
        if due:
            return "schedule"
        verdict = site_modified(modified, last_fetch)
        if verdict == NEWER:
            return "lastmod"
        if verdict in (MALFORMED, FUTURE):  # a date that cannot be trusted: counted, ignored
            self.log.count(f"archive/lastmod_ignored/{verdict}")
            logger.info("site date ignored (%s): %r: %s", verdict, (modified or "")[:100], url)
        elif verdict is not None:
            self.log.count(f"archive/lastmod/{verdict}")
        return None
