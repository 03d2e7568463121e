"""Draws the archive's coverage: articles published per day, stacked by site, as PNG or SVG.

matplotlib renders on the server (its Agg and SVG backends need no display and no
JavaScript), so the same picture serves `archiver stats --plot` and Datasette's
`/-/coverage` page on a machine with no internet access.
"""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from archiver.errors import ArchiverError, ExitCode

FORMATS = ("png", "svg")
#: Up to this many days are drawn as daily bars; longer spans are summed per week.
DAILY_SPAN_DAYS = 120


class PlotError(ArchiverError):
    """The chart cannot be drawn or written (unknown format, unwritable file)."""

    exit_code = ExitCode.USAGE


def plot_format(path: str | Path) -> str:
    """The image format a file name asks for (png or svg), or a PlotError."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise PlotError(f"{path}: the chart is written as .png or .svg, not {suffix or '(none)'}")
    return suffix


def render(counts: list[tuple[str, str, int]], fmt: str = "svg", *,
           title: str = "Articles published") -> bytes:
    """The chart of (day, site, articles) rows as PNG or SVG bytes.

    Short spans get one bar per day; long ones are summed per ISO week so bars stay legible.
    An archive without dated articles gets a chart that says so rather than an error.
    """
    from matplotlib import rc_context
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, DayLocator
    from matplotlib.figure import Figure  # the OO API: no pyplot state, safe in threads
    from matplotlib.ticker import MaxNLocator

    if fmt not in FORMATS:
        raise PlotError(f"unknown chart format {fmt!r} (png or svg)")
    series: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    days = sorted({date.fromisoformat(day) for day, _, _ in counts})
    weekly = bool(days) and (days[-1] - days[0]).days > DAILY_SPAN_DAYS
    for day, site, n in counts:
        when = date.fromisoformat(day)
        if weekly:
            when -= timedelta(days=when.weekday())
        series[site][when] += n

    fig = Figure(figsize=(10, 4.5), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    unit = "week" if weekly else "day"
    ax.set_title(f"{title} per {unit}, by site")
    ax.set_ylabel(f"articles per {unit}")
    if not series:
        ax.text(0.5, 0.5, "no dated articles yet", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_xticks([])
    else:
        slots = sorted({d for per_site in series.values() for d in per_site})
        dates: Any = slots  # matplotlib's date converter takes them; its stubs know no dates
        bottom = [0] * len(slots)
        width = 6.0 if weekly else 0.8
        for site in sorted(series):
            heights = [series[site].get(slot, 0) for slot in slots]
            ax.bar(dates, heights, width=width, bottom=bottom, label=site,
                   align="edge" if weekly else "center")
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        # Whole days at most: a few days' span would otherwise get hourly ticks.
        span = (slots[-1] - slots[0]).days
        locator = DayLocator() if not weekly and span <= 14 else AutoDateLocator(minticks=3)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        ticks = ax.yaxis.get_major_locator()  # AutoLocator, a MaxNLocator
        if isinstance(ticks, MaxNLocator):
            ticks.set_params(integer=True)
        ax.legend(title="site", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
        ax.grid(axis="y", alpha=0.3)
    out = io.BytesIO()
    # Text stays text in SVG (searchable, selectable); no timestamp keeps output reproducible.
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "archiver"}):
        fig.savefig(out, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return out.getvalue()


def write_plot(counts: list[tuple[str, str, int]], path: str | Path) -> Path:
    """Write the coverage chart to `path`, its format taken from the suffix."""
    path = Path(path)
    data = render(counts, plot_format(path))
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise PlotError(f"{path}: cannot write chart: {exc.strerror or exc}") from None
    return path
