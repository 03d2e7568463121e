"""Turn one fetched page (bytes and URL) into an Article, or say why it is not one.

Pure: no Scrapy, no SQL, no network. It runs in worker processes, so everything it takes and
returns is plain, picklable data.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import lxml.html
from charset_normalizer import from_bytes
from lxml import etree
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    resolve_encoding,
)

from archiver.extract import classify
from archiver.extract.boilerplate import (
    EDGE_MAX_WORDS,
    drop_repeated_runs,
    drop_teasers,
    teaser_blocks,
    trim_edges,
)
from archiver.extract.classify import count_words
from archiver.extract.language import detect
from archiver.extract.paywall import is_paywalled
from archiver.extract.urls import is_front_page, normalize, on_domains

# trafilatura is imported where it is called: it brings numpy and py3langid (about 20 MB),
# which the crawl process, which never extracts, need not hold.

ARTICLE_TYPES = classify.ARTICLE_LD_TYPES


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


_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"),
         (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
#: Encodings a label may not force on bytes that are not valid in them (checked strictly).
_UNICODE_FAMILY = ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le",
                   "utf-32-be")
#: How much worse (charset_normalizer "chaos") windows-1252 may score and still be chosen.
_CP1252_SLACK = 0.05
#: Leading bytes of formats that are never a web page, whatever the Content-Type says.
BINARY_MAGIC = (b"%PDF-", b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"PK\x03\x04",
                b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"RIFF", b"OggS", b"\x00\x00\x01\x00",
                b"wOFF", b"wOF2", b"\x7fELF", b"7z\xbc\xaf", b"Rar!", b"ID3", b"fLaC",
                b"\x28\xb5\x2f\xfd")


def is_binary(body: bytes) -> bool:
    """True for bodies that are no text at all: known binary formats, or control bytes.

    Servers label PDFs, images and garbage `text/html`; such bytes must never become an
    article. A BOM-marked UTF-16/32 page is text, so control bytes only count without a BOM.
    A stray NUL or two (in an inline script, a JSON-LD string) does not make a page binary:
    only a share of control bytes does, which binary formats and BOM-less UTF-16 always have.
    """
    head = body[:4096].lstrip()
    if head.startswith(BINARY_MAGIC):
        return True
    if any(body.startswith(bom) for bom, _ in _BOMS):
        return False
    controls = sum(1 for b in head if b < 9 or 13 < b < 32 or b == 127)
    return bool(head) and controls > len(head) * 0.02


def _declared(body: bytes, content_type: str | None) -> list[str]:
    """Encodings the HTTP header and then the page's `<meta>` declare, known to Python."""
    labels = [http_content_type_encoding(content_type) if content_type else None,
              html_body_declared_encoding(body[:4096])]
    out = []
    for label in labels:
        encoding = resolve_encoding(label) if label else None
        if encoding:
            try:
                out.append(codecs.lookup(encoding).name)
            except LookupError:
                continue
    return out


def _guess(body: bytes) -> str:
    """A statistical guess, preferring windows-1252 when it is about as good as the best.

    charset_normalizer often ranks cp1250/cp1257 first for French or Spanish text; cp1252 is
    the web's usual legacy encoding (and the WHATWG default), so near-ties go to it.
    """
    matches = list(from_bytes(body[:200_000]))
    if not matches:
        return "cp1252"
    best = matches[0]
    for match in matches:
        if match.encoding == "cp1252" and match.chaos <= best.chaos + _CP1252_SLACK:
            return "cp1252"
    return best.encoding


