"""Render archive records for the terminal: article versions with diffs, and crawl runs."""

from __future__ import annotations

import difflib
from typing import Any


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
