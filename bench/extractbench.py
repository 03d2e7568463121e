"""Row 7: CPU a page of `archiver.extract.page.analyse` against the library it wraps, on real pages.

Both run in this one process, page by page in turn (analyse, then bare trafilatura, on the same
bytes), so machine load and cache warmth fall on both alike; CPU time (`time.process_time`),
not wall time, so a shared machine's other work counts for neither. The pages are the article
pages of `../shared/corpus/wcxb-dev` (real pages of public sites) when that corpus is beside
the repository, else the in-repo sample `tests/fixtures/wcxb-sample`; the row says which.

`python -m bench.extractbench --profile` prints a cProfile of `analyse` over the same pages,
summed by stage (the per-stage table of docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import json
import pstats
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_CORPUS = ROOT.parent / "shared" / "corpus" / "wcxb-dev"
SAMPLE = ROOT / "tests" / "fixtures" / "wcxb-sample"


@dataclass
class Pages:
    """Article pages of a WCXB-style corpus: (body, url) pairs, and where they came from."""

    source: str
    pages: list[tuple[bytes, str]]


def article_pages(limit: int | None = None, corpus: Path | None = None) -> Pages:
    """The corpus's article pages (ground truth `_internal.page_type.primary == "article"`)."""
    root = corpus or (DEV_CORPUS if (DEV_CORPUS / "ground-truth").is_dir() else SAMPLE)
    name = "wcxb-dev" if root == DEV_CORPUS else root.name
    pages = []
    for gt in sorted((root / "ground-truth").glob("*.json")):
        html = root / "html" / f"{gt.stem}.html.gz"
        truth = json.loads(gt.read_text(encoding="utf-8"))
        kind = truth.get("_internal", {}).get("page_type", {}).get("primary", "article")
        if kind != "article" or not html.exists():
            continue
        pages.append((gzip.decompress(html.read_bytes()), truth.get("url") or "http://x.invalid/"))
        if limit is not None and len(pages) >= limit:
            break
    return Pages(f"{name} article pages", pages)


def _bare(body: bytes, url: str) -> object:
    import trafilatura

    return trafilatura.bare_extraction(body, url=url, with_metadata=True)


def _analyse(body: bytes, url: str) -> object:
    from archiver.extract.page import analyse

    return analyse(body, url)


@dataclass
class Cost:
    """CPU seconds a page, for archiver and for bare trafilatura, over the same pages."""

    ours: float
    bare: float
    pages: int

    @property
    def ratio(self) -> float:
        return self.ours / self.bare


_warmed: set[int] = set()


def _warm(pages: list[tuple[bytes, str]]) -> None:
    """One untimed pass of bare trafilatura over every page, once a process.

    htmldate hands some dates to dateparser, which builds its language models the first time a
    language needs them: seconds each, once a process. Timed cold, they fall on whichever
    extractor meets the language first and move the ratio by a quarter; warmed, both pay only
    their own work (as in a crawl's long-lived extraction workers).
    """
    if id(pages) in _warmed:
        return
    for body, url in pages:
        _bare(body, url)
    _warmed.add(id(pages))


def _cold() -> None:
    """Forget what the last call learnt about its page (untimed, before every timed call).

    htmldate and trafilatura keep LRU caches keyed on the page's own strings (date
    expressions, text lines): after the warm-up pass, or right after the other extractor ran on
    the same page, a call would find its page's work done. Their language models stay loaded.
    """
    from htmldate.meta import reset_caches
    from trafilatura.utils import line_processing, return_printables_and_spaces, trim

    reset_caches()
    for cached in (line_processing, return_printables_and_spaces, trim):
        cached.cache_clear()


def measure(pages: list[tuple[bytes, str]]) -> Cost:
    """Both extractors over every page, alternating which goes first page by page."""
    from archiver.extract.page import warm_up

    warm_up()
    _warm(pages)
    ours = bare = 0.0
    for i, (body, url) in enumerate(pages):
        order: list[tuple[str, Callable[[bytes, str], object]]] = [("ours", _analyse),
                                                                     ("bare", _bare)]
        for name, fn in order if i % 2 == 0 else order[::-1]:
            _cold()
            start = time.process_time()
            fn(body, url)
            spent = time.process_time() - start
            if name == "ours":
                ours += spent
            else:
                bare += spent
    return Cost(ours / len(pages), bare / len(pages), len(pages))


