"""The spider's access to the archive's crawl state (archiver.store.crawl_state: frontier,
revisits, validators) and fetch log.

Typed methods, one per thing the spider asks or records, so each call is visible to grep and
to the type checker. Each gives its default answer when there is no state to keep (a worker,
or `ARCHIVE_INCREMENTAL = False`) or once the archive cannot be written; the first write that
fails stops the crawl through the crawl's `CrawlStop`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from archiver.crawl.destination import CrawlStop
from archiver.errors import ArchiverError
from archiver.store.archive import Store

T = TypeVar("T")


class CrawlStateAccess:
    """The archive's incremental-crawl state as the spider uses it (see the module doc)."""

    def __init__(self, store: Store | None, stop: CrawlStop) -> None:
        self.store = store
        self.stop = stop

    @property
    def kept(self) -> bool:
        """True while there is a state to read and write."""
        return self.store is not None and not self.stop.stopped

    def _call(self, call: Callable[[Store], T], default: T) -> T:
        """`call(store)`, or `default` (when nothing is kept, or the archive failed)."""
        if self.store is None or self.stop.stopped:
            return default
        try:
            return call(self.store)
        except ArchiverError as exc:
            self.stop.stop(str(exc))
            return default

    def discovered(self, requests: Iterable[T]) -> list[T]:
        """Run a page's discovery (`requests`) with its writes committed at once, before any
        request is handed to Scrapy; none if the commit fails (the crawl stops)."""
        if not self.kept:
            return list(requests)
        assert self.store is not None
        try:
            with self.store.batch():
                return list(requests)
        except ArchiverError as exc:
            self.stop.stop(str(exc))
            return []

    # -- the frontier --------------------------------------------------------------------

    def resumable(self, site: str, limit: int) -> list[dict[str, Any]]:
        """What an earlier, unfinished run discovered and did not deal with."""
        return self._call(lambda s: s.frontier(site, limit), [])

    def frontier_add(self, site: str, url: str, role: str, hops: int | None,
                     hints: dict[str, Any] | None) -> None:
        self._call(lambda s: s.frontier_add(site, url, role, hops, hints), None)

    def frontier_attempt(self, url: str) -> int:
        """How many runs have requested this frontier URL (this one counted)."""
        return self._call(lambda s: s.frontier_attempt(url), 0)

    def frontier_done(self, url: str | None) -> None:
        if url:
            self._call(lambda s: s.frontier_done(url), None)

    # -- revisits ------------------------------------------------------------------------

    def due_urls(self, site: str) -> list[str]:
        """Archived articles whose revisit is due."""
        return self._call(lambda s: s.due_urls(site), [])

    def revisit_state(self, url: str, schedule: tuple[int, ...]) -> tuple[bool, str | None]:
        """(due, last fetch); a URL never fetched is due, with no last fetch."""
        fresh: tuple[bool, str | None] = (True, None)
        return self._call(lambda s: s.revisit_state(url, schedule), fresh)

    def record_revisit(self, url: str, site: str, run_id: int | None, reason: str,
                       modified: str | None) -> None:
        self._call(lambda s: s.record_revisit(url, site, run_id, reason, modified), None)

    def mark_checked(self, url: str, checked_at: str, schedule: tuple[int, ...]) -> None:
        self._call(lambda s: s.mark_checked(url, checked_at, schedule), None)

    def remember_validators(self, url: str, site: str, etag: str | None,
                            last_modified: str | None, checked_at: str) -> None:
        self._call(lambda s: s.remember_validators(url, site, etag, last_modified,
                                                   checked_at), None)

    # -- the fetch log -------------------------------------------------------------------

    def log_failure(self, run_id: int | None, site: str, url: str, kind: str, message: str,
                    status: int | None = None) -> None:
        self._call(lambda s: s.log_failure(run_id, site, url, kind, message, status), None)
