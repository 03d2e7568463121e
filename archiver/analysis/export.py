"""Stream articles out of the archive as JSON Lines or CSV, one row at a time (constant memory)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from typing import Any, Literal, TextIO

from archiver.store.archive import Store

Format = Literal["jsonl", "csv"]
#: Columns whose values are lists: JSON arrays in JSON Lines, JSON text in a CSV cell.
LIST_FIELDS = ("categories", "tags")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: NULL is the empty cell, lists are JSON text."""
    if value is None:
        return ""
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return value


def export(store: Store, out: TextIO, fmt: Format, *, site: str | None = None,
           since: str | None = None, until: str | None = None,
           query: str | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Write the matching articles to `out`; return how many were written.

    Rows are read from a cursor and written as they come, so memory does not grow with the
    archive. Every column of `articles` is written; CSV has a header row. `progress(1)` is
    called after each article.
    """
    rows = store.iter_articles(site=site, since=since, until=until, query=query)
    if progress is not None:
        rows = _counted(rows, progress)
    count = 0
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False))
            out.write("\n")
            count += 1
        return count
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}")
    writer = csv.writer(out)
    columns: list[str] | None = None
    for row in rows:
        if columns is None:
            columns = list(row)
            writer.writerow(columns)
        writer.writerow([csv_cell(row[c]) for c in columns])
        count += 1
    if columns is None:
        writer.writerow(store.article_columns())
    return count


def _counted(rows: Any, progress: Callable[[int], None]) -> Any:
    for row in rows:
        yield row
        progress(1)
