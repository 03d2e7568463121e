"""The JSON messages a worker pushes to Redis for the writer: the wire format between them.

The worker never opens the archive: `archiver writer` is the one process that writes SQLite.
What goes over Redis is one JSON object per message, so the writer needs neither Scrapy nor
the page bytes. The writer (archiver.distributed.writer) reads each `type`: `article`,
`skipped`, `capture`, `not_modified` and `run` (archiver.distributed.worker).
"""

from __future__ import annotations

import json
from typing import Any

from archiver.crawl import ingest
from archiver.crawl.items import RawPage
from archiver.extract.page import Article, Extraction


def article_message(site: str, article: Article, *, fetched_at: str, requested_url: str,
                    worker: str, capture: dict[str, Any] | None = None,
                    etag: str | None = None, last_modified: str | None = None,
                    revisit: tuple[int, ...] | list[int] = ()) -> bytes:
    """The JSON a worker pushes for one article.

    `capture` is the reference to the raw response the worker kept in its WARC files (see
    `capture_message`), None when WARC is off. `etag`, `last_modified` and the site's
    `revisit` schedule let the writer keep the revisit state `archiver crawl` keeps, and
    publish the validators for the workers' conditional requests.
    """
    return json.dumps({
        "type": "article", "site": site, "article": article.to_dict(),
        "fetched_at": fetched_at, "requested_url": requested_url, "worker": worker,
        "capture": capture, "extractor": ingest.EXTRACTOR_VERSION,
        "etag": etag, "last_modified": last_modified, "revisit": list(revisit),
    }, ensure_ascii=False).encode("utf-8")


def skipped_message(item: RawPage, result: Extraction, *, worker: str) -> bytes:
    """The JSON a worker pushes for a page judged not to be an article: the writer records it
    in `skipped_pages` under the worker's run, as `archiver crawl` does."""
    return json.dumps({
        "type": "skipped", "site": item.site, "url": item.url, "fetched_url": item.final_url,
        "reason": result.reason or "not_article", "score": result.score,
        "fetched_at": item.fetched_at, "worker": worker, "capture": item.capture_ref,
    }, ensure_ascii=False).encode("utf-8")


def capture_message(ref: dict[str, Any]) -> bytes:
    """The JSON a worker pushes for one capture (the writer indexes it in `captures`)."""
    return json.dumps({"type": "capture", "capture": ref}, ensure_ascii=False).encode("utf-8")


def not_modified_message(site: str, url: str, *, seen_at: str, etag: str | None,
                         last_modified: str | None, revisit: tuple[int, ...] | list[int],
                         worker: str) -> bytes:
    """The JSON a worker pushes when an archived page answered 304."""
    return json.dumps({
        "type": "not_modified", "site": site, "url": url, "seen_at": seen_at,
        "etag": etag, "last_modified": last_modified, "revisit": list(revisit),
        "worker": worker,
    }).encode("utf-8")
