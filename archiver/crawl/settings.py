"""Scrapy settings for archiver: polite defaults, and the mapping from `[crawler]` options.

Each `[crawler]` option is declared once, in archiver.config.CrawlerOptions (type, default,
reason, and the setting it becomes); this module sets those settings to their declared
defaults (`from_options(CrawlerOptions())`, at the end), and the components read them back as
options with `crawler_options`.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from scrapy.settings import BaseSettings

from archiver.config import CrawlerOptions, crawler_option_types

BOT_NAME = "archiver"
SPIDER_MODULES = ["archiver.crawl.spider"]
NEWSPIDER_MODULE = "spiders"

# Politeness: robots.txt obeyed, AutoThrottle, at most 2 requests at a time per domain (the
# `[crawler]` defaults, set below), AutoThrottle's own limits here.
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Scrapy's own downloader lets the per-domain limit slip when there is no download delay
# (archiver/crawl/downloader.py).
DOWNLOADER = "archiver.crawl.downloader.Downloader"
# Items of one response handled at once. Scrapy starts this many tasks for every response's
# output; a page yields one item (a listing or sitemap only requests, scheduled at once), so
# the default 100 cost ~200 idle tasks a page on the reactor thread (bench/, issue 8).
CONCURRENT_ITEMS = 8

# Limits: a news page is never 1 GiB, nor worth waiting 3 minutes for (DOWNLOAD_TIMEOUT and
# DOWNLOAD_MAXSIZE are `[crawler]` options; CLOSESPIDER_TIMEOUT, the whole run's time budget,
# is `run_timeout`).
#: DOWNLOAD_WARNSIZE: a warning for pages past this size (or past max_page_bytes, if smaller)
WARNSIZE = 4 * 1024 * 1024
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
METAREFRESH_MAXDELAY = 0
URLLENGTH_LIMIT = 2083
MEMUSAGE_ENABLED = True
MEMUSAGE_LIMIT_MB = 1024  # the crawl closes itself (exit 3) rather than eat the machine
MEMUSAGE_WARNING_MB = 768
MEMUSAGE_CHECK_INTERVAL_SECONDS = 10.0

# Hostile-web guards (archiver/crawl/guards.py): no file:/data:/s3:/ftp: fetching at all, no
# non-public addresses unless the config allows them, robots.txt fails closed, Retry-After.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "s3": None, "ftp": None}
DOWNLOADER_MIDDLEWARES = {
    "archiver.crawl.guards.AddressGuardMiddleware": 60,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "archiver.crawl.guards.FailClosedRobotsTxtMiddleware": 100,
    "archiver.crawl.guards.RetryAfterMiddleware": 560,
    # Conditional GET for revisits and feed polls (If-None-Match / If-Modified-Since, 304).
    "archiver.crawl.middlewares.ConditionalGetMiddleware": 900,
    # Next to the downloader, so it sees every response as received (before decompression).
    "archiver.crawl.middlewares.WarcCaptureMiddleware": 950,
}
TWISTED_DNS_RESOLVER = "archiver.crawl.guards.GuardedResolver"

# The archive needs no cookies; without the cookie middleware tldextract never reaches for
# the public suffix list online.
COOKIES_ENABLED = False
# No listening sockets (issue 22): a cron crawl must not open a code-execution endpoint on the
# host. Scrapy's telnet console and its remote-control HTTP server (2.19+, on by default; it
# also writes a job file with its token under the user's profile) both run Python sent to them.
# tests/crawl/test_no_listen.py fails if a crawl, a worker or a writer ever listens on a port.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
# The pipeline logs each drop in one line; Scrapy's own line would dump the whole page.
DEFAULT_DROPITEM_LOG_LEVEL = "DEBUG"

ITEM_PIPELINES = {"archiver.crawl.pipeline.ArchivePipeline": 300}
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# Archive settings, read by the spider and the pipeline (and the `[crawler]` options' ones,
# ARCHIVE_EXTRACT_WORKERS, ARCHIVE_WARC, ..., set below).
ARCHIVE_CONFIG = "sites.toml"
ARCHIVE_DB = "archive.db"
ARCHIVE_MAX_PAGES = 0  # 0: each site's own max_pages
ARCHIVE_INCREMENTAL = True  # skip archived articles not due for a revisit; keep a frontier
ARCHIVE_CONDITIONAL_GET = True  # send stored validators, treat 304 as unchanged
ARCHIVE_RUN_ID = None  # the `runs` row this crawl reports failures under (set by run_crawl)
# Where results go: the local archive (`archiver worker` sets its Redis destination).
ARCHIVE_DESTINATION = "archiver.crawl.local.LocalDestination"


def user_agent(options: CrawlerOptions) -> str:
    """A User-Agent naming the tool and a contact URL, as polite crawlers do."""
    from archiver import __version__

    return options.user_agent or f"archiver/{__version__} (+{options.contact})"


def from_options(options: CrawlerOptions) -> dict[str, Any]:
    """Scrapy settings for the `[crawler]` table of a sites config."""
    values: dict[str, Any] = {f.metadata["setting"]: getattr(options, f.name)
                              for f in fields(options) if f.metadata["setting"]}
    values.update({
        "USER_AGENT": user_agent(options),
        "AUTOTHROTTLE_START_DELAY": max(options.download_delay, 0.0),
        "DOWNLOAD_WARNSIZE": min(options.max_page_bytes, WARNSIZE),
    })
    return values


def crawler_options(settings: BaseSettings) -> CrawlerOptions:
    """The `[crawler]` options as a crawler's settings hold them, each one not set at its
    declared default: how the components read them."""
    types = crawler_option_types()
    getters = {bool: settings.getbool, int: settings.getint, float: settings.getfloat}
    values: dict[str, Any] = {}
    for f in fields(CrawlerOptions):
        name = f.metadata["setting"]
        if name and settings.get(name) is not None:
            getter = getters.get(types[f.name])
            values[f.name] = getter(name) if getter else settings.get(name)
    return CrawlerOptions(**values)


# Every `[crawler]` option's setting at its declared default (DOWNLOAD_DELAY, ROBOTSTXT_OBEY,
# CONCURRENT_REQUESTS_PER_DOMAIN, ARCHIVE_EXTRACT_TIMEOUT, ARCHIVE_WARC, ...); a crawl sets
# them from its config (NewsSpider.update_settings).
globals().update(from_options(CrawlerOptions()))
