"""Fit the article classifier on a labelled WCXB-style corpus and write the shipped model.

Usage: python tools/fit_classifier.py [--corpus DIR] [--workers N] [--write FILE]

Runs the archive's own `analyse` on every page (so the features are exactly what a crawl
computes), validates the decision by site (five folds; no site on both sides; the threshold
chosen inside the training folds), prints both sides of the trade (articles lost, other pages
kept, by page type), then fits on every page and writes the weights, the threshold and the
validation figures to archiver/extract/data/article_model.json (or --write). Needs only numpy.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from archiver.extract.page import HARD_REASONS

# evaluation/ is beside tools/ in the checkout, not an installed package
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from evaluation.classifier_fit import (  # noqa: E402
    L2,
    TARGET_RECALL,
    fit_logistic,
    folds_by_site,
    inner_threshold,
    matrix,
    validate,
)

ROOT = Path(__file__).resolve().parent.parent
DEV_CORPUS = ROOT.parent / "shared" / "corpus" / "wcxb-dev"
MODEL = ROOT / "archiver" / "data" / "article_model.json"


def page_record(html_path: str, gt_path: str) -> dict[str, Any]:
    """One labelled page through `analyse` (in a worker): its features and hard decision."""
    from archiver.extract.page import analyse

    truth = json.loads(Path(gt_path).read_text(encoding="utf-8"))
    url = truth.get("url") or "http://example.com/page"
    kind = truth.get("_internal", {}).get("page_type", {}).get("primary", "article")
    result = analyse(gzip.decompress(Path(html_path).read_bytes()), url)
    return {"id": Path(gt_path).stem, "url": url, "kind": kind, "reason": result.reason,
            "features": result.features}


def corpus_records(root: Path, workers: int) -> list[dict[str, Any]]:
    pairs = [(str(root / "html" / f"{gt.stem}.html.gz"), str(gt))
             for gt in sorted((root / "ground-truth").glob("*.json"))]
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(page_record, *zip(*pairs, strict=True), chunksize=8))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEV_CORPUS)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", type=Path, default=MODEL)
    parser.add_argument("--recall", type=float, default=TARGET_RECALL,
                        help="share of training articles the threshold keeps")
    args = parser.parse_args(argv)
    if not (args.corpus / "ground-truth").is_dir():
        print(f"fit_classifier: {args.corpus}: not a WCXB-style corpus", file=sys.stderr)
        return 2
    records = corpus_records(args.corpus, args.workers)
    scored = [r for r in records if r["features"] is not None]
    names = sorted(scored[0]["features"])
    kinds = [r["kind"] for r in records]
    urls = [r["url"] for r in records]
    features = [r["features"] or {} for r in records]
    hard = [r["reason"] in HARD_REASONS for r in records]
    found, _ = validate(features, kinds, urls, names, hard_reject=hard, recall=args.recall)
    lost = found.articles - found.articles_kept
    print(f"by-site validation (5 folds): article pages archived {found.articles_kept}/"
          f"{found.articles} ({found.recall:.1%}, {lost} lost); other pages archived "
          f"{found.others_kept}/{found.others} ({found.false_rate:.1%})")
    print("  by page type: " + ", ".join(f"{k} {a}/{n}"
                                         for k, (a, n) in found.kept_by_kind.items()))
    x = matrix([features[i] for i in range(len(records)) if not hard[i]], names)
    y = np.array([kinds[i] == "article" for i in range(len(records)) if not hard[i]], float)
    kept_urls = [urls[i] for i in range(len(records)) if not hard[i]]
    model = fit_logistic(x, y, L2)
    cut = inner_threshold(x, y, folds_by_site(kept_urls), args.recall, L2)
    threshold = float(1 / (1 + np.exp(-cut)))
    data = {
        "names": names, "mean": model.mean.round(6).tolist(),
        "scale": model.scale.round(6).tolist(), "weights": model.weights.round(6).tolist(),
        "bias": round(model.bias, 6), "threshold": round(threshold, 6),
        "info": {
            "fitted_on": f"{args.corpus.name}: {len(records)} pages, "
                         f"{sum(k == 'article' for k in kinds)} articles",
            "method": f"logistic regression, L2 {L2}, standardised features; threshold keeps "
                      f"{args.recall:.1%} of training articles (out-of-fold)",
            "validation": {"folds": "by site", "k": 5,
                           "articles_archived": [found.articles_kept, found.articles],
                           "others_archived": [found.others_kept, found.others],
                           "by_kind": {k: list(v) for k, v in found.kept_by_kind.items()}},
            "tool": "tools/fit_classifier.py",
        },
    }
    args.write.parent.mkdir(parents=True, exist_ok=True)
    args.write.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.write} (threshold {threshold:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
