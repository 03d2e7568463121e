"""The local crawl: Scrapy settings, spider, guards, middlewares, pipeline, pool, lock."""
