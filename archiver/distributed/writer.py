"""The archive writer: the one process that drains the workers' Redis list into SQLite.

SQLite takes tens of thousands of upserts a second from one writer and none from many at
once, so however many workers fetch, one writer commits. It takes a batch into a side list,
commits it, then deletes the side list: killed anywhere, it finds the batch on restart and
commits it again, and every step is idempotent (the upsert by URL, captures known by their
place in a WARC file, run records by worker), so the repeat is a no-op.

Besides articles, a batch holds the workers' capture references (indexed in `captures`),
304 answers (recorded as unchanged sightings), pages judged not to be articles (recorded in
`skipped_pages` under the worker's run) and run records. Once a batch is committed the
writer publishes the stored pages' validators to Redis for the workers' conditional requests,
and it marks the runs of workers whose heartbeat expired without a final record `lost`.
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

from archiver.distributed import redis_state
from archiver.distributed.validators import VALIDATORS_TTL_SECONDS, PublishedValidators
from archiver.extract.page import Article
from archiver.store import clock
from archiver.store.archive import Store
from archiver.warc.captures import file_ref, warc_dir_for

logger = logging.getLogger(__name__)
#: How often (at most) the writer looks for runs whose heartbeat expired.
LOST_CHECK_SECONDS = 2.0


@dataclass
class WriterReport:
    """What a writer did before it stopped."""

    batches: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    runs: int = 0
    bad: int = 0
    replayed: int = 0
    deferred: int = 0
    lost: int = 0
    skipped: int = 0  #: pages the workers judged not to be articles, recorded
    seconds: float = 0.0

    @property
    def articles(self) -> int:
        return sum(self.outcomes.values())

    def render(self) -> str:
        rate = self.articles / self.seconds if self.seconds else 0.0
        return (f"writer: {self.articles} articles in {self.batches} batches "
                f"({self.outcomes['new']} new, {self.outcomes['updated']} updated, "
                f"{self.outcomes['unchanged']} unchanged; {rate:.0f}/s), "
                f"{self.skipped} skipped pages recorded, "
                f"{self.runs} worker runs recorded ({self.deferred} kept in Redis: no `runs` "
                f"table yet; {self.lost} lost), {self.replayed} replayed after a crash, "
                f"{self.bad} unreadable messages skipped")


class ArchiveWriter:
    """Commits batches of worker messages (articles, captures, 304s, run records) to the archive."""

    def __init__(self, store: Store, queue: redis_state.ItemQueue, *,
                 warc_dir: Path | None = None,
                 validators: PublishedValidators | None = None) -> None:
        self.store = store
        self.queue = queue
        #: where the workers' WARC files are, as the capture index names them
        self.warc_dir = warc_dir if warc_dir is not None else warc_dir_for(store.path)
        self.validators = validators
        self.report = WriterReport()
        self.tally: dict[str, Counter[str]] = defaultdict(Counter)  # worker -> outcomes

    def capture_row(self, ref: dict[str, Any]) -> dict[str, Any]:
        """A worker's capture reference as a `captures` row (the file named from warc_dir)."""
        return {
            "url": ref["url"], "fetched_at": ref["fetched_at"], "status": ref.get("status"),
            "content_type": ref.get("content_type"), "payload_digest": ref["payload_digest"],
            "record_type": ref.get("record_type", "response"), "refers_to": None,
            "warc_file": file_ref(self.warc_dir / Path(ref["file"]).name, self.store.path),
            "warc_offset": int(ref["offset"]), "warc_length": int(ref["length"]),
            "site": ref.get("site"), "role": ref.get("role"), "hints": ref.get("hints"),
            "source": "crawl",
        }

    def commit(self, messages: list[bytes]) -> None:
        """Store one batch in the archive, publish its validators, then confirm it."""
        rows: list[tuple[str, Article, str, str | None]] = []
        pages: list[dict[str, Any]] = []
        captures: list[dict[str, Any]] = []
        unchanged: list[dict[str, Any]] = []
        runs: list[dict[str, Any]] = []
        skipped: list[dict[str, Any]] = []
        for raw in messages:
            try:
                msg = json.loads(raw)
                kind = msg["type"]
                if kind == "article":
                    article = Article(**msg["article"])
                    rows.append((msg["site"], article, msg["fetched_at"], msg.get("extractor")))
                    ref = msg.get("capture")
                    pages.append({
                        "url": article.url, "requested_url": msg.get("requested_url")
                        or article.url, "site": msg["site"], "seen_at": msg["fetched_at"],
                        "etag": msg.get("etag"), "last_modified": msg.get("last_modified"),
                        "schedule": [int(a) for a in msg.get("revisit") or ()],
                        "worker": msg.get("worker"),
                        "capture": len(captures) if ref else None})
                    if ref:
                        captures.append(self.capture_row(ref))
                elif kind == "capture":
                    captures.append(self.capture_row(msg["capture"]))
                elif kind == "not_modified":
                    unchanged.append({"site": msg["site"], "url": msg["url"],
                                      "seen_at": msg["seen_at"], "etag": msg.get("etag"),
                                      "last_modified": msg.get("last_modified"),
                                      "schedule": tuple(int(a) for a in msg.get("revisit") or ()),
                                      "worker": msg.get("worker")})
                elif kind == "run":
                    runs.append(msg)
                elif kind == "skipped":
                    ref = msg.get("capture")
                    skipped.append({
                        "site": msg["site"], "url": msg["url"],
                        "fetched_url": msg.get("fetched_url"), "reason": msg["reason"],
                        "score": msg.get("score"), "fetched_at": msg["fetched_at"],
                        "worker": msg.get("worker"),
                        "capture": len(captures) if ref else None})
                    if ref:
                        captures.append(self.capture_row(ref))
                else:
                    raise ValueError(f"unknown type {kind!r}")
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                self.report.bad += 1
                logger.error("unreadable message skipped: %s: %r", exc, raw[:200])
        capture_ids = self.store.add_captures_once(captures) if captures else []
        outcomes = self.store.save_many(rows) if rows else []
        for page in pages + skipped:
            slot = page.pop("capture")
            page["capture_id"] = capture_ids[slot] if slot is not None else None
        if pages:
            self.store.record_pages(pages)
        for page, outcome in zip(pages, outcomes, strict=True):
            self.report.outcomes[outcome] += 1
            if page["worker"]:
                self.tally[page["worker"]][outcome] += 1
        published = [(u, p["etag"], p["last_modified"])
                     for p in pages for u in {p["url"], p["requested_url"]}]
        gone = []
        for nm in unchanged:  # a 304: seen unchanged, as `archiver crawl` records it
            known = self.store.mark_not_modified(nm["url"], nm["seen_at"], nm["schedule"],
                                                 etag=nm["etag"],
                                                 last_modified=nm["last_modified"])
            if known:
                self.report.outcomes["unchanged"] += 1
                if nm["worker"]:
                    self.tally[nm["worker"]]["unchanged"] += 1
                validators = self.store.validators(nm["url"])
                if validators:
                    published.append((nm["url"], *validators))
            else:  # no longer archived: the next visit must fetch it in full
                gone.append(nm["url"])
        deferred = []
        for run in runs:
            running = run.get("status") == "running"
            if "new" not in run and not running:
                # counts are added once, by the writer that saw the articles
                counts = self.tally.pop(run["worker"], Counter())
                run.update(new=counts["new"], updated=counts["updated"],
                           unchanged=counts["unchanged"])
            recorded = self.store.record_worker_run(run)
            if recorded is None:  # no `runs` table in this archive yet: keep it in Redis
                deferred.append(json.dumps(run).encode("utf-8"))
                self.report.deferred += 1
            elif recorded and not running:
                self.report.runs += 1
        if skipped:  # after the runs: a skip names its worker's run, recorded by now
            self.store.skip_pages(skipped)
            self.report.skipped += len(skipped)
        if self.validators is not None:
            self.validators.publish(published)
            self.validators.forget(gone)
        self.queue.confirm(deferred=deferred)
        self.report.batches += 1

    def mark_lost(self, client: Any) -> int:
        """Record as `lost` the running runs whose worker's heartbeat has expired.

        Call only with the item list drained: a worker that ended cleanly pushed its final
        record before its heartbeat stopped, so that record is committed by then. (Should a
        final record still come later, it replaces `lost`.)
        """
        if "runs" not in self.store.db.table_names():
            return 0
        lost = 0
        finished = clock.now_iso()
        for worker in self.store.running_worker_runs():
            if redis_state.run_alive(client, worker):
                continue
            counts = self.tally.pop(worker, Counter())
            if self.store.mark_run_lost(worker, finished, dict(counts)):
                logger.warning("worker %s stopped without a final record: run lost", worker)
                lost += 1
        self.report.lost += lost
        return lost