def decode(body: bytes, content_type: str | None = None) -> str:
    """Decode page bytes to text without mojibake, replacement characters or a BOM.

    Order: a BOM; bytes that are valid UTF-8 (a Latin-1 label on UTF-8 bytes is the usual
    server mistake, and non-ASCII cp1252 text is almost never valid UTF-8); the HTTP charset
    and then the `<meta>` charset, each only if the bytes are valid in it; then a statistical
    guess. trafilatura guesses on its own and can read cp1252 as cp1250, so it gets text.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            text = body[len(bom):].decode(encoding, "replace")
            break
    else:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None:
            for encoding in _declared(body, content_type):
                if encoding.replace("_", "-") in _UNICODE_FAMILY:
                    continue  # already refuted above (UTF-16 without a BOM is not served)
                try:
                    text = body.decode(encoding)
                    break
                except (UnicodeDecodeError, LookupError):
                    continue
        if text is None:
            text = body.decode(_guess(body), "replace")
    return text.lstrip("\ufeff").replace("\ufffd", "").replace("\x00", "")


def content_hash(title: str | None, text: str) -> str:
    """A hash of the title and text that ignores whitespace-only differences."""
    norm = " ".join(f"{title or ''}\n{text}".split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def _json_ld(tree: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                objects.append(item)
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
    return objects


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type", [])
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds}


def _meta(tree: lxml.html.HtmlElement, *names: str) -> list[str]:
    values = []
    for name in names:
        for node in tree.xpath("//meta[@property=$n or @name=$n or @itemprop=$n]", n=name):
            content = (node.get("content") or "").strip()
            if content:
                values.append(content)
    return values


def _names(value: Any) -> list[str]:
    """Author names from a JSON-LD author value (string, Person, list of either)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _split_keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        return [k.strip() for k in value.split(",")]
    if isinstance(value, list):
        return [k.strip() for k in value if isinstance(k, str)]
    return []


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        value = " ".join(value.split())
        if value and value.casefold() not in seen and len(value) <= 200:
            seen.add(value.casefold())
            out.append(value)
    return out


def iso_datetime(value: str | None) -> str | None:
    """An ISO 8601 date or date-time from the forms pages and feeds use; None when unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    match = re.match(r"^(\d{4}-\d{2}-\d{2})", value)
    return match.group(1) if match else None


def _language(tree: lxml.html.HtmlElement, ld: list[dict[str, Any]], text: str) -> str | None:
    """The page's language: detected from the text when there is enough, else as declared."""
    declared = tree.get("lang") or next(iter(_meta(tree, "og:locale", "inLanguage")), None)
    for obj in ld:
        if not declared and isinstance(obj.get("inLanguage"), str):
            declared = obj["inLanguage"]
    declared = declared.split("-")[0].split("_")[0].lower().strip() if declared else None
    if len(text) >= 200:
        return detect(text[:5000])
    return declared or None


def _tags(tree: lxml.html.HtmlElement, ld_article: dict[str, Any] | None,
          extra: list[str]) -> list[str]:
    tags = _meta(tree, "article:tag")
    if ld_article:
        tags += _split_keywords(ld_article.get("keywords"))
    tags += [a.text_content() for a in tree.xpath('//a[contains(concat(" ", @rel, " "), " tag ")]')]
    return _unique(tags + extra)


def _strip_title_line(text: str, title: str | None) -> str:
    if not title:
        return text
    first, _, rest = text.partition("\n")
    if " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest.lstrip("\n")
    return text


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


def parse(html: str) -> tuple[Any, lxml.html.HtmlElement | None]:
    """The page parsed once: (what trafilatura is given, the document root for our signals).

    trafilatura takes an lxml tree and copies it before it cleans it, which costs a third of a
    parse; so the page is parsed once, the way trafilatura parses it (`load_html`: its parser,
    comments dropped, its repairs), every trafilatura pass gets that tree, and the archive's
    own signals (JSON-LD, meta tags, links, headings) read its document root. A page
    trafilatura refuses to load is parsed by lxml for the signals and handed on as text (it
    then finds nothing in it, as before); (None, None) when lxml cannot parse it either.
    """
    from trafilatura.utils import load_html

    loaded = load_html(html)
    if loaded is not None:
        return loaded, loaded.getroottree().getroot()
    try:
        return html, lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None, None


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
    ld_article = next((o for o in ld if _types(o) & ARTICLE_TYPES), None)

    prune = list(drop_xpath) or None
    import trafilatura

    doc = trafilatura.bare_extraction(
        page, url=url, with_metadata=True, include_comments=False, include_tables=True,
        prune_xpath=prune, deduplicate=False,
        date_extraction_params=date_params(ld_article, tree, url),
    )
    meta: dict[str, Any] = {}
    if doc is not None:
        meta = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = _best_text(page, url, meta.get("text") or "", prune, ld_article)
    if not text.strip():
        return Extraction(None, "no_text")
    title = clean_title(meta.get("title") or (ld_article or {}).get("headline") or hints.title,
                        tree, meta.get("sitename"), url)
    text = drop_teasers(text, teaser_blocks(tree, url, domains, text))
    text = _strip_title_line(text, title)

    published, source = _published(meta.get("date"), ld_article, tree, url, hints)
    modified_raw = (ld_article or {}).get("dateModified") or next(
        iter(_meta(tree, "article:modified_time", "og:updated_time", "dateModified")), None)
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
        language=_language(tree, ld, text) or hints.language,
        description=meta.get("description"),
        image=meta.get("image"),
        sitename=meta.get("sitename"),
        categories=categories,
        tags=_tags(tree, ld_article, list(meta.get("tags") or [])),
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


