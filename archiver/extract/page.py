"""Turn one fetched page (bytes and URL) into an Article, or say why it is not one.

Pure: no Scrapy, no SQL, no network. It runs in worker processes, so everything it takes and
returns is plain, picklable data. `analyse` runs the stages in order, each in its own module:
decode the bytes (`decode`), parse once and run trafilatura's passes (`passes`), take the
metadata (`metadata`), drop link teasers (`boilerplate`), flag a paywall (`paywall`), and
decide whether the page is an article (`decision`, with the classifier of `classify`).

The names other packages import from here stay importable from here (`decode`, `parse`,
`HARD_REASONS`, `iso_datetime`, ...), whichever module now holds them.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from archiver.extract import classify
from archiver.extract.boilerplate import drop_teasers, teaser_blocks
from archiver.extract.classify import count_words
from archiver.extract.decision import HARD_REASONS, SOFT_404_MAX_WORDS, _classify
from archiver.extract.decode import BINARY_MAGIC, decode, is_binary
from archiver.extract.metadata import (
    ARTICLE_TYPES,
    _json_ld,
    _language,
    _meta,
    _names,
    _published,
    _split_keywords,
    _tags,
    _types,
    _unique,
    clean_authors,
    clean_title,
    date_params,
    iso_datetime,
    meta_index,
)
from archiver.extract.passes import _best_text, default_pass, parse
from archiver.extract.paywall import is_paywalled
from archiver.extract.urls import normalize, on_domains

__all__ = [
    "ARTICLE_TYPES", "BINARY_MAGIC", "HARD_REASONS", "SOFT_404_MAX_WORDS", "Article",
    "Extraction", "Hints", "analyse", "clean_authors", "clean_title", "content_hash",
    "date_params", "decode", "extract", "is_binary", "iso_datetime", "parse", "warm_up",
]


@dataclass
class Article:
    """What the archive stores for one article."""

    url: str
    fetched_url: str
    title: str | None
    text: str
    author: str | None = None
    published: str | None = None
    modified: str | None = None
    date_source: str | None = None
    language: str | None = None
    description: str | None = None
    image: str | None = None
    sitename: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    word_count: int = 0
    content_hash: str = ""
    paywalled: bool = False  #: the page marks the story as (partly) for subscribers only

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Extraction:
    """The result of analysing one page: an article, or the reason it is not one."""

    article: Article | None
    reason: str | None = None
    #: what the page would have given had it been taken for an article (for quality scoring)
    candidate: Article | None = None
    #: the classifier's probability that the page is an article (None: decided before it, e.g.
    #: an empty body, no text, a front page)
    score: float | None = None
    #: the classifier's features of the page (for fitting and the quality gate)
    features: dict[str, float] | None = None


@dataclass(frozen=True)
class Hints:
    """What discovery knew about the page before fetching it (feed or sitemap entry)."""

    title: str | None = None
    published: str | None = None
    language: str | None = None
    #: how discovery found the URL: "feed", "news_sitemap" (a `<news:news>` entry), "sitemap";
    #: None for a link on a page
    via: str | None = None


def content_hash(title: str | None, text: str) -> str:
    """A hash of the title and text that ignores whitespace-only differences."""
    norm = " ".join(f"{title or ''}\n{text}".split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def _strip_title_line(text: str, title: str | None) -> str:
    if not title:
        return text
    first, _, rest = text.partition("\n")
    if " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest.lstrip("\n")
    return text


def analyse(body: bytes, url: str, *, content_type: str | None = None,
            drop_xpath: tuple[str, ...] | list[str] = (), domains: tuple[str, ...] = (),
            hints: Hints | None = None, min_words: int = 40, allowed: bool = False,
            threshold: float | None = None, force_article: bool = False) -> Extraction:
    """Extract an article from a page, or return the reason it is not an article.

    `domains` decides whether the page's canonical link may become its identity (only when it
    points to the same site); `drop_xpath` are the site's cleaning rules; `allowed` says the
    site's `allow` rules accept the URL (evidence for the classifier), `threshold` is the
    site's own decision threshold, and `force_article` takes every page with enough text.
    """
    hints = hints or Hints()
    if not body or not body.strip():
        return Extraction(None, "empty_body")
    if is_binary(body):
        return Extraction(None, "binary_body")
    html = decode(body, content_type)
    if "<" not in html[:5000]:
        return Extraction(None, "not_html")
    page, tree = parse(html)
    if tree is None:
        return Extraction(None, "unparsable_html")
    ld = _json_ld(tree)
    metas = meta_index(tree)
    ld_article = next((o for o in ld if _types(o) & ARTICLE_TYPES), None)

    prune = list(drop_xpath) or None
    meta = default_pass(page, url, prune, date_params(ld_article, metas, url))
    text = _best_text(page, url, meta.get("text") or "", prune, ld_article)
    if not text.strip():
        return Extraction(None, "no_text")
    title = clean_title(meta.get("title") or (ld_article or {}).get("headline") or hints.title,
                        tree, meta.get("sitename"), url)
    text = drop_teasers(text, teaser_blocks(tree, url, domains, text))
    text = _strip_title_line(text, title)

    published, source = _published(meta.get("date"), ld_article, metas, url,
                                   hints.published)
    modified_raw = (ld_article or {}).get("dateModified") or next(
        iter(_meta(metas, "article:modified_time", "og:updated_time", "dateModified")), None)
    modified = iso_datetime(modified_raw) if isinstance(modified_raw, str) else None

    identity = normalize(url) or url
    canonical = normalize(meta.get("url") or "", base=url)
    if canonical and canonical != identity and on_domains(canonical, domains or ()):
        identity = canonical

    authors = _names((ld_article or {}).get("author"))
    author = clean_authors(authors) or clean_authors((meta.get("author") or "").split(";"))
    categories = _unique(list(meta.get("categories") or [])
                         + _split_keywords((ld_article or {}).get("articleSection")))
    text = unicodedata.normalize("NFC", text)
    article = Article(
        url=identity,
        fetched_url=url,
        title=title,
        text=text,
        author=author,
        published=published,
        modified=modified,
        date_source=source,
        language=_language(tree, metas, ld, text) or hints.language,
        description=meta.get("description"),
        image=meta.get("image"),
        sitename=meta.get("sitename"),
        categories=categories,
        tags=_tags(tree, metas, ld_article, list(meta.get("tags") or [])),
        word_count=count_words(text),
        content_hash=content_hash(title, text),
        paywalled=is_paywalled(tree, ld, text),
    )
    context = classify.Context(via=hints.via, allowed=allowed, dated=published is not None,
                               markup_dated=source in ("json-ld", "meta"))
    reason, score, values = _classify(url, tree, ld, text, title, min_words, context,
                                      threshold=threshold, force=force_article,
                                      paywalled=article.paywalled)
    if reason:
        return Extraction(None, reason, candidate=article, score=score, features=values)
    return Extraction(article, score=score, features=values)


def warm_up() -> None:
    """Run one small extraction, so lazily loaded modules and models are loaded."""
    words = " ".join(["The council met on Tuesday to discuss the budget."] * 12)
    page = (f'<html lang="en"><head><title>Warm up</title><meta property="og:type" '
            f'content="article"></head><body><article><p>{words}</p><p>{words}</p>'
            "</article></body></html>")
    analyse(page.encode(), "http://warm.up.invalid/a/b")


def extract(body: bytes, url: str, **options: Any) -> Article | None:
    """The article on a page, or None when the page is not an article (see `analyse`)."""
    return analyse(body, url, **options).article
