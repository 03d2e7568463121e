"""The one path from page bytes to a stored article, shared by the crawl, reextract and import.

`process` is pure and picklable, so it runs in the extraction pool; post-extraction cleaning
belongs inside it, so every caller gets it. `save` is where its result meets the archive.
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archiver import __version__
from archiver.config import Site
from archiver.extract.page import Article, Extraction, Hints, analyse
from archiver.extract.urls import host_of, matches_any
from archiver.warc.reading import read_capture

if TYPE_CHECKING:  # the store is not imported at run time: extraction processes import this
    from archiver.store.archive import Outcome, Store

logger = logging.getLogger(__name__)

#: Recorded on every article, so a change of text can be traced to a change of code.
EXTRACTOR_VERSION = f"archiver/{__version__} trafilatura/{version('trafilatura')}"


def process(body: bytes, url: str, site: Site, *, content_type: str | None = None,
            hints: Hints | None = None) -> Extraction:
    """Page bytes to an Article (or the reason there is none), with the site's rules applied."""
    allowed = bool(site.allow) and matches_any(url, site.allow_re)
    return analyse(body, url, content_type=content_type, drop_xpath=site.clean.drop_xpath,
                   domains=site.domains, hints=hints, min_words=site.min_words,
                   allowed=allowed, threshold=site.article_threshold,
                   force_article=allowed and site.articles == "allow")


#: Where a stored capture is: (WARC file, offset, and for a revisit the original's file and
#: offset, which holds the payload).
CaptureRef = tuple[Path, int, tuple[Path, int] | None]


def process_capture(ref: CaptureRef, url: str, site: Site, *,
                    hints: Hints | None = None) -> Extraction:
    """`process` for a page stored in a WARC file, read here (in the pool process): the main process
    hands over a file name and an offset instead of reading, decompressing and pickling the
    body itself. Raises `warc.WarcError` when the record cannot be read."""
    path, offset, payload_from = ref
    capture = read_capture(path, offset, payload_from=payload_from)
    return process(capture.body, url, site, content_type=capture.content_type, hints=hints)


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

    body: bytes | None  #: None (and no `capture`): same payload as the job before (reused)
    url: str
    site: Site
    content_type: str | None = None
    hints: Hints | None = None
    context: object = None
    capture: CaptureRef | None = None  #: read the body from this WARC record, in the pool process

    @property
    def reuses_previous(self) -> bool:
        return self.body is None and self.capture is None

    def call(self) -> tuple[Any, tuple[Any, ...], dict[str, Any]]:
        """The function, arguments and keywords that process this job (in any process)."""
        if self.capture is not None:
            return process_capture, (self.capture, self.url, self.site), {"hints": self.hints}
        return process, (self.body, self.url, self.site), {"content_type": self.content_type,
                                                           "hints": self.hints}


def process_all(jobs: Iterable[Job], pool: Executor | None, batch: int = 64
                ) -> Iterator[tuple[Job, Extraction | BaseException]]:
    """Process jobs in order, up to `batch` at a time in the pool (inline without one).

    A sliding window: each result taken lets one more job in, so the pool processes never wait for
    the caller to finish a whole batch. A failure in one page is yielded as its exception,
    never raised: one bad page must not stop the rest.
    """
    previous: Extraction | BaseException = Extraction(None, "no_payload")
    if pool is None:
        for job in jobs:
            if not job.reuses_previous:
                fn, args, kwargs = job.call()
                try:
                    previous = fn(*args, **kwargs)
                except Exception as exc:  # noqa: BLE001 (reported per page)
                    previous = exc
            yield job, previous
        return
    window: deque[tuple[Job, Future | None]] = deque()

    def take() -> tuple[Job, Extraction | BaseException]:
        nonlocal previous
        job, future = window.popleft()
        if future is not None:
            try:
                previous = future.result()
            except Exception as exc:  # noqa: BLE001
                previous = exc
        return job, previous

    for job in jobs:
        if job.reuses_previous:
            window.append((job, None))
        else:
            fn, args, kwargs = job.call()
            window.append((job, pool.submit(fn, *args, **kwargs)))
        if len(window) >= batch:
            yield take()
    while window:
        yield take()


@dataclass
class Tally:
    """What a batch pass over pages (import, reextract) did with them: the counts both report,
    and the one way both turn an extraction result into an article or a counted skip."""

    outcomes: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)

    def article_of(self, job: Job, result: Extraction | BaseException) -> Article | None:
        """The article in `result`, or None with the failure or the skip counted."""
        if isinstance(result, BaseException):
            self.errors["extract"] += 1
            logger.error("extraction failed for %s: %s", job.url, result)
            return None
        if result.article is None:
            self.skipped[result.reason or "not_article"] += 1
            return None
        return result.article

    def count_lines(self) -> list[str]:
        """The skipped and errors lines of a summary, when there are any."""
        return [f"  {name}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                for name, counts in (("skipped", self.skipped), ("errors", self.errors))
                if counts]
