"""Live progress on a terminal, drawn by rich: the crawl's status lines, and a bar for the
commands that know their length (reextract, reclean, export -o).

Only on a terminal: off one (cron, pipes, CI) none of this is created and the commands print
what they always did. rich was chosen over click's progress bar and tqdm because a crawl's
status is several counters per site with no known total (click's bar needs a length), and
because rich's `Live` keeps the status at the bottom while log lines (warnings, errors, and
with --verbose Scrapy's log) print above it, instead of tearing it. tqdm can do one bar per
line but its counters-as-postfix and log redirection are clumsier for a table of sites.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

#: Seconds between redraws of the crawl's status (a reactor timer: no thread reads Scrapy).
REFRESH_SECONDS = 0.25


def on_terminal(stream: IO[str] | None = None) -> bool:
    """Whether `stream` (stderr by default) is a terminal a person is watching."""
    stream = stream if stream is not None else sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # replaced or closed streams
        return False


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _elapsed(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class CrawlStatus:
    """Two lines per site (and a total for several), redrawn in place during a crawl: pages
    fetched / queued, pages per second, elapsed; articles new / updated / unchanged, skipped,
    errors."""

    def __init__(self, crawlers: list[tuple[str, Any]]) -> None:
        self.crawlers = crawlers
        self.started = time.monotonic()
        self.live: Any = None
        self.loop: Any = None

    def _rows(self, name: str, stats: dict[str, Any], seconds: float) -> list[list[str]]:
        """A site's two status rows: pages, rate and time; then articles, skips and errors.

        Two short rows rather than one long one: each stays under 80 columns for runs of
        thousands of pages, where one row of every counter wrapped cell by cell.
        """
        from archiver.crawl.run import SiteSummary

        s = SiteSummary.from_stats(name, stats)
        queued = max(0, int(stats.get("scheduler/enqueued", 0))
                     - int(stats.get("scheduler/dequeued", 0)))
        rate = s.pages_fetched / seconds if seconds > 0 else 0.0
        return [[f"[bold]{name}[/bold]", f"pages {s.pages_fetched} fetched / {queued} queued",
                 f"{rate:.1f} pages/s", _elapsed(seconds)],
                ["", f"articles {s.new} new / {s.updated} updated / {s.unchanged} unchanged",
                 f"{sum(s.skipped.values())} skipped", f"{sum(s.errors.values())} errors"]]

    def render(self) -> Any:
        """The status as a rich grid (stats are copied first: Scrapy owns the dicts)."""
        from rich.table import Table

        seconds = time.monotonic() - self.started
        table = Table.grid(padding=(0, 2))
        for _ in range(4):
            table.add_column(no_wrap=True, overflow="ellipsis")
        rows = []
        totals: dict[str, int] = {}
        for name, crawler in self.crawlers:
            stats = dict(crawler.stats.get_stats())
            rows += self._rows(name, stats, seconds)
            for key, value in stats.items():
                if isinstance(value, int) and key.startswith(("archive/", "scheduler/")):
                    totals[key] = totals.get(key, 0) + value
        if len(self.crawlers) > 1:
            rows += self._rows("all sites", totals, seconds)
        for row in rows:
            table.add_row(*row)
        return table

    def refresh(self) -> None:
        if self.live is not None:
            self.live.update(self.render(), refresh=True)

    def start(self) -> None:
        """Show the status and redraw it from the reactor (call before `process.start()`)."""
        from rich.live import Live
        from twisted.internet import task

        self.live = Live(self.render(), console=_console(), auto_refresh=False,
                         redirect_stdout=True, redirect_stderr=True, transient=False)
        self.live.start()
        self.loop = task.LoopingCall(self.refresh)
        self.loop.start(REFRESH_SECONDS, now=False)

    def stop(self) -> None:
        """Draw the last status and leave it on screen, above the summary."""
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.live is not None:
            self.live.update(self.render(), refresh=True)
            self.live.stop()
            self.live = None


@contextmanager
def task_progress(label: str, total: int | None, *,
                  enabled: bool | None = None) -> Iterator[Callable[[float], None]]:
    """A progress bar for `total` steps on a terminal; yields `advance(n)`. Off a terminal
    (or with `enabled=False`) `advance` does nothing and nothing is printed."""
    if not (on_terminal() if enabled is None else enabled):
        def nothing(n: float = 1) -> None:
            pass

        yield nothing
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=_console(),
                  transient=True) as bar:
        task_id = bar.add_task(label, total=total)

        def advance(n: float = 1) -> None:
            bar.advance(task_id, n)

        yield advance
