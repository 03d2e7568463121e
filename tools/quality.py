"""`make quality`: the extraction quality gate's table, archiver beside bare trafilatura.

Usage: python tools/quality.py [--corpus DIR] [--workers N] [--limit N] [--write FILE]

The development corpus is ../shared/corpus/wcxb-dev beside the repository; when it is absent
(a clean clone) the gate says so and runs on the small sample kept in tests/fixtures/wcxb-sample.
Fixture sites (tests/fixtures/*/expected.json) are scored too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from archiver.config import selector_to_xpath

# evaluation/ is beside tools/ in the checkout, not an installed package
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from evaluation.classifier_fit import validate  # noqa: E402
from evaluation.gate import CorpusReport, render, score_corpus, score_site  # noqa: E402
from evaluation.scoring import Tally  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEV_CORPUS = ROOT.parent / "shared" / "corpus" / "wcxb-dev"
SAMPLE = ROOT / "tests" / "fixtures" / "wcxb-sample"
FIXTURES = ROOT / "tests" / "fixtures"
#: The seed site's selector rules (as in tests/support.py): it has four pages, too few to learn
#: a template from, so it is scored with and without them.
SEED_DROP = ("#block-ownedbyourreaders", "#block-fightingfund", ".block-similar", "#top",
             ".skip-link", "#cookie-banner")


def by_site_validation(report: CorpusReport) -> list[str]:
    """The article decision validated by site on the corpus's own pages (five folds, no site on
    both sides, the threshold chosen inside the training folds), as table lines: both sides of
    the trade, by page type, and the stored text's F1 with every article the held-out model
    would drop counted as empty text."""
    pages = report.pages
    usable = [p for p in pages if p["features"] is not None]
    if len({p["kind"] == "article" for p in usable}) < 2 or len(usable) < 20:
        return ["- by-site validation: too few labelled pages of both kinds"]
    names = sorted(usable[0]["features"])
    found, decided = validate([p["features"] or {} for p in pages], [p["kind"] for p in pages],
                              [p["url"] for p in pages], names,
                              hard_reject=[p["hard"] for p in pages])
    stored = Tally()
    for page, keep in zip(pages, decided, strict=True):
        if page["kind"] == "article":
            out = page["ours"] if keep else {}
            stored.add(page["truth"], out.get("text", ""), out.get("title"), out.get("author"),
                       out.get("date"))
    s = stored.summary()
    lost = found.articles - found.articles_kept
    return [
        f"- by-site validation (5 folds, no site on both sides): article pages archived "
        f"{found.articles_kept} of {found.articles} ({found.recall:.1%}; {lost} lost); "
        f"non-article pages archived {found.others_kept} of {found.others} "
        f"({found.false_rate:.1%})",
        "- by-site validation, archived by page type: " + ", ".join(
            f"{k} {a}/{n}" for k, (a, n) in found.kept_by_kind.items()),
        f"- by-site validation, text as stored (dropped articles as empty text): F1 "
        f"{s['f1']:.4f} (precision {s['precision']:.4f}, recall {s['recall']:.4f}) vs bare "
        f"trafilatura.extract {report.bare['f1']:.4f}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None,
                        help=f"WCXB-style corpus (default: {DEV_CORPUS.relative_to(ROOT.parent)}"
                             " when present, else the in-repo sample)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="Score only the first N pages.")
    parser.add_argument("--write", type=Path, default=None,
                        help="Also write the table into this Markdown file.")
    args = parser.parse_args(argv)
    corpora = []
    if args.corpus is not None:
        if not (args.corpus / "ground-truth").is_dir():
            print(f"quality: {args.corpus}: not a WCXB-style corpus (no ground-truth/ folder)",
                  file=sys.stderr)
            return 2
        corpora.append(args.corpus)
    elif (DEV_CORPUS / "ground-truth").is_dir():
        corpora.append(DEV_CORPUS)
    else:
        print(f"quality: development corpus {DEV_CORPUS} is absent; scoring the in-repo sample "
              f"{SAMPLE.relative_to(ROOT)} only (figures are not comparable with the full "
              "corpus)", file=sys.stderr)
        corpora.append(SAMPLE)
    reports = []
    for corpus in corpora:
        print(f"quality: scoring {corpus} ...", file=sys.stderr, flush=True)
        report = score_corpus(corpus, workers=args.workers, limit=args.limit)
        report.notes += by_site_validation(report)
        reports.append(report)
    sites = []
    for expected in sorted(FIXTURES.glob("*/expected.json")):
        sites.append(score_site(expected.parent))
        if expected.parent.name == "seed-site":
            sites.append(score_site(expected.parent, name="seed-site (selector rules)",
                                    drop_xpath=tuple(selector_to_xpath(s) for s in SEED_DROP)))
    table = render(reports, sites)
    print(table)
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
