"""Distributed crawling: many workers share one Redis frontier and push what they fetch to
one writer, the only process that writes the archive.

May import: archiver.errors, archiver.config, archiver.extract, archiver.store (the writer),
archiver.warc, archiver.crawl (the same spider and components as a local crawl, with
the Redis destination here), scrapy-redis and redis.

- redis_state.py: the shared state in Redis (frontier, seen-set, item list, liveness,
  domain leases); scheduler.py: scrapy-redis's scheduler, requests surviving a worker's death;
  politeness.py: per-domain delays shared by all workers; validators.py: conditional-GET
  validators published by the writer.
- redis_destination.py: the crawl components' destination in a worker; messages.py: the JSON
  between worker and writer; worker.py, writer.py, seed.py: the three commands' runs.
"""
