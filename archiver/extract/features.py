"""The features of a page that tell an article from other pages: its text's shape, its
structure, its markup and its URL, as plain numbers by name.

Markup (JSON-LD types, `og:type`, `article:published_time`) and discovery are evidence here, not
gates (see `archiver/extract/classify.py`, which weighs these features). Its own module: the
features are what is fitted (`tools/fit_classifier.py`) and what costs time a page, the model
is a weighted sum.

Pure and cheap: one walk over the parsed tree, no network, no trafilatura.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from archiver.extract.words import count_words

_SENTENCE_END = re.compile(r"[.!?…](?:[\"'”’»)\]]*)(?:\s|$)|[。！？]")

# -- page cues ----------------------------------------------------------------------------------

ARTICLE_LD_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "blogposting",
    "liveblogposting", "report", "scholarlyarticle", "techarticle", "socialmediaposting",
}
#: JSON-LD types of pages that are not stories. A `Product` inside a story is a shopping
#: widget, which is why these are features and not vetoes.
PRODUCT_LD_TYPES = {"product", "offer", "aggregateoffer", "productgroup", "softwareapplication"}
FORUM_LD_TYPES = {"discussionforumposting", "qapage", "question", "faqpage"}
LISTING_LD_TYPES = {"itemlist", "collectionpage", "searchresultspage", "profilepage",
                    "aboutpage", "contactpage", "service", "localbusiness", "event", "course",
                    "organization"}


def _led(pattern: str) -> re.Pattern[str]:
    r"""`pattern` (`\b(?:word|other words|...)...`), case-insensitive, with a lookahead for the
    first letters of its alternatives.

    Case-insensitive, Python's `re` tries every alternative at every word start: the
    calls-to-action count over a page's text (up to 200,000 characters) was a third of the
    features' time. The lookahead is a character class of the alternatives' first letters,
    case-insensitive like the letters themselves, so it accepts exactly the characters they
    accept (`K` and the Kelvin sign for `k`, `ſ` for `s`): the same matches, and most word starts
    fail at once (tests/extract/test_features.py compares both forms).
    """
    if not pattern.startswith(r"\b(?:"):
        raise ValueError(f"not a \\b(?:...) pattern: {pattern}")
    first: set[str] = set()
    depth, starting = 0, True
    for ch in pattern[len(r"\b(?:"):]:
        if starting:
            if not ch.isalpha():
                raise ValueError(f"an alternative of {pattern} does not start with a letter")
            first.add(ch)
            starting = False
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                break
            depth -= 1
        elif ch == "|" and depth == 0:
            starting = True
    return re.compile(r"\b(?=[" + "".join(sorted(first)) + "])" + pattern[2:], re.I)


#: Soft-404 wording, in the languages the archive's users follow most. Matched in the title,
#: the first heading and the start of a short text.
SOFT_404 = re.compile(
    r"\b(?:page (?:was )?not found|404|(?:could ?n[o']t|can ?not|cannot|can't|unable to) find|"
    r"no longer (?:available|exists)|does(?: not|n't) exist|page (?:you requested|you are "
    r"looking for)|nothing (?:was )?found|página no encontrada|no se encontr|seite nicht "
    r"gefunden|nicht gefunden|page introuvable|pagina non trovata|página não encontrada|"
    r"strona nie została znaleziona|pagina niet gevonden|страница не найдена)\b|"
    r"ページが見つかりません|页面不存在|找不到|페이지를 찾을 수 없",
    re.I)
_PRICE = re.compile(r"(?:[$€£¥₹]\s?\d[\d,.]*|\d[\d,.]*\s?(?:€|USD|EUR|GBP|zł|kr)\b)")
_SHOP_WORDS = _led(r"\b(?:add to (?:cart|basket|bag)|buy now|in stock|out of stock|"
                   r"free shipping|checkout|in den warenkorb|ajouter au panier|"
                   r"añadir al carrito)\b")
_FORUM_WORDS = _led(r"\b(?:replies|reply|posts|joined|thread|quote|reputation|"
                    r"upvotes?|answered|asked)\b")
_BYLINE = re.compile(r"^\s*(?:by|von|par|por|di|door|av|af)\s+\S", re.I)

#: URL path segments of pages that index other pages.
_INDEX_SEGMENTS = {
    "tag", "tags", "topic", "topics", "category", "categories", "section", "sections", "author",
    "authors", "search", "page", "archive", "archives", "index", "people", "profile",
    "contributors", "columnists", "series", "latest", "all", "list", "feed", "rubrik",
    "thema", "themen", "kategorie", "categoria", "categorie", "autor", "auteur", "etiqueta",
    "tema", "temas", "seccion", "rubrique",
}
_SHOP_SEGMENTS = {"shop", "store", "product", "products", "cart", "collections", "item", "p",
                  "dp", "buy", "pricing", "plans"}
_SERVICE_SEGMENTS = {"about", "contact", "services", "service", "help", "support", "faq",
                     "docs", "doc", "documentation", "api", "reference", "manual", "guide",
                     "login", "signup", "register", "account", "terms", "privacy", "careers",
                     "jobs", "forum", "forums", "community", "threads", "questions", "wiki"}
_NEWS_SEGMENTS = {"news", "article", "articles", "story", "stories", "blog", "blogs", "post",
                  "posts", "opinion", "politics", "world", "business", "sport", "sports",
                  "culture", "nachrichten", "noticias", "actualites", "notizie", "noticia"}
_FORUM_SEGMENTS = {"comments", "t", "d", "topic", "thread", "threads", "questions", "question",
                   "discussion", "discussions", "forum", "forums", "community", "r", "viewtopic",
                   "showthread"}
#: Words of a URL path (split at / - _) that name a business's or a manual's page.
_SERVICE_WORDS = {"services", "solutions", "consulting", "pricing", "tuition", "fees",
                  "capabilities", "expertise", "testimonials", "cases", "programs", "agency",
                  "hire", "quote", "demo", "features", "enterprise", "platform", "coupons"}
_DOCS_WORDS = {"docs", "documentation", "reference", "api", "manual", "developer", "developers",
               "learn", "tutorial", "tutorials", "glossary", "wiki", "kb", "knowledge", "howto",
               "sdk", "cli", "install", "getting", "started"}
#: Calls to action of service and product pages.
_CALLS = _led(r"\b(?:contact us|get started|request a (?:demo|quote|consultation)|book a "
              r"(?:call|demo|consultation)|free (?:trial|consultation|quote)|get a quote|"
              r"schedule a|call us|our services|our team|our clients|sign up|start your|"
              r"try it|talk to (?:an?|our)|apply now|enroll)\b")
_WE = _led(r"\b(?:we|our|us)\b")
_YOU = _led(r"\b(?:you|your)\b")
_REPORTED = _led(r"\b(?:said|says|told|according to|announced|reported)\b")
_DATE_PATH = re.compile(r"/(?:19|20)\d\d[/-](?:0?[1-9]|1[0-2])(?:[/-](?:0?[1-9]|[12]\d|3[01]))?"
                        r"(?:/|$|[-_])")
_NUMERIC_ID = re.compile(r"(?:^|[/_.-])\d{5,}(?:[/_.-]|$)|[-_]\d{4,}(?:\.\w+)?$")

_TOKEN = re.compile(r"\w+")


def _tokens(text: str | None) -> set[str]:
    return {t.casefold() for t in _TOKEN.findall(text or "")}


def _agreement(a: str | None, b: str | None) -> float:
    """Share of the shorter text's words that the other has (0 when either is missing)."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


