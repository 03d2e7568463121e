"""The article decision: hard rules first, then the classifier's probability against a
threshold, and the reason a rejected page is given.

Pure: a page's signals and text in, (reason or None, score, features) out. The features and
the model are `archiver/extract/classify.py`'s; this module only orders the rules around them.
"""

from __future__ import annotations

from typing import Any

import lxml.html

from archiver.extract import classify
from archiver.extract.classify import count_words
from archiver.extract.urls import is_front_page

#: Reasons decided by rules before (or without) the classifier's score.
HARD_REASONS = frozenset({"empty_body", "binary_body", "not_html", "unparsable_html",
                          "front_page", "no_text", "soft_404", "too_short"})


def _rejection(values: dict[str, float]) -> str:
    """The reason a page the classifier rejects is given, from its strongest contrary cue."""
    if values.get("ld_product") or values.get("ld_forum") or values.get("ld_listing") \
            or values.get("many_article_tags"):
        return "listing_page"
    if values.get("og_other"):
        return "not_article_type"
    return "no_article_signals"


#: A soft 404 is a short page: its wording in the title or heading of a long text is a story
#: about an error page, not one.
SOFT_404_MAX_WORDS = 150


def _classify(url: str, tree: lxml.html.HtmlElement, ld: list[dict[str, Any]], text: str,
              title: str | None, min_words: int, context: classify.Context, *,
              threshold: float | None = None, force: bool = False, paywalled: bool = False
              ) -> tuple[str | None, float | None, dict[str, float] | None]:
    """(None when the page is an article, else the reason it is not; its score; features).

    Hard rules first (a site's root, no text, fewer than `min_words` words counted in any
    script, a soft 404), then the classifier's probability (`archiver/extract/classify.py`) against
    `threshold` (the model's own unless the site sets one). `force` (a site whose `allow`
    rules define its articles) takes every page past the hard rules. A story marked up as an
    article and as paywalled is kept whatever its visible length (the teaser is what there is).
    """
    if is_front_page(url):
        return "front_page", None, None
    if not text.strip():
        return "no_text", None, None
    values = classify.features(url, tree, ld, text, title, context)
    score = classify.probability(values, context)
    if values["soft_404"] and count_words(text) < SOFT_404_MAX_WORDS:
        return "soft_404", score, values
    marked = bool(values["ld_article"] or values["og_article"])
    if count_words(text) < min_words and not (paywalled and marked):
        return "too_short", score, values  # a marked-up story behind a paywall keeps its teaser
    if force:
        return None, score, values
    cut = classify.shipped_model().threshold if threshold is None else threshold
    if score >= cut:
        return None, score, values
    return _rejection(values), score, values

