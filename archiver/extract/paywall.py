"""Whether a page marks its story as (partly) for subscribers only: flagged, never guessed at.

A paywalled page shows a teaser (a few paragraphs, then a subscribe prompt) to a crawler that
is no subscriber. The archive keeps that visible part, as it keeps every article, and says so
in `articles.paywalled`, so an analyst can tell a truncated story from a short one. Only what
the page states counts:

- JSON-LD `isAccessibleForFree: false` (Google's paywalled-content markup) on an object of the
  page, or on a `hasPart` of one (the part behind the wall, `cssSelector` naming it);
- `<meta property="article:content_tier">` other than `free` (`locked`, `metered`);
- a visible text that ends in a subscribe prompt (`PROMPTS`, a few languages).

Pure: it takes the parsed page, its JSON-LD objects and the extracted text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import lxml.html

#: Subscribe prompts that end a paywalled story's visible part, lower case, by language.
#: Matched in the last lines of the text only: the same words inside a story are reporting.
PROMPTS: dict[str, tuple[str, ...]] = {
    "en": ("subscribe to continue reading", "subscribe to keep reading",
           "subscribe to read the full", "subscribe to read the rest",
           "this article is for subscribers", "this article is only available to subscribers",
           "this content is only available to subscribers", "this story is for subscribers",
           "for subscribers only", "exclusive to subscribers"),
    "de": ("jetzt abonnieren und weiterlesen", "dieser artikel ist nur für abonnenten",
           "exklusiv für abonnenten", "nur für abonnenten"),
    "fr": ("abonnez-vous pour lire la suite", "cet article est réservé aux abonnés",
           "la suite est réservée aux abonnés", "réservé aux abonnés"),
    "es": ("suscríbete para seguir leyendo", "suscríbete para continuar leyendo",
           "este artículo es exclusivo para suscriptores", "exclusivo para suscriptores"),
    "it": ("abbonati per continuare a leggere", "articolo riservato agli abbonati",
           "riservato agli abbonati"),
    "pt": ("assine para continuar lendo", "assine para continuar a ler",
           "conteúdo exclusivo para assinantes", "exclusivo para assinantes"),
    "nl": ("word abonnee om verder te lezen", "dit artikel is alleen voor abonnees",
           "alleen voor abonnees"),
}
#: How much of the end of a text is looked at for a prompt (characters).
TAIL_CHARS = 300
#: `article:content_tier` values that mean the story is free.
FREE_TIERS = {"free"}

_PROMPTS = tuple(p for phrases in PROMPTS.values() for p in phrases)
_MAIN = "(//article | //main | //*[@role='main'])[1]"
_VISIBLE = (".//text()[not(ancestor::script) and not(ancestor::style) "
            "and not(ancestor::noscript) and not(ancestor::template)]")


def is_paywalled(tree: lxml.html.HtmlElement, ld: Iterable[dict[str, Any]], text: str) -> bool:
    """True when the page says its story is not all free (see the module docstring)."""
    return (any(_not_free(obj) for obj in ld) or _locked_tier(tree)
            or ends_in_prompt(text) or ends_in_prompt(_main_text(tree)))


def _false(value: Any) -> bool:
    """JSON-LD `false`, also written as the string "False"/"false"."""
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _not_free(obj: dict[str, Any]) -> bool:
    if _false(obj.get("isAccessibleForFree")):
        return True
    parts = obj.get("hasPart")
    parts = parts if isinstance(parts, list) else [parts]
    return any(isinstance(p, dict) and _false(p.get("isAccessibleForFree")) for p in parts)


def _locked_tier(tree: lxml.html.HtmlElement) -> bool:
    tiers = tree.xpath("//meta[@property='article:content_tier' or "
                       "@name='article:content_tier']/@content")
    return any(t.strip() and t.strip().lower() not in FREE_TIERS for t in tiers)


def _main_text(tree: lxml.html.HtmlElement) -> str:
    """The visible text of the page's main element: extraction often leaves the prompt out."""
    found = tree.xpath(_MAIN)
    # plain strings: a "smart" one builds its parent element's Python proxy, one a text node
    return " ".join(found[0].xpath(_VISIBLE, smart_strings=False)) if found else ""


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").lower()
    return re.sub(r"\s+", " ", text)


def ends_in_prompt(text: str) -> bool:
    """True when the last `TAIL_CHARS` characters of `text` hold a subscribe prompt."""
    tail = _normal(text[-4 * TAIL_CHARS:])[-TAIL_CHARS:]
    return any(p in tail for p in _PROMPTS)