def _ld_types(ld: list[dict[str, Any]]) -> set[str]:
    kinds: set[str] = set()
    for obj in ld:
        kind = obj.get("@type", [])
        for k in kind if isinstance(kind, list) else [kind]:
            if isinstance(k, str):
                kinds.add(k.rsplit("/", 1)[-1].lower())
    return kinds


@dataclass(frozen=True)
class Context:
    """What the archive knew about the page beyond its bytes."""

    #: where discovery found the URL: "feed", "news_sitemap", "sitemap", None (a link)
    via: str | None = None
    #: the site's `allow` rules accept the URL
    allowed: bool = False
    #: a publication date came from somewhere (JSON-LD, meta, the URL, htmldate, discovery)
    dated: bool = False
    #: the date came from page markup (JSON-LD, meta) rather than a guess
    markup_dated: bool = False


def features(url: str, tree: Any, ld: list[dict[str, Any]], text: str, title: str | None,
             context: Context) -> dict[str, float]:
    """The page's features, by name (see `FEATURES`).

    `tree` is the lxml document of the whole page, `text` the main text the archive would
    store, `title` its headline.
    """
    units = count_words(text)
    lines = [line for line in text.splitlines() if line.strip()]
    line_units = [count_words(line) for line in lines] or [0]
    sentences = len(_SENTENCE_END.findall(text))

    body = tree.find("body")
    if body is None:
        body = tree
    page_chars = 0
    link_chars = 0
    links = 0
    times = 0
    articles = 0
    h1s: list[str] = []
    headings_linked = 0
    headings = 0
    prices = 0
    forms_inputs = 0
    author_markup = 0
    comment_nodes = 0
    anchors: set[str] = set()
    # The list keeps every element's Python proxy alive while the walk runs, so the
    # `getparent()` calls of the link test find it instead of building a new one (lxml.html
    # builds each through a Python class lookup: most of the walk's time).
    nodes = list(body.iter())
    for node in nodes:
        tag = node.tag
        if not isinstance(tag, str):
            continue
        if tag in ("script", "style", "noscript", "template"):
            continue
        chunk = node.text or ""
        if chunk.strip():
            size = len(chunk.strip())
            page_chars += size
            if tag == "a" or _inside_link(node):
                link_chars += size
        tail = node.tail or ""
        if tail.strip():
            size = len(tail.strip())
            page_chars += size
            parent = node.getparent()
            if parent is not None and (parent.tag == "a" or _inside_link(parent)):
                link_chars += size
        if tag == "a":
            if node.get("href"):
                links += 1
                anchor = " ".join(node.text_content().split()).casefold()
                if len(anchor) >= 12:
                    anchors.add(anchor)
            if "author" in (node.get("rel") or ""):
                author_markup += 1
        elif tag == "time":
            times += 1
        elif tag == "article":
            articles += 1
        elif tag == "h1":
            h1s.append(" ".join(node.text_content().split()))
        elif tag in ("h2", "h3"):
            headings += 1
            if node.find(".//a") is not None or (node.getparent() is not None
                                                 and node.getparent().tag == "a"):
                headings_linked += 1
        elif tag in ("input", "select", "textarea", "button"):
            forms_inputs += 1
        klass = node.get("class")
        if klass:
            lowered = klass.lower()
            if "price" in lowered:
                prices += 1
            if "comment" in lowered or "reply" in lowered:
                comment_nodes += 1
            if "author" in lowered or "byline" in lowered:
                author_markup += 1
        if node.get("itemprop") in ("price", "author"):
            if node.get("itemprop") == "price":
                prices += 1
            else:
                author_markup += 1

    head = tree.find("head")
    og_type = ""
    og_title = ""
    meta_author = False
    published_meta = False
    if head is not None:
        for meta in head.iter("meta"):
            key = (meta.get("property") or meta.get("name") or "").lower()
            content = (meta.get("content") or "").strip()
            if key == "og:type":
                og_type = content.lower()
            elif key == "og:title":
                og_title = content
            elif key in ("author", "article:author", "byl", "sailthru.author", "parsely-author"):
                meta_author = meta_author or bool(content)
            elif key in ("article:published_time", "datepublished", "pubdate",
                         "og:published_time", "date", "dc.date", "dc.date.issued"):
                published_meta = published_meta or bool(content)
    page_title = head.findtext("title") if head is not None else None

    kinds = _ld_types(ld)
    ld_article = bool(kinds & ARTICLE_LD_TYPES)
    ld_dated = any(obj.get("datePublished") for obj in ld
                   if _ld_types([obj]) & ARTICLE_LD_TYPES)

    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        path = ""
    segments = [s for s in path.lower().split("/") if s]
    last = segments[-1] if segments else ""
    stem = re.sub(r"\.(?:s?html?|php|aspx?|jsp|cms)$", "", last)
    seg_set = set(segments)

    start = " ".join(text.split()[:40]) if text else ""
    soft404 = bool(SOFT_404.search(page_title or "") or any(SOFT_404.search(h) for h in h1s[:1])
                   or (units < 150 and SOFT_404.search(start)))
    visible = max(page_chars, 1)
    text_chars = len(text)
    h1 = h1s[0] if h1s else None
    page_text = body.text_content()[:200_000]
    shop_words = len(_SHOP_WORDS.findall(page_text)) if prices else 0
    path_words = set(re.split(r"[/_.\-]+", path.lower()))
    folded = " ".join(text.split()).casefold()
    linked_chars = sum(len(a) for a in anchors if len(a) >= 20 and a in folded)
    sample = text[:20_000]
    sample_words = max(len(sample.split()), 1)

    return {
        "log_units": math.log1p(units),
        "log_lines": math.log1p(len(lines)),
        "mean_line_units": math.log1p(sum(line_units) / len(line_units)),
        "long_lines": math.log1p(sum(1 for u in line_units if u >= 30)),
        "short_line_share": sum(1 for u in line_units if u < 8) / len(line_units),
        "sentences_per_line": min(sentences / max(len(lines), 1), 5.0),
        "log_sentences": math.log1p(sentences),
        "text_share": min(text_chars / visible, 1.5),
        "link_share": link_chars / visible,
        "links_per_unit": min(links / max(units, 1), 5.0),
        "log_links": math.log1p(links),
        "times": float(min(times, 5)),
        "one_or_two_times": float(times in (1, 2)),
        "log_article_tags": math.log1p(articles),
        "many_article_tags": float(articles >= 4),
        "linked_heading_share": headings_linked / max(headings, 1),
        "log_linked_headings": math.log1p(headings_linked),
        "one_h1": float(len(h1s) == 1),
        "title_h1": _agreement(title or page_title, h1),
        "title_og": _agreement(title or page_title, og_title),
        "og_article": float(og_type == "article"),
        "og_other": float(bool(og_type) and og_type not in ("article", "website", "blog", "news")),
        "ld_article": float(ld_article),
        "ld_dated": float(ld_dated),
        "ld_product": float(bool(kinds & PRODUCT_LD_TYPES)),
        "ld_forum": float(bool(kinds & FORUM_LD_TYPES)),
        "ld_listing": float(bool(kinds & LISTING_LD_TYPES)),
        "meta_published": float(published_meta),
        "author": float(meta_author or author_markup > 0
                        or any(_BYLINE.match(line) for line in lines[:3])),
        "dated": float(context.dated),
        "markup_dated": float(context.markup_dated),
        "log_prices": math.log1p(prices),
        "shop_words": math.log1p(shop_words),
        "log_inputs": math.log1p(forms_inputs),
        "log_comment_nodes": math.log1p(comment_nodes),
        "forum_words": math.log1p(len(_FORUM_WORDS.findall(text[:20_000])))
        / max(math.log1p(units), 1.0),
        "soft_404": float(soft404),
        "url_depth": float(min(len(segments), 6)),
        "url_slug": float(stem.count("-") >= 3 or stem.count("_") >= 3),
        "url_long_slug": float(stem.count("-") >= 6),
        "url_date": float(bool(_DATE_PATH.search(path))),
        "url_numeric_id": float(bool(_NUMERIC_ID.search(path))),
        "url_index": float(bool(seg_set & _INDEX_SEGMENTS) or bool(re.search(r"[?&]page=", url))),
        "url_shop": float(bool(seg_set & _SHOP_SEGMENTS)),
        "url_service": float(bool(seg_set & _SERVICE_SEGMENTS)),
        "url_news": float(bool(seg_set & _NEWS_SEGMENTS)),
        "url_short": float(len(segments) <= 1 and stem.count("-") < 2),
        "text_link_share": min(linked_chars / max(len(folded), 1), 1.0),
        "url_forum": float(bool(seg_set & _FORUM_SEGMENTS)),
        "url_service_words": float(len(path_words & _SERVICE_WORDS)),
        "url_docs_words": float(len(path_words & _DOCS_WORDS)),
        "calls_to_action": math.log1p(len(_CALLS.findall(page_text))),
        "we_share": min(20 * len(_WE.findall(sample)) / sample_words, 2.0),
        "you_share": min(20 * len(_YOU.findall(sample)) / sample_words, 2.0),
        "reported_share": min(50 * len(_REPORTED.findall(sample)) / sample_words, 2.0),
    }


def _inside_link(node: Any) -> bool:
    """True when an ancestor of `node` is a link (bounded: links are shallow)."""
    parent = node.getparent()
    for _ in range(4):
        if parent is None:
            return False
        if parent.tag == "a":
            return True
        parent = parent.getparent()
    return False
