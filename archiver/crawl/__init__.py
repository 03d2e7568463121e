"""The local crawl: Scrapy settings, the spider and what it admits, guards, the components
(pipeline, WARC capture, conditional GET), the extraction pool, the lock, the live status.

May import: archiver.errors, archiver.config, archiver.extract, archiver.store, archiver.warc
(writing captures), Scrapy and rich; never archiver.distributed: the components write through
`destination.Destination`, whose local implementation is here (local.py) and whose Redis one
is the distributed package's (redis_destination.py).

- run.py: one crawl of the configured sites in this process; settings.py: Scrapy settings
  from `[crawler]`; spider.py, admission.py, fetch_errors.py: NewsSpider, which URLs it
  requests, its errback; discovery.py: feeds, sitemaps, robots.txt as plain lists.
- middlewares.py, pipeline.py: the components; destination.py: where their results go;
  local.py: the local archive as destination, one writable Store per process;
  state_access.py: the spider's typed access to revisit state and the frontier.
- ingest.py: page bytes to a stored article (shared with reextract, import and the writer);
  pool.py: the extraction process pool; items.py: RawPage.
- guards.py, downloader.py: SSRF guard, fail-closed robots.txt, Retry-After, per-domain
  concurrency; lock.py: one crawl per archive; progress.py: the live status (rich).
"""