#: Where `analyse` and its stages live: `archiver/extract.py` before issue 19 moved it to
#: `archiver/extract/page.py` and the split of issue 19 spread it over `archiver/extract/`.
_OURS = ("archiver/extract.py", "archiver/extract/")


def _cum(stats: pstats.Stats, file: str, func: str,
         caller: str | tuple[str, ...] | None = None) -> float:
    """Cumulative seconds of `file:func` (only its calls from `caller`, or any of them, when
    given).

    `file` "extract.py" means the archive's own extraction modules, wherever they live.
    """
    total = 0.0
    for (path, _line, name), (_cc, _nc, _tt, ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        mine = any(o in path for o in _OURS) if file == "extract.py" else path.endswith(file)
        if not (mine and name == func):
            continue
        if caller is None:
            total += ct
        else:
            names = (caller,) if isinstance(caller, str) else caller
            total += sum(v[3] for (_p, _l, n), v in callers.items() if n in names)
    return total


def stage_table(stats: pstats.Stats, pages: int) -> list[tuple[str, float, float]]:
    """(stage, ms a page, share of analyse) from a cProfile of `analyse` over `pages` pages.

    Works on profiles of the code before issue 20 (lxml parse called from `analyse`) and after
    (`parse`), so the table in docs/benchmarks.md compares like with like.
    """
    total = _cum(stats, "extract.py", "analyse")
    stages = [
        ("decode bytes to text", _cum(stats, "extract.py", "decode")),
        ("parse (the archive's tree)", _cum(stats, "extract.py", "parse")
         + _cum(stats, "lxml/html/__init__.py", "document_fromstring", caller="analyse")),
        ("trafilatura default pass, with metadata", _cum(
            stats, "trafilatura/core.py", "bare_extraction", caller=("analyse", "default_pass"))),
        ("  of which htmldate (find_date)", _cum(stats, "htmldate/core.py", "find_date")),
        ("extra trafilatura modes (_best_text)", _cum(stats, "extract.py", "_best_text")),
        ("link teasers (teaser_blocks)", _cum(stats, "boilerplate.py", "teaser_blocks")),
        ("language detection", _cum(stats, "extract.py", "_language")),
        ("paywall flag (is_paywalled)", _cum(stats, "extract.py", "is_paywalled")),
        ("article decision (_classify)", _cum(stats, "extract.py", "_classify")),
        ("  of which the classifier's features", _cum(stats, "extract.py", "features")),
    ]
    counted = sum(v for label, v in stages if not label.startswith("  "))
    stages.append(("everything else (JSON-LD, title, tags, dates, hashing)", total - counted))
    out = [(label, v / pages * 1000, v / total) for label, v in stages]
    return [("analyse, total", total / pages * 1000, 1.0), *out]


def profile(pages: list[tuple[bytes, str]], dump: Path | None = None) -> str:
    """A per-stage table of `analyse`'s cost a page under cProfile (after a warm-up).

    `dump`: also write the raw profile there (for `pstats`, or a before/after comparison).
    """
    for body, url in pages[:20]:
        _analyse(body, url)
    prof = cProfile.Profile()
    prof.enable()
    for body, url in pages:
        _analyse(body, url)
    prof.disable()
    if dump is not None:
        prof.dump_stats(dump)
    rows = stage_table(pstats.Stats(prof), len(pages))
    return "\n".join(f"| {label} | {ms:.1f} | {share:.0%} |" for label, ms, share in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--dump", type=Path, default=None, help="write raw cProfile stats here")
    args = parser.parse_args(argv)
    pages = article_pages(args.limit)
    if args.profile:
        print(profile(pages.pages, args.dump))
        return 0
    cost = measure(pages.pages)
    print(f"{pages.source} ({cost.pages}): analyse {cost.ours * 1000:.1f} ms, bare_extraction "
          f"{cost.bare * 1000:.1f} ms a page, {cost.ratio:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
