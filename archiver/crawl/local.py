"""`archiver crawl`'s destination: the archive on this machine, one write connection a process.

SQLite takes one writer at a time, and every component of every site's crawler in a process
runs on the one reactor thread: they share one `Store`, opened (and migrated) once, whoever
asks first (`run_crawl`, which checks the file before any spider opens it, or the first
component of a `scrapy crawl`), and closed when the last lets it go.
"""

from __future__ import annotations

from pathlib import Path

from scrapy import Request
from scrapy.crawler import Crawler

from archiver.config import Site
from archiver.crawl import ingest
from archiver.crawl.destination import CrawlStop, KeptCapture
from archiver.crawl.items import RawPage
from archiver.crawl.state_access import CrawlStateAccess
from archiver.errors import ArchiverError
from archiver.extract.boilerplate import Overrides
from archiver.extract.page import Article, Extraction, Hints
from archiver.store.archive import Store
from archiver.warc.captures import CaptureRecorder, warc_dir_for
from archiver.warc.files import Exchange, WarcWriter

_open: dict[Path, tuple[Store, int]] = {}  #: database -> (its store, users)


def open_archive(db_path: Path | str, *, check: bool = False) -> Store:
    """This process's write connection to the archive at `db_path`; pair with
    `close_archive`. `check` runs SQLite's quick check when it is the first open."""
    key = Path(db_path).absolute()
    store, users = _open.get(key, (None, 0))
    if store is None:
        store = Store(db_path, check=check)
    _open[key] = (store, users + 1)
    return store


def close_archive(store: Store) -> None:
    """Let go of a store from `open_archive`; the last user closes it."""
    key = store.path.absolute()
    _, users = _open.get(key, (store, 1))
    if users <= 1:
        _open.pop(key, None)
        store.close()
    else:
        _open[key] = (store, users - 1)


class LocalDestination:
    """Validators from the archive; captures, articles, skips and 304s written to it."""

    conditional_roles = frozenset({"page", "feed", "sitemap"})
    failures: tuple[type[Exception], ...] = (ArchiverError,)
    error_key = "store"
    software = "Scrapy"

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.db_path: str | None = settings.get("ARCHIVE_DB") or None
        self.run_id: int | None = settings.get("ARCHIVE_RUN_ID")
        self.incremental = settings.getbool("ARCHIVE_INCREMENTAL", True)
        self.configured_warc_dir: str | None = settings.get("ARCHIVE_WARC_DIR") or None
        self.stop = CrawlStop(crawler)
        self.site: Site | None = None
        self._refusing = False
        self._store: Store | None = None
        self._state: CrawlStateAccess | None = None

    @property
    def store(self) -> Store:
        """The process's connection to the archive (opened on first use)."""
        if self._store is None:
            if self.db_path is None:
                raise ValueError("no ARCHIVE_DB: the local archive has no file")
            self._store = open_archive(self.db_path)
        return self._store

    def crawl_state(self) -> CrawlStateAccess:
        if self._state is None:
            keep = self.incremental and self.db_path is not None
            self._state = CrawlStateAccess(self.store if keep else None, self.stop)
        return self._state

    def open(self) -> None:
        site = self.site
        if site is not None:  # keep/drop rules for the learned-template cleaning at save time
            self.store.remember_overrides(site.name, Overrides(site.clean.keep_text,
                                                               site.clean.drop_text))

    def close(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            close_archive(store)

    # -- conditional GET -----------------------------------------------------------------

    def conditional_unavailable(self) -> str | None:
        return None if self.db_path else "no ARCHIVE_DB"

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        return self.store.validators(url)

    def not_modified(self, request: Request, site: Site, *, url: str, seen_at: str,
                     etag: str | None, last_modified: str | None) -> bool:
        return self.store.mark_not_modified(url, seen_at, site.revisit, etag=etag,
                                            last_modified=last_modified)

    # -- WARC captures -------------------------------------------------------------------

    def warc_directory(self) -> Path:
        return warc_dir_for(Path(self.db_path or "archive.db"), self.configured_warc_dir)

    def warc_prefix(self, site: str | None) -> str:
        return f"archiver-{site}" if site else "archiver"

    def keep_capture(self, writer: WarcWriter, exchange: Exchange, *, site: str | None,
                     role: str | None, hints: Hints | None) -> KeptCapture:
        capture_id, kind = CaptureRecorder(self.store, writer).record(
            exchange, site=site, role=role, hints=hints)
        return KeptCapture(kind, capture_id=capture_id)

    # -- pages ---------------------------------------------------------------------------

    @property
    def refusing(self) -> bool:
        return self._refusing

    def _unwritable(self, exc: Exception) -> None:
        """Disk full, read-only, corrupt or locked past the busy timeout: the run cannot go
        on. Said once, the crawl stopped, what is stored left untouched."""
        self._refusing = True
        self.stop.stop(str(exc))

    def save_article(self, item: RawPage, site: Site, article: Article) -> str | None:
        try:
            return ingest.save(
                self.store, site.name, article, fetched_at=item.fetched_at,
                capture_id=item.capture_id, requested_url=item.url,
                etag=item.headers.get("etag"), last_modified=item.headers.get("last-modified"),
                schedule=site.revisit)
        except ArchiverError as exc:
            self.crawler.stats.inc_value("archive/errors/store")
            self._unwritable(exc)
            return None

    def record_skip(self, item: RawPage, result: Extraction) -> None:
        """Recorded in `skipped_pages` (with its reason, score, run and capture) and taken
        off the frontier, so nothing is lost unseen."""
        try:
            self.store.skip_page(item.site, item.url, reason=result.reason or "not_article",
                                 fetched_at=item.fetched_at, fetched_url=item.final_url,
                                 score=result.score, run_id=self.run_id,
                                 capture_id=item.capture_id)
        except ArchiverError as exc:
            self._unwritable(exc)

    def give_up(self, item: RawPage, error: str, message: str) -> None:
        try:
            if error:
                self.store.log_failure(self.run_id, item.site, item.url, error, message)
            self.store.frontier_done(item.url)
        except ArchiverError as exc:
            self._unwritable(exc)
