"""NewsSpider: discover and fetch one site's articles from its feeds, sitemaps and sections."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.settings import BaseSettings
from scrapy.utils.gz import gunzip
from twisted.python.failure import Failure

from archiver.config import Config, Site, load_config
from archiver.crawl import settings as archive_settings
from archiver.crawl.admission import Admission, CrawlLog
from archiver.crawl.destination import Destination, destination_for
from archiver.crawl.discovery import Entry, Sitemap, parse_feed, parse_sitemap, robots_sitemaps
from archiver.crawl.fetch_errors import FetchErrors
from archiver.crawl.items import RawPage
from archiver.crawl.state_access import CrawlStateAccess
from archiver.extract.page import Hints
from archiver.extract.urls import host_of
from archiver.store.archive import now_iso

logger = logging.getLogger(__name__)

MAX_SITEMAP_DEPTH = 3

class NewsSpider(scrapy.Spider):
    """One site of sites.toml: `scrapy crawl news -a site=NAME`."""

    name = "news"

    site: Site
    allowed_domains: list[str]
    #: where results go (the local archive, or the writer), shared with the components
    destination: Destination
    #: the archive's frontier and revisit state. Not `state`: Scrapy's SpiderState extension
    #: replaces `spider.state` with a dict of its own whenever JOBDIR is set.
    crawl_state: CrawlStateAccess
    #: which discovered URLs are requested (and why the others are not)
    admission: Admission
    crawl_log: CrawlLog  #: stats counters, log lines and the fetch log
    fetch_errors: FetchErrors  #: what a failed request means
    links: LinkExtractor
    run_id: int | None
    max_page_bytes: int  #: a larger (uncompressed) sitemap is not read

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        config = load_config(settings.get("ARCHIVE_CONFIG", "sites.toml"))
        settings.setdict(archive_settings.from_options(config.crawler), priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        config: Config = load_config(crawler.settings.get("ARCHIVE_CONFIG", "sites.toml"))
        name = kwargs.get("site")
        if not name:
            raise ValueError(f"give a site: -a site=NAME (sites: {', '.join(config.sites)})")
        (site,) = config.select([name])
        spider.site = site
        seeds = site.feeds + site.sitemaps + site.start_urls
        spider.allowed_domains = sorted(set(site.domains) | {host_of(u) for u in seeds})
        spider.links = LinkExtractor(unique=True)
        spider.destination = destination_for(crawler)
        spider.destination.site = site
        # Incremental crawling: the archive's revisit state and frontier
        # (see archiver.store.schedule); a no-op one in a worker, whose writer keeps it.
        spider.crawl_state = state = spider.destination.crawl_state()
        spider.run_id = crawler.settings.get("ARCHIVE_RUN_ID")
        spider.max_page_bytes = archive_settings.crawler_options(crawler.settings).max_page_bytes
        spider.crawl_log = CrawlLog(crawler, state, site.name, spider.run_id)
        override = crawler.settings.getint("ARCHIVE_MAX_PAGES", 0)
        spider.admission = Admission(
            site, state, spider.crawl_log, budget=override or site.max_pages,
            max_url_length=crawler.settings.getint("URLLENGTH_LIMIT", 2083))
        spider.fetch_errors = FetchErrors(spider.crawl_log, state, site.revisit)
        return spider

    def closed(self, reason: str) -> None:
        self.destination.close()

    # -- seeds ---------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.site.feeds:
            yield self._seed(url, self.parse_feed, "feed")
        for url in self.site.sitemaps:
            if url.rstrip("/").endswith("/robots.txt"):
                yield self._seed(url, self.parse_robots, "robots")
            else:
                yield self._seed(url, self.parse_sitemap, "sitemap", sitemap_depth=0)
        for url in self.site.start_urls:
            yield self._seed(url, self.parse_listing, "start", hops=0)
        state = self.crawl_state
        # What an earlier, unfinished run discovered: at most half the page budget, so a
        # backlog never starves new articles.
        for entry in state.resumable(self.site.name, max(1, self.admission.budget // 2)):
            hints = Hints(**entry["hints"]) if entry["hints"] else None
            for request in self._candidate(entry["url"], hints=hints, hops=entry["hops"],
                                           resumed=True):
                yield request
        # Revisits come from the archive, not from discovery: a feed that answers 304, or
        # has rotated the article out, must not stop an article being looked at again.
        for url in state.due_urls(self.site.name):
            for request in self._candidate(url):
                yield request

    def _seed(self, url: str, callback: Any, role: str, **meta: Any) -> scrapy.Request:
        url = self.admission.seed(url)
        return scrapy.Request(url, callback=callback, errback=self.on_error,
                              priority=100, meta={"role": role, "seed": True, **meta})

    def _count(self, key: str) -> None:
        self.crawl_log.count(key)

    def _skip(self, reason: str, url: str) -> None:
        self.crawl_log.skip(reason, url)

    # -- discovery callbacks -------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterable[scrapy.Request]:
        self._count("archive/fetched/robots")
        text = response.text if isinstance(response, TextResponse) else response.body.decode(
            "utf-8", "replace")
        for url in robots_sitemaps(text, response.url):
            yield self._seed(url, self.parse_sitemap, "sitemap", sitemap_depth=0)

    def parse_feed(self, response: Response) -> Iterable[scrapy.Request]:
        self._count("archive/fetched/feed")
        entries = parse_feed(response.body, response.url)
        if not entries:
            self._error("feed_unreadable", response.url, "no items in the feed")
        yield from self._discovered(self._feed_requests(entries, response))

    def _feed_requests(self, entries: list[Entry], response: Response
                       ) -> Iterator[scrapy.Request]:
        for entry in entries:
            yield from self._candidate(entry.url, hints=self._hints(entry, "feed"),
                                       modified=entry.modified)
        if entries:
            self._remember_validators(response)

    def parse_sitemap(self, response: Response) -> Iterable[scrapy.Request]:
        self._count("archive/fetched/sitemap")
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.max_page_bytes)
            except (OSError, ValueError) as exc:
                self._error("sitemap_unreadable", response.url, f"bad gzip: {exc}")
                return
        sitemap = parse_sitemap(body, response.url)
        if sitemap is None:
            self._error("sitemap_unreadable", response.url, "not a sitemap")
            return
        yield from self._discovered(self._sitemap_requests(sitemap, response))

    def _sitemap_requests(self, sitemap: Sitemap, response: Response
                          ) -> Iterator[scrapy.Request]:
        depth = response.meta.get("sitemap_depth", 0)
        for entry in sitemap.entries:
            if sitemap.is_index:
                if depth >= MAX_SITEMAP_DEPTH:
                    self._skip("sitemap_too_deep", entry.url)
                    continue
                yield self._seed(entry.url, self.parse_sitemap, "sitemap",
                                 sitemap_depth=depth + 1)
            else:
                via = "news_sitemap" if entry.news else "sitemap"
                yield from self._candidate(entry.url, hints=self._hints(entry, via),
                                           modified=entry.modified)
        if not sitemap.is_index:  # an index may stay unchanged while its sitemaps grow
            self._remember_validators(response)

    def parse_listing(self, response: Response) -> Iterable[scrapy.Request]:
        """A start or section page: used for its links, never stored."""
        role = response.meta.get("role")
        self._count(f"archive/fetched/{'start' if role == 'start' else 'listing'}")
        self._skip("start_page" if role == "start" else "listing_page", response.url)
        yield from self._discovered(self._listing_requests(response))

    def _listing_requests(self, response: Response) -> Iterator[scrapy.Request]:
        yield from self._follow(response)
        self.crawl_state.frontier_done(response.meta.get("archive_url"))

    def parse_page(self, response: Response) -> Iterable[Any]:
        """An article candidate: handed to the pipeline, and its links followed within depth."""
        self._count("archive/fetched/page")
        if not isinstance(response, TextResponse):
            self._skip("not_html", response.url)
            self.crawl_state.frontier_done(response.meta.get("archive_url"))
            return
        yield RawPage(
            site=self.site.name,
            url=response.meta.get("archive_url", response.url),
            final_url=response.url,
            status=response.status,
            headers={k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
                     for k, v in response.headers.items()},
            body=response.body,
            fetched_at=response.meta.get("archive_fetched_at")
            or now_iso(),
            hints=response.meta.get("hints") or Hints(),
            capture_id=response.meta.get("archive_capture"),
            capture_ref=response.meta.get("archive_capture_ref"),
        )
        if self._follows(response):
            yield from self._discovered(self._follow(response))

    # -- links ---------------------------------------------------------------------------

    def _discovered(self, requests: Iterable[scrapy.Request]) -> list[scrapy.Request]:
        """A page's discovered requests, their frontier rows (and its other crawl-state
        writes) committed at once before any is handed to Scrapy.

        One commit per discovered URL was a third of the crawl's commits, on the reactor
        thread (a 2,000-URL sitemap: 2,000 commits; bench/ row 1). The batch holds the write
        lock only while `requests` runs, which does nothing but these reads and writes: the
        requests are yielded after the commit, so a crawl killed later still finds them on
        the frontier.
        """
        return self.crawl_state.discovered(requests)

    def _hints(self, entry: Entry, via: str) -> Hints:
        return Hints(title=entry.title, published=entry.published, language=entry.language,
                     via=via)

    def _follows(self, response: Response) -> bool:
        """Whether the page's links are followed (it was reached within the follow depth)."""
        hops = response.meta.get("hops")
        return (hops is not None and hops < self.site.follow_depth
                and isinstance(response, TextResponse))

    def _follow(self, response: Response) -> Iterable[scrapy.Request]:
        if not isinstance(response, TextResponse) or not self._follows(response):
            return
        hops = response.meta["hops"]
        for link in self.links.extract_links(response):
            yield from self._candidate(link.url, hops=hops + 1)

    def _candidate(self, raw_url: str, *, hints: Hints | None = None,
                   hops: int | None = None, resumed: bool = False,
                   modified: str | None = None) -> Iterable[scrapy.Request]:
        """A request for a discovered URL, if the run's admission takes it (see
        archiver.crawl.admission)."""
        admitted = self.admission.admit(raw_url, hints=hints, hops=hops, resumed=resumed,
                                        modified=modified)
        if admitted is None:
            return
        role = "page" if admitted.is_article else "listing"
        yield scrapy.Request(
            admitted.url, callback=self.parse_page if admitted.is_article else self.parse_listing,
            errback=self.on_error,
            meta={"role": role, "hops": hops, "hints": hints, "archive_url": admitted.url},
        )

    # -- errors --------------------------------------------------------------------------

    def _error(self, kind: str, url: str, message: str, status: int | None = None) -> None:
        self.crawl_log.error(kind, url, message, status)

    def _log_failure(self, url: str, kind: str, message: str, status: int | None = None) -> None:
        self.crawl_log.failure(url, kind, message, status)

    def _remember_validators(self, response: Response) -> None:
        """Keep a feed's or sitemap's ETag / Last-Modified for the next poll's conditional GET."""
        if not self.crawl_state.kept:
            return
        etag, modified = response.headers.get(b"ETag"), response.headers.get(b"Last-Modified")
        if not (etag or modified):
            return
        url = (response.meta.get("redirect_urls") or [response.url])[0]
        self.crawl_state.remember_validators(
            url, self.site.name, etag.decode("latin-1") if etag else None,
            modified.decode("latin-1") if modified else None, now_iso())

    def on_error(self, failure: Failure) -> None:
        """Every request's errback (archiver.crawl.fetch_errors)."""
        self.fetch_errors.handle(failure)
