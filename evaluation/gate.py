"""Run the archive's extraction and cleaning, and bare trafilatura, over corpora; tabulate scores.

Three kinds of corpus, each scored in the same run:

- a WCXB-style folder (`html/<id>.html.gz`, `ground-truth/<id>.json`): article pages are scored
  for text (shingle P/R/F1), snippets (`with` share, `without` leak rate) and title/author/date
  accuracy, for `archiver` and for bare `trafilatura.extract`; non-article pages say how often
  each page type would wrongly be archived as an article;
- fixture sites (a folder with `expected.json` and the pages it names): every page is stored
  through `Store.save_articles` into a temporary archive, so the site's learned template is
  removed as in a crawl, then `must_contain` / `must_not_contain` are checked.
"""

from __future__ import annotations

import gzip
import json
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trafilatura

from archiver.extract.page import HARD_REASONS, analyse, decode
from archiver.store.archive import Store
from evaluation.scoring import Tally, snippet_counts


def _score_page(html_path: str, gt_path: str) -> dict[str, Any]:
    """Both extractors on one corpus page (runs in a worker process)."""
    truth = json.loads(Path(gt_path).read_text(encoding="utf-8"))
    body = gzip.decompress(Path(html_path).read_bytes())
    url = truth.get("url") or "http://example.com/page"
    kind = truth.get("_internal", {}).get("page_type", {}).get("primary", "article")
    try:
        result = analyse(body, url)
    except Exception as exc:  # noqa: BLE001 - a crash is scored as no output, and reported
        result, error = None, f"{type(exc).__name__}: {exc}"
    else:
        error = None
    ours = (result.article or result.candidate) if result else None
    try:
        raw = trafilatura.extract(decode(body), url=url, output_format="json",
                                  with_metadata=True)
        bare = json.loads(raw) if raw else {}
    except Exception:  # noqa: BLE001
        bare = {}
    return {
        "id": Path(gt_path).stem,
        "url": url,
        "kind": kind,
        "features": result.features if result else None,
        "hard": bool(result is None or result.reason in HARD_REASONS),
        "truth": truth.get("ground_truth", {}),
        "archived": bool(result and result.article),
        "reason": result.reason if result else "error",
        "error": error,
        "ours": {"text": ours.text if ours else "", "title": ours.title if ours else None,
                 "author": ours.author if ours else None,
                 "date": ours.published if ours else None},
        "bare": {"text": bare.get("text") or "", "title": bare.get("title"),
                 "author": bare.get("author"), "date": bare.get("date")},
    }


@dataclass
class CorpusReport:
    """Scores of one WCXB-style corpus."""

    name: str
    ours: dict[str, float]
    bare: dict[str, float]
    articles: int
    articles_rejected: int
    non_articles: int
    non_articles_archived: int
    archived_by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0
    #: the archive's text scores with every article page it would not archive scored as empty
    #: text (what an analyst gets from the archive)
    stored: dict[str, float] = field(default_factory=dict)
    #: every page's record (url, kind, features, hard, archived, truth, ours), for the by-site
    #: validation of the decision (tools/quality.py)
    pages: list[dict[str, Any]] = field(default_factory=list)
    #: more lines for the rendered table (the by-site validation, added by tools/quality.py)
    notes: list[str] = field(default_factory=list)

    @property
    def non_article_rate(self) -> float:
        return self.non_articles_archived / self.non_articles if self.non_articles else 0.0

    @property
    def article_reject_rate(self) -> float:
        return self.articles_rejected / self.articles if self.articles else 0.0


def corpus_pages(root: Path) -> list[tuple[str, str]]:
    """(html, ground truth) path pairs of a WCXB-style folder, in id order."""
    pairs = []
    for gt in sorted((root / "ground-truth").glob("*.json")):
        html = root / "html" / f"{gt.stem}.html.gz"
        if html.exists():
            pairs.append((str(html), str(gt)))
    return pairs


def score_corpus(root: Path, *, workers: int = 2, limit: int | None = None) -> CorpusReport:
    """Score a WCXB-style corpus with both extractors in the same run."""
    start = time.monotonic()
    pages = corpus_pages(root)[:limit]
    ours, bare, stored = Tally(), Tally(), Tally()
    records = []
    kinds: Counter[str] = Counter()
    archived: Counter[str] = Counter()
    errors = rejected = 0
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        for page in pool.map(_score_page, *zip(*pages, strict=True), chunksize=4):
            records.append(page)
            kinds[page["kind"]] += 1
            archived[page["kind"]] += page["archived"]
            errors += page["error"] is not None
            if page["kind"] == "article":
                rejected += not page["archived"]
                for tally, key in ((ours, "ours"), (bare, "bare")):
                    out = page[key]
                    tally.add(page["truth"], out["text"], out["title"], out["author"],
                              out["date"])
                kept = page["ours"] if page["archived"] else {}
                stored.add(page["truth"], kept.get("text", ""), kept.get("title"),
                           kept.get("author"), kept.get("date"))
    non = sum(n for k, n in kinds.items() if k != "article")
    return CorpusReport(
        name=root.name, ours=ours.summary(), bare=bare.summary(), articles=kinds["article"],
        articles_rejected=rejected, non_articles=non,
        non_articles_archived=sum(n for k, n in archived.items() if k != "article"),
        archived_by_kind={k: (archived[k], kinds[k]) for k in sorted(kinds)},
        errors=errors, seconds=time.monotonic() - start, stored=stored.summary(),
        pages=records,
    )


