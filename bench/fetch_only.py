"""Scrapy alone: fetch every URL of a sitemap and do nothing else (the download sanity row)."""

from __future__ import annotations

import sys

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response


class FetchOnly(scrapy.Spider):
    """Reads the sitemap, fetches each page, keeps nothing."""

    name = "fetch_only"

    def __init__(self, sitemap: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.start_urls = [sitemap]

    def parse(self, response: Response):  # noqa: ANN201
        for loc in response.xpath("//*[local-name()='loc']/text()").getall():
            yield scrapy.Request(loc.strip(), callback=self.page)

    def page(self, response: Response) -> None:
        return None


def main() -> None:
    process = CrawlerProcess({
        "LOG_LEVEL": "WARNING", "CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "DOWNLOAD_DELAY": 0, "COOKIES_ENABLED": False, "TELNETCONSOLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False, "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    })
    process.crawl(FetchOnly, sitemap=sys.argv[1])
    process.start()


if __name__ == "__main__":
    main()
