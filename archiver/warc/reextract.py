"""Re-run extraction over the stored captures, with no network, updating articles in place."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archiver.config import Config
from archiver.crawl import ingest
from archiver.crawl import pool as workers
from archiver.errors import ExitCode
from archiver.extract.page import Article, Extraction, Hints
from archiver.store.archive import Store
from archiver.warc.captures import file_path
from archiver.warc.files import WarcError

logger = logging.getLogger(__name__)
#: Re-extracted articles stored per commit. Results are collected first, so the archive's
#: write lock is held only while they are written, never while waiting on the workers; a
#: crash loses at most this many restores, which the next pass redoes.
SAVE_BATCH = 200


@dataclass
class ReextractSummary(ingest.Tally):
    """What a re-extraction did."""

    captures: int = 0

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.PARTIAL if self.errors else ExitCode.OK

    def render(self) -> str:
        lines = [f"re-extracted {self.captures} captures: {self.outcomes['new']} restored, "
                 f"{self.outcomes['updated']} updated, {self.outcomes['unchanged']} unchanged "
                 f"articles (extractor {ingest.EXTRACTOR_VERSION})"]
        return "\n".join(lines + self.count_lines())


def _hints(raw: str | None) -> Hints | None:
    if not raw:
        return None
    try:
        return Hints(**json.loads(raw))
    except (ValueError, TypeError):
        return None


def reextract(db_path: Path | str, config: Config, *, site: str | None = None,
              since: str | None = None, workers_count: int = 1,
              progress: Callable[[int], None] | None = None) -> ReextractSummary:
    """Extract every stored page capture again with the current code and update its article.

    Captures are read in (URL, time) order; a revisit of the payload just extracted reuses that
    result. The change a new extractor makes is written in place, never as a new sighting.
    Captures of pages skipped as no article are decided again too: one now judged an article
    is restored (and leaves `skipped_pages`); one still not gets the current reason and score.
    `progress(1)` is called as each capture is done.
    """
    if site:
        config.select([site])  # a ConfigError for an unknown site name
    summary = ReextractSummary()
    writer = Store(db_path)  # applies migrations before the reader opens
    reader = Store(db_path, readonly=True)
    pool = workers.acquire(workers_count) if workers_count > 1 else None

    def jobs() -> Iterator[ingest.Job]:
        previous: tuple[str, str, int] | None = None
        for row in reader.iter_captures(site=site, since=since):
            key = (row["url"], row["payload_file"], row["payload_offset"])
            rules = config.sites.get(row["site"] or "") or ingest.site_for_host(row["url"])
            if key == previous:
                yield ingest.Job(None, row["url"], rules, context=row)
                continue
            payload_from = None
            if row["record_type"] == "revisit":
                payload_from = (file_path(row["payload_file"], db_path), row["payload_offset"])
            previous = key
            # The worker reads the record itself: no body is read or pickled here.
            yield ingest.Job(None, row["url"], rules, hints=_hints(row["hints"]), context=row,
                             capture=(file_path(row["warc_file"], db_path), row["warc_offset"],
                                      payload_from))

    # (capture row, site, the article or the extraction that found none) to store
    pending: list[tuple[Any, str, Article | Extraction]] = []

    def flush() -> None:
        """Store the articles (and skip decisions) in hand in one commit (the write lock is
        held only for that)."""
        if not pending:
            return
        with writer.batch():
            for row, site_name, found in pending:
                if isinstance(found, Extraction):  # still no article: its record is updated
                    writer.redecide_skip(site_name, row["url"],
                                         reason=found.reason or "not_article",
                                         score=found.score, fetched_at=row["fetched_at"],
                                         capture_id=row["id"])
                    continue
                outcome = ingest.save(writer, site_name, found,
                                      fetched_at=row["fetched_at"], capture_id=row["id"],
                                      restore=True)
                summary.outcomes[outcome] += 1
        pending.clear()

    try:
        for job, result in ingest.process_all(jobs(), pool):
            if progress is not None:
                progress(1)
            row: Any = job.context  # the capture row its job was made from
            if isinstance(result, WarcError):
                # Not a capture re-extracted: its record cannot be read where the index says.
                summary.errors["warc_unreadable"] += 1
                logger.error("%s", result)
                continue
            summary.captures += 1
            article = summary.article_of(job, result)
            if article is not None:
                pending.append((row, row["site"] or job.site.name, article))
            elif isinstance(result, Extraction):
                pending.append((row, row["site"] or job.site.name, result))
            if len(pending) >= SAVE_BATCH:
                flush()
        flush()
        writer.tidy_search_index(summary.outcomes["new"] + summary.outcomes["updated"])
    finally:
        if pool is not None:
            workers.release()
        reader.close()
        writer.close()
    return summary