@dataclass
class SiteReport:
    """Snippet checks of one fixture site after storing all its pages."""

    name: str
    pages: int
    archived: int
    must_contain: int
    kept: int
    must_not_contain: int
    leaked: int
    bare_leaked: int
    misses: list[str] = field(default_factory=list)


def _page_file(root: Path, path: str) -> Path:
    candidate = root / path.lstrip("/")
    if candidate.is_dir():
        return candidate / "index.html"
    return candidate if candidate.suffix else candidate.with_suffix(".html")


def score_site(root: Path, origin: str = "http://127.0.0.1:8000", *,
               drop_xpath: tuple[str, ...] = (), name: str | None = None) -> SiteReport:
    """Store every page of a fixture site in a fresh archive, then check its snippets.

    `expected.json` names each page by path with `must_contain` / `must_not_contain`; the site's
    template is learned from its own pages, as a crawl would; `drop_xpath` are selector rules
    (none unless given).
    """
    expected = json.loads((root / "expected.json").read_text(encoding="utf-8"))["pages"]
    bodies = {path: _page_file(root, path).read_bytes() for path in expected}
    bare_leaks = 0
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "q.db") as store:
        for path, body in bodies.items():
            result = analyse(body, origin + path, domains=("127.0.0.1",),
                             drop_xpath=drop_xpath)
            if result.article:
                store.save_articles(root.name, [result.article])
            raw = trafilatura.extract(decode(body), url=origin + path) or ""
            bare_leaks += snippet_counts(raw, [], expected[path].get("must_not_contain", []))[1]
        rows = {r["url"].removeprefix(origin): r for r in store.articles(root.name)}
    report = SiteReport(name or root.name, len(expected), len(rows), 0, 0, 0, 0, bare_leaks)
    for path, want in expected.items():
        text = rows.get(path, {}).get("text", "")
        with_, without = want.get("must_contain", []), want.get("must_not_contain", [])
        found, leaked = snippet_counts(text, with_, without)
        report.must_contain += len(with_)
        report.kept += found
        report.must_not_contain += len(without)
        report.leaked += leaked
        if found < len(with_) or leaked:
            report.misses.append(path)
    return report


def render(corpora: list[CorpusReport], sites: list[SiteReport]) -> str:
    """The quality table as Markdown."""
    lines = []
    for c in corpora:
        lines += [
            f"### {c.name}: {c.articles} article pages, {c.non_articles} other pages "
            f"({c.seconds:.0f} s)", "",
            "| extractor | precision | recall | F1 | with | leak | title | author | date |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, s in (("archiver", c.ours), ("trafilatura.extract", c.bare)):
            lines.append(f"| {name} | {s['precision']:.4f} | {s['recall']:.4f} | "
                         f"**{s['f1']:.4f}** | {s['with']:.4f} | {s['leak']:.4f} | "
                         f"{s['title']:.3f} | {s['author']:.3f} | {s['date']:.3f} |")
        lines += ["", f"- F1 gain over trafilatura: {c.ours['f1'] - c.bare['f1']:+.4f}; "
                      f"leak rate {c.ours['leak']:.4f} vs {c.bare['leak']:.4f}",
                  f"- non-article pages archived as articles: {c.non_articles_archived} of "
                  f"{c.non_articles} ({c.non_article_rate:.1%}); article pages not archived: "
                  f"{c.articles_rejected} of {c.articles} ({c.article_reject_rate:.1%})",
                  "- archived by page type: " + ", ".join(
                      f"{k} {a}/{n}" for k, (a, n) in c.archived_by_kind.items())]
        if c.stored:
            lines.append(f"- text as stored (article pages not archived count as empty text), "
                         f"shipped model: F1 {c.stored['f1']:.4f} (recall "
                         f"{c.stored['recall']:.4f}) vs bare trafilatura.extract "
                         f"{c.bare['f1']:.4f}")
        lines += c.notes
        if c.errors:
            lines.append(f"- extraction errors: {c.errors}")
        lines.append("")
    if sites:
        lines += ["### Fixture sites (all pages stored, template learned from the site)", "",
                  "| site | pages | archived | must_contain kept | must_not_contain leaked "
                  "| trafilatura leaked |", "| --- | --- | --- | --- | --- | --- |"]
        for s in sites:
            lines.append(f"| {s.name} | {s.pages} | {s.archived} | {s.kept}/{s.must_contain} | "
                         f"{s.leaked}/{s.must_not_contain} | {s.bare_leaked}/"
                         f"{s.must_not_contain} |")
        lines.append("")
    return "\n".join(lines)