def _words(text: str | None) -> int:
    return len((text or "").split())


def _best_text(page: Any, url: str, default: str, prune: list[str] | None,
               ld_article: dict[str, Any] | None) -> str:
    """The page's text: trafilatura's default, its precision or recall mode, or JSON-LD.

    Measured on wcxb-dev (`make quality`, see docs/quality.md): precision mode's text is taken
    only when it keeps all of the default's words (what it drops inside the text is more often
    story than boilerplate), recall mode's when it finds more (the default missed part of the
    story), either when the default finds nothing, and a JSON-LD `articleBody` when it is
    substantially longer than every extraction (the page hides its body from the DOM walk).
    Precision mode still judges the edges: short leading/trailing lines it drops are page
    furniture (`trim_edges`); a page rendered twice loses its second copy
    (`drop_repeated_runs`).

    Each extra mode is a whole trafilatura pass, so it runs only where it can change the
    result (docs/benchmarks.md, "Extraction cost"): precision mode, in trafilatura's fast form
    (no readability/jusText comparison: its text is a reference for the edges; the full form
    when the fast one keeps under `FAST_PRECISE_MIN` of the default's words, which means it
    lost the story), when the text to be kept (the default's, or recall mode's when that is
    taken) has short lines at its edges (`_edges_doubtful`); recall mode, decided first, when the
    default text holds less than `RECALL_DOUBT` of the page's visible words. On wcxb-dev the
    two then run on about 60% and 40% of article pages, for the same F1 within 0.001.
    """
    import trafilatura

    options = dict(url=url, include_comments=False, include_tables=True, prune_xpath=prune,
                   deduplicate=False)
    precise = recall = ""
    if not default or _words(default) < RECALL_DOUBT * _visible_words(page):
        recall = trafilatura.extract(page, favor_recall=True, **options) or ""
    taken = recall if default and _words(recall) >= RECALL_GAIN * _words(default) else default
    if _edges_doubtful(taken or recall):  # the edges of the text that will be kept
        precise = trafilatura.extract(page, favor_precision=True, fast=True, **options) or ""
        if _words(precise) < FAST_PRECISE_MIN * _words(default):  # the fast form lost the story
            precise = trafilatura.extract(page, favor_precision=True, **options) or ""
    text = default or recall or precise
    if default and precise and _words(precise) >= PRECISION_KEEP * _words(default):
        text = precise
    if default and _words(recall) >= RECALL_GAIN * _words(default):
        text = recall
    body = (ld_article or {}).get("articleBody")
    if isinstance(body, str) and _words(body) >= LD_BODY_MIN_WORDS \
            and _words(body) >= LD_BODY_GAIN * max(_words(text), 1):
        text = "\n".join(line.strip() for line in body.splitlines() if line.strip())
    return drop_repeated_runs(trim_edges(text, precise))


def _edges_doubtful(text: str) -> bool:
    """Whether `trim_edges` may find furniture: the last line, or the first two, are short.

    (One short first line is the usual headline; furniture above the story comes with more.)
    """
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return True
    def short(line: str) -> bool:
        return len(line.split()) <= EDGE_MAX_WORDS
    return short(lines[-1]) or (len(lines) > 1 and short(lines[0]) and short(lines[1]))


_VISIBLE = etree.XPath("//body//text()[not(ancestor::script) and not(ancestor::style)]")


def _visible_words(page: Any) -> int:
    """Words of the page's visible text (all of `<body>` but scripts and styles)."""
    if not isinstance(page, etree._Element):
        return 0
    return len(" ".join(_VISIBLE(page)).split())


#: `_best_text` thresholds (chosen on wcxb-dev; see docs/quality.md and docs/benchmarks.md).
PRECISION_KEEP = 1.0
RECALL_GAIN = 1.1
RECALL_DOUBT = 0.7
FAST_PRECISE_MIN = 0.5
LD_BODY_MIN_WORDS = 100
LD_BODY_GAIN = 1.3

_URL_DATE = re.compile(r"/(20\d\d|19\d\d)[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?:/|$|[-_])")
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|»|/)\s+")
_BY = re.compile(r"^(?:by|written by|author|posted by|von|par|por|di|door)\b[:\s]*", re.I)
_JOB = re.compile(
    r"\b(?:editor|reporter|writer|correspondent|staff|contributor|columnist|journalist|"
    r"director|expert|manager|producer|analyst|author|founder|ceo|president|photographer|"
    r"intern|senior|chief|head of)\b", re.I)
