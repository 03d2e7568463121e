"""The one path from page bytes to a stored article, shared by the crawl, reextract and import.

`process` is pure and picklable, so it runs in the extraction pool; post-extraction cleaning
belongs inside it, so every caller gets it. `save` is where its result meets the archive.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass

import trafilatura

from . import __version__
from .config import Site
from .extract import Article, Extraction, Hints, analyse
from .store import Outcome, Store
from .urls import host_of

#: Recorded on every article, so a change of text can be traced to a change of code.
EXTRACTOR_VERSION = f"archiver/{__version__} trafilatura/{trafilatura.__version__}"


def process(body: bytes, url: str, site: Site, *, content_type: str | None = None,
            hints: Hints | None = None) -> Extraction:
    """Page bytes to an Article (or the reason there is none), with the site's rules applied."""
    return analyse(body, url, content_type=content_type, drop_xpath=site.clean.drop_xpath,
                   domains=site.domains, hints=hints, min_words=site.min_words)


def save(store: Store, site: str, article: Article, *, fetched_at: str,
         capture_id: int | None = None, restore: bool = False,
         requested_url: str | None = None, etag: str | None = None,
         last_modified: str | None = None, schedule: tuple[int, ...] = ()) -> Outcome:
    """Store an article from a fetch (a sighting) or, with `restore`, from a stored capture.

    A restore changes the row in place and is not a new sighting: the extractor, not the page,
    changed. A crawl passes `requested_url` (and the response's validators and the site's
    revisit schedule): the article's revisit state and frontier entry change with it.
    """
    if restore:
        if capture_id is None:
            raise ValueError("a restore needs the capture it re-extracted")
        return store.restore_article(site, article, fetched_at=fetched_at,
                                     capture_id=capture_id, extractor=EXTRACTOR_VERSION)
    if requested_url is not None:
        return store.save_page(site, article, fetched_at, requested_url=requested_url,
                               etag=etag, last_modified=last_modified, schedule=schedule,
                               capture_id=capture_id, extractor=EXTRACTOR_VERSION)
    (outcome,) = store.save_articles(site, [article], seen_at=fetched_at, capture_id=capture_id,
                                     extractor=EXTRACTOR_VERSION)
    return outcome


def site_for_host(url: str) -> Site:
    """Default rules for a page of no configured site: its host is its site."""
    host = host_of(url) or "unknown"
    return Site(name=host, domains=(host,), start_urls=(url,))


@dataclass
class Job:
    """One page to process, and what the caller needs back with its result."""

    body: bytes | None  #: None: same payload as the job before (its result is reused)
    url: str
    site: Site
    content_type: str | None = None
    hints: Hints | None = None
    context: object = None


def process_all(jobs: Iterable[Job], pool: Executor | None, batch: int = 64
                ) -> Iterator[tuple[Job, Extraction | BaseException]]:
    """Process jobs in order, `batch` at a time in the pool (inline without one).

    A failure in one page is yielded as its exception, never raised: one bad page must not stop
    the rest.
    """
    pending: list[Job] = []
    previous: Extraction | BaseException = Extraction(None, "no_payload")

    def run(chunk: list[Job]) -> Iterator[tuple[Job, Extraction | BaseException]]:
        nonlocal previous
        if pool is None:
            for job in chunk:
                if job.body is None:
                    yield job, previous
                    continue
                try:
                    previous = process(job.body, job.url, job.site,
                                       content_type=job.content_type, hints=job.hints)
                except Exception as exc:  # noqa: BLE001 (reported per page)
                    previous = exc
                yield job, previous
            return
        futures = [None if j.body is None else
                   pool.submit(process, j.body, j.url, j.site, content_type=j.content_type,
                               hints=j.hints) for j in chunk]
        for job, future in zip(chunk, futures, strict=True):
            if future is not None:
                try:
                    previous = future.result()
                except Exception as exc:  # noqa: BLE001
                    previous = exc
            yield job, previous

    for job in jobs:
        pending.append(job)
        if len(pending) >= batch:
            yield from run(pending)
            pending = []
    if pending:
        yield from run(pending)
