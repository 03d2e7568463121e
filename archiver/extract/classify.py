"""Is this page an article? Features of a page's content and structure, and the model that
weighs them.

Markup (JSON-LD types, `og:type`, `article:published_time`) and discovery (a feed item, a news
sitemap entry, a URL the site's `allow` rules accept) are evidence here, not gates: many real
newsrooms, blogs and older CMSs publish no article markup at all, and pages that do carry it
are sometimes not stories. The features are plain numbers; a logistic model fitted on labelled
pages by `tools/fit_classifier.py` (validated by site, so its figures are what a new site
gets) turns them into the probability that the page is an article. Its weights ship as
`archiver/extract/data/article_model.json`.

Its own module: the model (its weights, the shipped file, the discovery priors); the features
it weighs are `archiver/extract/features.py`'s, re-exported here for the callers that import
them from this module.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from archiver.extract.features import (
    ARTICLE_LD_TYPES,
    FORUM_LD_TYPES,
    LISTING_LD_TYPES,
    PRODUCT_LD_TYPES,
    SOFT_404,
    Context,
    count_words,
    features,
)

__all__ = ["ALLOW_PRIOR", "ARTICLE_LD_TYPES", "DISCOVERY_PRIOR", "FORUM_LD_TYPES",
           "LISTING_LD_TYPES", "PRODUCT_LD_TYPES", "SOFT_404", "Context", "Model", "count_words",
           "features", "probability", "shipped_model"]

# -- the model ----------------------------------------------------------------------------------

#: Log-odds added for discovery evidence the training pages cannot show (they were collected
#: without their feeds and sitemaps): a URL that came from a feed item or a `<news:news>`
#: sitemap entry, or that the site's own `allow` rules accept, is a story far more often than
#: not. Fixed priors, documented in docs/quality.md, not fitted.
DISCOVERY_PRIOR = {"feed": 2.0, "news_sitemap": 2.5, "sitemap": 0.5}
ALLOW_PRIOR = 2.0


@dataclass(frozen=True)
class Model:
    """A logistic model over standardised features."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    #: the probability at or above which a page is an article
    threshold: float
    info: Mapping[str, Any]

    def log_odds(self, values: Mapping[str, float]) -> float:
        total = self.bias
        for name, mean, scale, weight in zip(self.names, self.mean, self.scale, self.weights,
                                             strict=True):
            total += weight * (float(values.get(name, 0.0)) - mean) / scale
        return total

    def to_json(self) -> dict[str, Any]:
        return {"names": list(self.names), "mean": list(self.mean), "scale": list(self.scale),
                "weights": list(self.weights), "bias": self.bias, "threshold": self.threshold,
                "info": dict(self.info)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Model:
        return cls(tuple(data["names"]), tuple(map(float, data["mean"])),
                   tuple(map(float, data["scale"])), tuple(map(float, data["weights"])),
                   float(data["bias"]), float(data["threshold"]), data.get("info", {}))


@lru_cache(maxsize=1)
def shipped_model() -> Model:
    """The model that ships with the package (fitted by tools/fit_classifier.py)."""
    raw = files("archiver.extract").joinpath("data/article_model.json").read_text(encoding="utf-8")
    return Model.from_json(json.loads(raw))


def probability(values: Mapping[str, float], context: Context,
                model: Model | None = None) -> float:
    """The probability that the page is an article, discovery evidence included."""
    model = model or shipped_model()
    z = model.log_odds(values)
    z += DISCOVERY_PRIOR.get(context.via or "", 0.0) + (ALLOW_PRIOR if context.allowed else 0.0)
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))