_NOT_NAME = re.compile(r"email the author|follow|twitter|@|https?://|\bupdated\b|\bpublished\b",
                       re.I)
_MONTH_TAIL = re.compile(
    r"\s+(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+\d{1,2}(?:,?\s+\d{4})?$",
    re.I)


def _published(found: Any, ld_article: dict[str, Any] | None, tree: lxml.html.HtmlElement,
               url: str, hints: Hints) -> tuple[str | None, str | None]:
    """The publication date and where it came from: json-ld, meta, url, htmldate, discovery.

    htmldate (through trafilatura, with `original_date`) decides first: on wcxb-dev it matches
    the visible publication date more often than JSON-LD `datePublished`, which sites often fill
    with a first-draft date. Its answer is labelled with the source it agrees with.
    """
    sources = _date_sources(ld_article, tree, url)
    day = iso_datetime(found) if isinstance(found, str) else None
    if day:
        for name, value in sources:
            if value and value[:10] == day[:10]:
                return value, name
        return day, "htmldate"
    for name, value in sources + [("discovery", iso_datetime(hints.published))]:
        if value:
            return value, name
    return None, None


def _date_sources(ld_article: dict[str, Any] | None, tree: lxml.html.HtmlElement,
                  url: str) -> list[tuple[str, str | None]]:
    """The dates the page declares: JSON-LD `datePublished`, a published-time meta, the URL."""
    ld_value = (ld_article or {}).get("datePublished")
    return [
        ("json-ld", iso_datetime(ld_value) if isinstance(ld_value, str) else None),
        ("meta", iso_datetime(next(iter(_meta(tree, "article:published_time", "datePublished",
                                                "og:published_time", "pubdate")), None))),
        ("url", iso_datetime(_url_date(url))),
    ]


def date_params(ld_article: dict[str, Any] | None, tree: lxml.html.HtmlElement,
                url: str) -> dict[str, Any]:
    """htmldate's settings for this page: its extensive search only when the page declares no
    date (JSON-LD, meta or URL).

    The extensive search reads the whole text for date patterns and, for some, loads
    dateparser's language models: the most expensive part of trafilatura's metadata, and
    wasted when the page says its date. Declared or not, htmldate keeps `original_date`
    (the publication, not the last update), as trafilatura sets it.
    """
    from trafilatura.settings import set_date_params

    declared = any(value for _name, value in _date_sources(ld_article, tree, url))
    return set_date_params(extensive=not declared)


def _url_date(url: str) -> str | None:
    match = _URL_DATE.search(url)
    return "-".join(match.groups()) if match else None


def clean_title(title: str | None, tree: lxml.html.HtmlElement, sitename: str | None,
                url: str) -> str | None:
    """The headline without the site-name suffix ("Story | Site", "Story - site.com").

    The suffix goes when it names the site (its og:site_name or host) or when the page's one
    <h1> equals the part before it.
    """
    if not title:
        return None
    title = " ".join(title.split())
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    h1s = [" ".join(h.text_content().split()) for h in tree.xpath("//h1")]
    head = title[: title.rfind(parts[-1])].rstrip(" |-–—:·»/")
    tail = parts[-1].casefold()
    host = (re.sub(r"^www\.", "", (re.findall(r"//([^/:]+)", url) or [""])[0])).casefold()
    names = {n.casefold() for n in (sitename or "", host, host.split(".")[0]) if n}
    compact = re.sub(r"\W", "", tail)
    if any(n and (n in tail or re.sub(r"\W", "", n) in compact or compact in
                  re.sub(r"\W", "", n)) for n in names) and compact:
        return head
    if len(h1s) == 1 and h1s[0].casefold() == head.casefold():
        return head
    return title


def clean_authors(names: list[str]) -> str | None:
    """Author names joined by "; ", without "By", job titles, "Email the author" or dates."""
    out: list[str] = []
    for raw in names:
        for name in re.split(r"\s*(?:;|\band\b|&|\|)\s*", raw or ""):
            name = _BY.sub("", " ".join(name.split())).strip(" ,-–—:")
            if "," in name:
                first, rest = name.split(",", 1)
                if _JOB.search(rest) or not rest.strip():
                    name = first.strip()
            name = _MONTH_TAIL.sub("", name)
            if not name or _NOT_NAME.search(name) or len(name) > 80 or not re.search(r"\w", name):
                continue
            out.append(name)
    unique = _unique(out)
    return "; ".join(unique) if unique else None


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
