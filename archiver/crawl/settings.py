"""Scrapy settings for archiver: polite defaults, and the mapping from `[crawler]` options."""

from __future__ import annotations

from typing import Any

from archiver.config import CrawlerOptions

BOT_NAME = "archiver"
SPIDER_MODULES = ["archiver.crawl.spider"]
NEWSPIDER_MODULE = "spiders"

# Politeness: robots.txt obeyed, AutoThrottle, at most 2 requests at a time per domain.
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy's own downloader lets the per-domain limit slip when there is no download delay
# (archiver/crawl/downloader.py).
DOWNLOADER = "archiver.crawl.downloader.Downloader"
# Items of one response handled at once. Scrapy starts this many tasks for every response's
# output; a page yields one item (a listing or sitemap only requests, scheduled at once), so
# the default 100 cost ~200 idle tasks a page on the reactor thread (bench/, issue 8).
CONCURRENT_ITEMS = 8

# Limits: a news page is never 1 GiB, nor worth waiting 3 minutes for.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
METAREFRESH_MAXDELAY = 0
URLLENGTH_LIMIT = 2083
MEMUSAGE_ENABLED = True
MEMUSAGE_LIMIT_MB = 1024  # the crawl closes itself (exit 3) rather than eat the machine
MEMUSAGE_WARNING_MB = 768
MEMUSAGE_CHECK_INTERVAL_SECONDS = 10.0
CLOSESPIDER_TIMEOUT = 3600  # the whole run's time budget; `[crawler] run_timeout`

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
ARCHIVE_ALLOW_PRIVATE_ADDRESSES = False
ARCHIVE_RETRY_AFTER_MAX = 60.0
ARCHIVE_EXTRACT_TIMEOUT = 20.0

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

# Archive settings, read by the spider and the pipeline.
ARCHIVE_CONFIG = "sites.toml"
ARCHIVE_DB = "archive.db"
ARCHIVE_MAX_PAGES = 0  # 0: each site's own max_pages
ARCHIVE_WARC = True  # keep every response in WARC files
ARCHIVE_WARC_DIR = ""  # "": warc/ beside ARCHIVE_DB; relative paths are from ARCHIVE_DB's folder
ARCHIVE_WARC_MAX_BYTES = 1_000_000_000  # start a new WARC file past this size
ARCHIVE_INCREMENTAL = True  # skip archived articles not due for a revisit; keep a frontier
ARCHIVE_CONDITIONAL_GET = True  # send stored validators, treat 304 as unchanged
ARCHIVE_RUN_ID = None  # the `runs` row this crawl reports failures under (set by run_crawl)


def user_agent(options: CrawlerOptions) -> str:
    """A User-Agent naming the tool and a contact URL, as polite crawlers do."""
    from archiver import __version__

    return options.user_agent or f"archiver/{__version__} (+{options.contact})"


def from_options(options: CrawlerOptions) -> dict[str, Any]:
    """Scrapy settings for the `[crawler]` table of a sites config."""
    return {
        "USER_AGENT": user_agent(options),
        "DOWNLOAD_DELAY": options.download_delay,
        "AUTOTHROTTLE_ENABLED": options.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(options.download_delay, 0.0),
        "CONCURRENT_REQUESTS_PER_DOMAIN": options.concurrent_per_domain,
        "CONCURRENT_REQUESTS": options.concurrent_requests,
        "ROBOTSTXT_OBEY": options.obey_robots,
        "DOWNLOAD_TIMEOUT": options.download_timeout,
        "DOWNLOAD_MAXSIZE": options.max_page_bytes,
        "DOWNLOAD_WARNSIZE": min(options.max_page_bytes, DOWNLOAD_WARNSIZE),
        "ARCHIVE_EXTRACT_WORKERS": options.extract_workers,
        "ARCHIVE_ALLOW_PRIVATE_ADDRESSES": options.allow_private_addresses,
        "ARCHIVE_EXTRACT_TIMEOUT": options.extract_timeout,
        "ARCHIVE_RETRY_AFTER_MAX": options.retry_after_max,
        "CLOSESPIDER_TIMEOUT": options.run_timeout,
        "ARCHIVE_WARC": options.warc,
        "ARCHIVE_WARC_DIR": options.warc_dir,
        "ARCHIVE_WARC_MAX_BYTES": options.warc_max_bytes,
    }
