"""The crawl: Scrapy settings, spider, guards, middlewares, pipeline, pool, lock, and the
local archive as the crawl's destination (a worker's is in archiver.distributed)."""
