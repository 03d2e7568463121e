"""The archive writer: the one process that drains the workers' Redis list into SQLite.

SQLite takes tens of thousands of upserts a second from one writer and none from many at
once, so however many workers fetch, one writer commits. It takes a batch into a side list,
commits it in one transaction, then deletes the side list: killed anywhere, it finds the batch
on restart and commits it again, and the upsert by URL makes the repeat a no-op.
"""

from __future__ import annotations

import json
import logging
import signal
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import frontier as shared
from .extract import Article
from .store import Store

logger = logging.getLogger(__name__)


@dataclass
class WriterReport:
    """What a writer did before it stopped."""

    batches: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    runs: int = 0
    bad: int = 0
    replayed: int = 0
    deferred: int = 0
    seconds: float = 0.0

    @property
    def articles(self) -> int:
        return sum(self.outcomes.values())

    def render(self) -> str:
        rate = self.articles / self.seconds if self.seconds else 0.0
        return (f"writer: {self.articles} articles in {self.batches} batches "
                f"({self.outcomes['new']} new, {self.outcomes['updated']} updated, "
                f"{self.outcomes['unchanged']} unchanged; {rate:.0f}/s), "
                f"{self.runs} worker runs recorded ({self.deferred} kept in Redis: no `runs` "
                f"table yet), {self.replayed} replayed after a crash, "
                f"{self.bad} unreadable messages skipped")


class ArchiveWriter:
    """Commits batches of worker messages (articles, run records) to the archive."""

    def __init__(self, store: Store, queue: shared.ItemQueue) -> None:
        self.store = store
        self.queue = queue
        self.report = WriterReport()
        self.tally: dict[str, Counter[str]] = defaultdict(Counter)  # worker -> outcomes

    def commit(self, messages: list[bytes]) -> None:
        """Store one batch in the archive (articles in one transaction), then confirm it."""
        rows: list[tuple[str, Article, str, str | None]] = []
        workers: list[str | None] = []
        runs: list[dict[str, Any]] = []
        for raw in messages:
            try:
                msg = json.loads(raw)
                if msg["type"] == "article":
                    rows.append((msg["site"], Article(**msg["article"]), msg["fetched_at"],
                                 msg.get("extractor")))
                    workers.append(msg.get("worker"))
                elif msg["type"] == "run":
                    runs.append(msg)
                else:
                    raise ValueError(f"unknown type {msg['type']!r}")
            except (ValueError, KeyError, TypeError) as exc:
                self.report.bad += 1
                logger.error("unreadable message skipped: %s: %r", exc, raw[:200])
        outcomes = self.store.save_many(rows) if rows else []
        for worker, outcome in zip(workers, outcomes, strict=True):
            self.report.outcomes[outcome] += 1
            if worker:
                self.tally[worker][outcome] += 1
        deferred = []
        for run in runs:
            if "new" not in run:  # counts are added once, by the writer that saw the articles
                counts = self.tally.pop(run["worker"], Counter())
                run.update(new=counts["new"], updated=counts["updated"],
                           unchanged=counts["unchanged"])
            recorded = self.store.record_worker_run(run)
            if recorded is None:  # no `runs` table in this archive yet: keep it in Redis
                deferred.append(json.dumps(run).encode("utf-8"))
                self.report.deferred += 1
            elif recorded:
                self.report.runs += 1
        self.queue.confirm(deferred=deferred)
        self.report.batches += 1


def run_writer(db_path: Path, redis_url: str, *, batch: int = 500, idle_exit: float = 0,
               echo: Callable[[str], None] | None = None) -> WriterReport:
    """Drain the item list into `db_path` until stopped (SIGTERM/SIGINT finish the batch).

    With `idle_exit` > 0 the writer also stops once, for that many seconds, nothing has arrived,
    no worker is alive and the frontier is empty (so a writer started before its workers waits
    for them while seeds are queued).
    """
    client = shared.connect(redis_url)
    queue = shared.ItemQueue(client)
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    start = time.monotonic()
    try:
        with Store(db_path) as store:
            writer = ArchiveWriter(store, queue)
            unfinished = queue.unfinished()
            if unfinished:  # a batch the last writer took but did not confirm
                writer.report.replayed = len(unfinished)
                logger.info("replaying %d messages of an unconfirmed batch", len(unfinished))
                writer.commit(unfinished)
            kept = queue.take_deferred()
            if kept:  # run records an earlier writer could not store: perhaps it can now
                writer.commit(kept)
            idle_since = time.monotonic()
            while not stopping:
                messages = queue.take(batch, timeout=1)
                if messages:
                    writer.commit(messages)
                    idle_since = time.monotonic()
                    if echo:
                        echo(f"committed {len(messages)} messages "
                             f"({writer.report.articles} articles so far)")
                    continue
                if idle_exit > 0 and time.monotonic() - idle_since >= idle_exit:
                    if not (shared.live_workers(client) or queue.pending()
                            or shared.frontier_busy(client)):
                        break
                    idle_since = time.monotonic()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    writer.report.seconds = time.monotonic() - start
    return writer.report