def run_writer(db_path: Path, redis_url: str, *, batch: int = 500, idle_exit: float = 0,
               echo: Callable[[str], None] | None = None, warc_dir: Path | None = None,
               validators_ttl: float = VALIDATORS_TTL_SECONDS) -> WriterReport:
    """Drain the item list into `db_path` until stopped (SIGTERM/SIGINT finish the batch).

    With `idle_exit` > 0 the writer also stops once, for that many seconds, nothing has arrived,
    no worker is alive (nor any run's heartbeat) and the frontier is empty (so a writer started
    before its workers waits for them while seeds are queued). `warc_dir` is where the workers'
    WARC files are (default: warc/ beside the database).
    """
    client = redis_state.connect(redis_url)
    queue = redis_state.ItemQueue(client)
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    start = time.monotonic()
    try:
        with Store(db_path) as store:
            writer = ArchiveWriter(store, queue, warc_dir=warc_dir,
                                   validators=PublishedValidators(client, validators_ttl))
            unfinished = queue.unfinished()
            if unfinished:  # a batch the last writer took but did not confirm
                writer.report.replayed = len(unfinished)
                logger.info("replaying %d messages of an unconfirmed batch", len(unfinished))
                writer.commit(unfinished)
            kept = queue.take_deferred()
            if kept:  # run records an earlier writer could not store: perhaps it can now
                writer.commit(kept)
            idle_since = checked = time.monotonic()
            while not stopping:
                messages = queue.take(batch, timeout=1)
                if messages:
                    writer.commit(messages)
                    idle_since = time.monotonic()
                    if echo:
                        echo(f"committed {len(messages)} messages "
                             f"({writer.report.articles} articles so far)")
                    if len(messages) == batch:
                        continue  # more may be waiting: look for lost runs once drained
                if time.monotonic() - checked >= LOST_CHECK_SECONDS:
                    writer.mark_lost(client)
                    checked = time.monotonic()
                if messages:
                    continue
                if idle_exit > 0 and time.monotonic() - idle_since >= idle_exit:
                    if not (redis_state.live_workers(client) or redis_state.live_runs(client)
                            or queue.pending() or redis_state.frontier_busy(client)):
                        writer.mark_lost(client)
                        break
                    idle_since = time.monotonic()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    writer.report.seconds = time.monotonic() - start
    return writer.report
