"""`scrapy crawl news -a site=NAME` from the repository root: the spider lives in the package.

The spider is part of the installed library (`archiver crawl` and the distributed workers run it
without this folder); this module is the Scrapy project's view of it, so `scrapy list` and
`scrapy crawl news` keep working from a checkout (scrapy.cfg points at archiver.crawl.settings).
"""

from archiver.crawl.spider import NewsSpider

__all__ = ["NewsSpider"]
