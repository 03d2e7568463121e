"""The classifier's fitting and by-site validation (evaluation/classifier_fit.py), on made data."""

from __future__ import annotations

import numpy as np

from evaluation.classifier_fit import (
    fit_logistic,
    folds_by_site,
    site_of,
    threshold_for_recall,
    validate,
)


def test_folds_never_split_a_site():
    urls = [f"https://{host}/story/{i}" for i in range(40)
            for host in ("www.a.com", "b.org", "news.c.co.uk", "blog.d.com", "d.com")]
    folds = folds_by_site(urls, 5)
    by_site: dict[str, set[int]] = {}
    for url, fold in zip(urls, folds, strict=True):
        by_site.setdefault(site_of(url), set()).add(int(fold))
    assert all(len(f) == 1 for f in by_site.values())
    assert site_of("https://blog.d.com/x") == site_of("https://www.d.com/y") == "d.com"


def test_logistic_fit_learns_a_signal_and_the_threshold_keeps_the_recall():
    rng = np.random.default_rng(3)
    y = (rng.random(600) < 0.5).astype(float)
    x = np.column_stack([y * 2.0 + rng.normal(0, 1, 600), rng.normal(0, 1, 600)])
    model = fit_logistic(x, y)
    assert model.weights[0] > 1.0 and abs(model.weights[1]) < 0.3
    log_odds = model.log_odds(x)
    cut = threshold_for_recall(log_odds, y, 0.98)
    assert (log_odds[y == 1] >= cut).mean() >= 0.98


def test_validation_reports_both_sides_and_honours_hard_rejections():
    rng = np.random.default_rng(5)
    pages = []
    for site in range(30):
        for i in range(10):
            article = (site + i) % 3 != 0
            pages.append((f"https://site{site}.test/{i}", "article" if article else "listing",
                          {"signal": float(article) * 3 + rng.normal(0, 1)}))
    features = [f for _, _, f in pages]
    kinds = [k for _, k, _ in pages]
    urls = [u for u, _, _ in pages]
    found, decided = validate(features, kinds, urls, ["signal"])
    assert found.articles == kinds.count("article") and found.others == kinds.count("listing")
    assert found.recall >= 0.95 and found.false_rate < 0.5
    hard = [i % 10 == 0 for i in range(len(pages))]
    found_hard, decided_hard = validate(features, kinds, urls, ["signal"], hard_reject=hard)
    assert not decided_hard[np.array(hard)].any()
    assert found_hard.articles_kept <= found.articles_kept
    assert sum(a for a, _ in found.kept_by_kind.values()) == int(decided.sum())
