"""The validators the writer publishes in Redis, for the workers' conditional requests.

A worker has no archive to read an ETag or Last-Modified from: the writer, the only process
that knows what the archive holds, publishes them here under `{prefix}validators:{url}`
(strings with a TTL) once a page is committed; `RedisDestination` reads them. (Not to be
confused with `Store.validators`, the archive's own, which a local crawl reads.)
"""

from __future__ import annotations

import json

import redis

from archiver.distributed.redis_state import PREFIX

VALIDATORS_TTL_SECONDS = 30 * 86400  #: validators not refreshed for this long are forgotten


class PublishedValidators:
    """ETag / Last-Modified of archived pages, shared with the workers for conditional GET.

    The writer is the only process that knows what the archive holds: it publishes a page's
    validators once the page is committed, and forgets them when a 304 names a page the archive
    no longer has. Each entry expires `ttl` seconds after it was last published, so memory is
    bounded by the pages fetched (or confirmed unchanged) within one TTL.
    """

    def __init__(self, client: redis.Redis, ttl: float = VALIDATORS_TTL_SECONDS,
                 prefix: str = PREFIX) -> None:
        self.r = client
        self.ttl = ttl
        self.prefix = f"{prefix}validators:"

    def get(self, url: str) -> tuple[str | None, str | None] | None:
        """The (etag, last_modified) published for `url`, or None."""
        raw = self.r.get(self.prefix + url)
        if not raw:
            return None
        try:
            etag, modified = json.loads(raw)
        except (ValueError, TypeError):
            return None
        return (etag, modified) if (etag or modified) else None

    def publish(self, entries: list[tuple[str, str | None, str | None]]) -> None:
        """Publish (url, etag, last_modified) entries; entries with neither are skipped."""
        with self.r.pipeline(transaction=False) as pipe:
            for url, etag, modified in entries:
                if etag or modified:
                    pipe.set(self.prefix + url, json.dumps([etag, modified]),
                             ex=max(1, int(self.ttl)))
            pipe.execute()

    def forget(self, urls: list[str]) -> None:
        if urls:
            self.r.delete(*(self.prefix + u for u in urls))
