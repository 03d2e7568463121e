"""Snapshot `analyse`'s output on every page of a WCXB-style corpus, and diff two snapshots.

A refactor of the extraction code for speed must not change what it extracts: this writes, a
line a page, the text's hash, the decision (article or the reason it is not), the score rounded
to 1e-6 and the metadata, for article and non-article pages alike, so two runs (before and
after a change) can be compared page by page:

    python -m bench.extract_diff snapshot /tmp/before.jsonl
    python -m bench.extract_diff snapshot /tmp/after.jsonl
    python -m bench.extract_diff diff /tmp/before.jsonl /tmp/after.jsonl
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from bench.extractbench import DEV_CORPUS, SAMPLE


def _record(name: str, body: bytes, url: str) -> dict[str, Any]:
    from archiver.extract.page import analyse

    result = analyse(body, url)
    art = result.article or result.candidate
    out: dict[str, Any] = {
        "page": name,
        "reason": result.reason,
        "score": None if result.score is None else round(result.score, 6),
        "features": None if result.features is None
        else {k: round(v, 6) for k, v in sorted(result.features.items())},
    }
    if art is not None:
        meta = art.to_dict()
        text = meta.pop("text")
        meta["text_sha"] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        out["article"] = meta
    return out


def snapshot(path: Path, corpus: Path, limit: int | None) -> int:
    """Write one JSON line per page of `corpus` (all page types) to `path`."""
    gts = sorted((corpus / "ground-truth").glob("*.json"))[:limit]
    with path.open("w", encoding="utf-8") as out:
        for gt in gts:
            html = corpus / "html" / f"{gt.stem}.html.gz"
            if not html.exists():
                continue
            url = json.loads(gt.read_text(encoding="utf-8")).get("url") or "http://x.invalid/"
            record = _record(gt.stem, gzip.decompress(html.read_bytes()), url)
            out.write(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")
    return len(gts)


def diff(before: Path, after: Path) -> int:
    """Print the pages whose records differ, field by field; the number of such pages."""
    def load(p: Path) -> dict[str, dict[str, Any]]:
        return {r["page"]: r for r in map(json.loads, p.read_text(encoding="utf-8").splitlines())}

    a, b = load(before), load(after)
    changed = 0
    for page in sorted(a.keys() | b.keys()):
        ra, rb = a.get(page), b.get(page)
        if ra == rb:
            continue
        changed += 1
        if ra is None or rb is None:
            print(f"{page}: only in {'after' if ra is None else 'before'}")
            continue
        for key in sorted(ra.keys() | rb.keys()):
            va, vb = ra.get(key), rb.get(key)
            if isinstance(va, dict) and isinstance(vb, dict):
                for sub in sorted(va.keys() | vb.keys()):
                    if va.get(sub) != vb.get(sub):
                        print(f"{page}: {key}.{sub}: {va.get(sub)!r} -> {vb.get(sub)!r}")
            elif va != vb:
                print(f"{page}: {key}: {va!r} -> {vb!r}")
    print(f"{len(a)} pages before, {len(b)} after; {changed} differ")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot")
    snap.add_argument("output", type=Path)
    snap.add_argument("--limit", type=int, default=None)
    d = sub.add_parser("diff")
    d.add_argument("before", type=Path)
    d.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        corpus = DEV_CORPUS if (DEV_CORPUS / "ground-truth").is_dir() else SAMPLE
        print(f"{snapshot(args.output, corpus, args.limit)} pages of {corpus.name}")
        return 0
    return 1 if diff(args.before, args.after) else 0


if __name__ == "__main__":
    sys.exit(main())
