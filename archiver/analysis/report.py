"""Render archive records for the terminal: article versions with diffs, crawl runs, search
hits, and a site's learned template blocks. Pure functions of rows: the CLI prints them."""

from __future__ import annotations

import csv
import difflib
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archiver.store.archive import SearchHit

#: The columns of `archiver search --format csv`, in order.
HIT_FIELDS = ["url", "site", "title", "author", "published", "snippet", "rank"]


def _lines(version: dict[str, Any]) -> list[str]:
    """A version as diffable lines: the title, then the text's paragraphs."""
    text = version.get("text") or ""
    return [f"# {version.get('title') or ''}", ""] + [line.rstrip() for line in text.splitlines()]


def _reason(revisits: list[dict[str, Any]], at: str) -> str | None:
    """The reason of the last revisit requested at or before `at` (ISO 8601 UTC strings)."""
    earlier = [r for r in revisits if r["requested"] <= at]
    return earlier[-1]["reason"] if earlier else None


def render_history(versions: list[dict[str, Any]],
                   revisits: list[dict[str, Any]] | None = None) -> str:
    """Each version's time, hash and title (and for a later version, why the archive looked
    again), the revisits, then `diff -u` from each version to the next."""
    if not versions:
        return ""
    revisits = revisits or []
    out = [f"{versions[-1]['url']}: {len(versions)} version(s)"]
    for number, version in enumerate(versions, 1):
        why = _reason(revisits, version["fetched_at"]) if number > 1 else None
        out.append(f"  v{number}  {version['fetched_at']}  {version['content_hash'][:12]}  "
                   f"{version.get('title') or ''}" + (f"  [revisit: {why}]" if why else ""))
    if revisits:
        out.append(f"revisits: {len(revisits)}")
        for r in revisits:
            said = f" (site date {r['site_modified']})" if r.get("site_modified") else ""
            out.append(f"  {r['requested']}  {r['reason']}{said}")
    for number, (old, new) in enumerate(zip(versions, versions[1:], strict=False), 1):
        out.append("")
        out.extend(difflib.unified_diff(
            _lines(old), _lines(new), fromfile=f"v{number} {old['fetched_at']}",
            tofile=f"v{number + 1} {new['fetched_at']}", lineterm=""))
    return "\n".join(out)


def render_runs(runs: list[dict[str, Any]]) -> str:
    """Recent runs as a table for people (analysts query the `runs` table directly)."""
    if not runs:
        return "no runs recorded"
    head = f"{'id':>5}  {'started':25}  {'finished':25}  {'status':11}  {'exit':>4}  " \
           f"{'pages':>5}  {'new':>4}  {'upd':>4}  {'same':>4}  sites / errors"
    rows = [head]
    for r in runs:
        errors = r.get("errors") or "{}"
        rows.append(
            f"{r['id']:>5}  {r['started'] or '':25}  {r['finished'] or '':25}  "
            f"{r['status'] or '':11}  {_n(r['exit_code']):>4}  {_n(r['pages_fetched']):>5}  "
            f"{_n(r['new']):>4}  {_n(r['updated']):>4}  "
            f"{_n(r['unchanged']):>4}  {r['sites']}"
            + (f" errors {errors}" if errors != "{}" else ""))
    return "\n".join(rows)


def _n(value: Any) -> str:
    return "-" if value is None else str(value)


def render_hits(hits: Sequence[SearchHit], fmt: str) -> str:
    """Search hits as `archiver search` prints them, newline included: `json` (one array),
    `csv` (a header and a row per hit), or `table` (three lines a hit, for people)."""
    if fmt == "json":
        return json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=HIT_FIELDS)
        writer.writeheader()
        for hit in hits:
            writer.writerow(hit.to_dict())
        return out.getvalue()
    lines = [] if hits else ["no matches"]
    for hit in hits:
        lines += [f"{(hit.published or '')[:10]:10}  {hit.site}  {hit.title}",
                  f"            {hit.url}",
                  f"            {' '.join(hit.snippet.split())}"]
    return "".join(line + "\n" for line in lines)


def render_blocks(site: str, total: int, rows: list[dict[str, Any]], min_articles: int) -> str:
    """A site's recurring blocks as `archiver boilerplate` lists them: how many articles
    carry each, and whether cleaning removes it (and by which rule)."""
    lines = [f"site {site}: {total} articles; blocks seen in >= {min_articles} articles",
             f"{'articles':>8}  {'removed':7}  text"]
    for row in rows:
        mark = "yes" if row["removed"] else "no"
        if row["rule"]:
            mark += f" ({row['rule']})"
        lines.append(f"{row['articles']:>8}  {mark:7}  {row['text'][:100]}")
    return "\n".join(lines)
