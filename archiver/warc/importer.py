"""Ingest WARC files made elsewhere: keep the HTML responses of configured sites as articles.

Each kept response is copied into the archive's own WARC files and indexed like a crawled
page, then goes through the same extract -> clean -> store path as the crawl, so reextract
works on it later. Malformed records are skipped and counted, never fatal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from archiver import __version__
from archiver.config import Config, Site
from archiver.crawl import ingest
from archiver.crawl import pool as workers
from archiver.errors import ExitCode
from archiver.extract.page import Extraction
from archiver.extract.urls import on_domains
from archiver.store import clock
from archiver.store.archive import Store
from archiver.warc.captures import CaptureRecorder, warc_dir_for
from archiver.warc.files import DEFAULT_MAX_BYTES, Exchange, WarcWriter, recover
from archiver.warc.reading import ReadStats, iter_records

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class ImportSummary(ingest.Tally):
    """What an import did."""

    files: int = 0
    records: int = 0
    pages: int = 0
    malformed: int = 0

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.PARTIAL if (self.errors or self.malformed) else ExitCode.OK

    def render(self) -> str:
        lines = [f"imported {self.files} WARC file(s): {self.records} records, "
                 f"{self.pages} HTML pages kept, {self.malformed} malformed records skipped",
                 f"articles: {self.outcomes['new']} new, {self.outcomes['updated']} updated, "
                 f"{self.outcomes['unchanged']} unchanged"]
        return "\n".join(lines + self.count_lines())


def _warc_datetime(value: str | None) -> datetime:
    if value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        except ValueError:
            pass
    return clock.now()


def _is_html(content_type: str | None, body: bytes) -> bool:
    if content_type:
        return content_type.split(";")[0].strip().lower() in HTML_TYPES
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def import_warcs(paths: list[Path], db_path: Path | str, config: Config | None, *,
                 all_sites: bool = False, warc_dir: Path | None = None,
                 workers_count: int = 1,
                 progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Import the HTML responses in `paths` whose URL belongs to a configured site (any site
    with `all_sites`, its host then naming the site) into the archive at `db_path`.

    `progress` is called with the number of bytes of input read since its last call.
    """
    sites: list[Site] = list(config.sites.values()) if config else []
    summary = ImportSummary()
    store = Store(db_path)
    warc_dir = warc_dir or warc_dir_for(db_path, config.crawler.warc_dir if config else None)
    recover(warc_dir)
    writer = WarcWriter(warc_dir, prefix="archiver-import",
                        software=f"archiver/{__version__} (import-warc)",
                        max_bytes=config.crawler.warc_max_bytes if config else DEFAULT_MAX_BYTES)
    recorder = CaptureRecorder(store, writer)
    pool = workers.acquire(workers_count) if workers_count > 1 else None

    def site_of(url: str) -> Site | None:
        for site in sites:
            if on_domains(url, site.domains):
                return site
        return ingest.site_for_host(url) if all_sites else None

    def jobs() -> Iterator[ingest.Job]:
        for path in paths:
            summary.files += 1
            stats = ReadStats()
            reported = 0
            for offset, record in iter_records(path, stats):
                if progress is not None and offset > reported:
                    progress(offset - reported)
                    reported = offset
                summary.records += 1
                if record.rec_type != "response":
                    summary.skipped[f"{record.rec_type}_record"] += 1
                    continue
                headers = record.http_headers
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                if headers is None or not url.startswith(("http://", "https://")):
                    summary.skipped["not_http"] += 1
                    continue
                try:
                    status = int(headers.get_statuscode() or 0)
                except ValueError:
                    status = 0
                if not 200 <= status < 300:
                    summary.skipped["http_status"] += 1
                    continue
                body: bytes = record.body
                content_type = headers.get_header("content-type")
                if not _is_html(content_type, body):
                    summary.skipped["not_html"] += 1
                    continue
                site = site_of(url)
                if site is None:
                    summary.skipped["not_configured_site"] += 1
                    continue
                exchange = Exchange(
                    url=url, fetched_at=_warc_datetime(record.rec_headers.get_header("WARC-Date")),
                    status=status, headers=list(headers.headers), body=body,
                    protocol=headers.protocol or "HTTP/1.1",
                    reason=headers.statusline.partition(" ")[2] or None,
                    ip_address=record.rec_headers.get_header("WARC-IP-Address"), decoded=True)
                try:
                    capture_id, _ = recorder.record(
                        exchange, site=site.name, role="page", source="import",
                        extra_headers={"Archiver-Imported-From": f"{path.name}#{offset}"})
                except OSError as exc:
                    summary.errors["warc_write"] += 1
                    logger.error("cannot keep capture of %s: %s", url, exc)
                    continue
                summary.pages += 1
                yield ingest.Job(body, url, site, content_type=content_type,
                                 context=(capture_id, exchange.fetched_at))
            summary.malformed += stats.malformed
            if progress is not None:
                size = path.stat().st_size
                if size > reported:
                    progress(size - reported)

    try:
        for job, result in ingest.process_all(jobs(), pool):
            capture_id, fetched_at = cast("tuple[int, datetime]", job.context)
            article = summary.article_of(job, result)
            if article is None:
                if isinstance(result, Extraction):  # no article: recorded, as a crawl does
                    store.skip_page(job.site.name, job.url, reason=result.reason or "not_article",
                                    fetched_at=fetched_at.replace(microsecond=0).isoformat(),
                                    score=result.score, capture_id=capture_id)
                continue
            outcome = ingest.save(store, job.site.name, article,
                                  fetched_at=fetched_at.replace(microsecond=0).isoformat(),
                                  capture_id=capture_id)
            summary.outcomes[outcome] += 1
        store.tidy_search_index(summary.outcomes["new"] + summary.outcomes["updated"])
    finally:
        if pool is not None:
            workers.release()
        writer.close()
        store.close()
    return summary
