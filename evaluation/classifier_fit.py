"""Fit and validate the article classifier (archiver/extract/classify.py) on labelled pages.

Plain numpy: L2-regularised logistic regression by Newton's method, folds that never put two
pages of one site (registered domain) on both sides, and a threshold chosen inside the
training folds only, so a fold's figures are what a site nobody fitted on gets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: L2 penalty on the standardised weights (chosen by by-site validation on wcxb-dev).
L2 = 1.0
#: The share of training articles the threshold must keep (the archive's first duty is to
#: lose nothing: the threshold sits where at most this share's complement is lost).
TARGET_RECALL = 0.985


@dataclass
class Fit:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def log_odds(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.weights + self.bias


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, iterations: int = 50) -> Fit:
    """Newton's method on the penalised log-likelihood (the bias is not penalised)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    n, d = z.shape
    design = np.hstack([z, np.ones((n, 1))])
    w = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ w, -30, 30)))
        grad = design.T @ (p - y) + penalty * w
        hess = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return Fit(mean, scale, w[:-1], float(w[-1]))


def site_of(url: str) -> str:
    """The page's site for fold assignment: its registered domain (blog.x.com and x.com are
    one site; news.x.co.uk is x.co.uk), from tldextract's bundled suffix list, no network."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or url).lower()
    parts = _EXTRACT(host)
    return f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else host


def _offline_extract():
    from tldextract import TLDExtract

    return TLDExtract(suffix_list_urls=(), cache_dir=None)


_EXTRACT = _offline_extract()


def folds_by_site(urls: Sequence[str], k: int = 5) -> np.ndarray:
    """A fold number per page, the same for every page of one site (a stable hash)."""
    return np.array([int(hashlib.sha1(site_of(u).encode()).hexdigest(), 16) % k for u in urls])


def threshold_for_recall(log_odds: np.ndarray, y: np.ndarray, recall: float) -> float:
    """The highest log-odds cut that keeps at least `recall` of the articles."""
    positives = np.sort(log_odds[y == 1])
    if not len(positives):
        return 0.0
    index = int(np.floor((1 - recall) * len(positives)))
    return float(positives[min(index, len(positives) - 1)]) - 1e-9


def inner_threshold(x: np.ndarray, y: np.ndarray, folds: np.ndarray, recall: float,
                    l2: float) -> float:
    """A threshold chosen from out-of-fold log-odds of the training pages alone."""
    out = np.zeros(len(y))
    for f in np.unique(folds):
        test = folds == f
        out[test] = fit_logistic(x[~test], y[~test], l2).log_odds(x[test])
    return threshold_for_recall(out, y, recall)


def cross_validate(x: np.ndarray, y: np.ndarray, urls: Sequence[str], *, k: int = 5,
                   recall: float = TARGET_RECALL, l2: float = L2) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold log-odds and decisions, every page judged by a model that never saw its site
    (the threshold, too, chosen without it)."""
    folds = folds_by_site(urls, k)
    log_odds = np.zeros(len(y))
    decided = np.zeros(len(y), dtype=bool)
    for f in range(k):
        test = folds == f
        train = ~test
        model = fit_logistic(x[train], y[train], l2)
        cut = inner_threshold(x[train], y[train], folds_by_site(
            [u for u, t in zip(urls, train, strict=True) if t], k), recall, l2)
        log_odds[test] = model.log_odds(x[test])
        decided[test] = log_odds[test] >= cut
    return log_odds, decided


def matrix(rows: Sequence[dict[str, float]], names: Sequence[str]) -> np.ndarray:
    """Feature dicts as a matrix, columns in `names` order (a missing feature is 0)."""
    return np.array([[float(r.get(n, 0.0)) for n in names] for r in rows], dtype=float)


@dataclass
class Validation:
    """What a by-site validation found: both sides of the decision, and by page type."""

    articles: int
    articles_kept: int
    others: int
    others_kept: int
    kept_by_kind: dict[str, tuple[int, int]]

    @property
    def recall(self) -> float:
        return self.articles_kept / self.articles if self.articles else 0.0

    @property
    def false_rate(self) -> float:
        return self.others_kept / self.others if self.others else 0.0


def validate(features: Sequence[dict[str, float]], kinds: Sequence[str], urls: Sequence[str],
             names: Sequence[str], *, hard_reject: Sequence[bool] | None = None, k: int = 5,
             recall: float = TARGET_RECALL, l2: float = L2) -> tuple[Validation, np.ndarray]:
    """By-site validation of the decision; `hard_reject` marks pages the hard rules (no text,
    too short, soft 404, front page) reject whatever the model says. Returns the figures and
    each page's out-of-fold decision."""
    x = matrix(features, names)
    y = np.array([kind == "article" for kind in kinds], dtype=float)
    _, decided = cross_validate(x, y, urls, k=k, recall=recall, l2=l2)
    if hard_reject is not None:
        decided &= ~np.array(hard_reject, dtype=bool)
    by_kind: dict[str, tuple[int, int]] = {}
    for kind in sorted(set(kinds)):
        mask = np.array([kd == kind for kd in kinds])
        by_kind[kind] = (int(decided[mask].sum()), int(mask.sum()))
    art = y == 1
    return Validation(int(art.sum()), int(decided[art].sum()), int((~art).sum()),
                      int(decided[~art].sum()), by_kind), decided
