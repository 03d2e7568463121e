"""A page's metadata beyond trafilatura's: JSON-LD and meta tags, dates and where they came
from, title, authors, tags, language.

Pure: the parsed page (its document root), its JSON-LD objects and the extracted text in, plain
strings out. trafilatura's own metadata (from its default pass) comes in as values; what is
decided here is which source wins and how a value is cleaned.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import lxml.html

from archiver.extract.classify import ARTICLE_LD_TYPES
from archiver.extract.language import detect

#: JSON-LD types of a story (the classifier's list).
ARTICLE_TYPES = ARTICLE_LD_TYPES

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


#: A page's `<meta>` contents by the names they are under (`meta_index`).
Metas = dict[str, list[str]]


def meta_index(tree: lxml.html.HtmlElement) -> Metas:
    """Every `<meta>` of the page with a content: name -> contents, in document order.

    A meta counts under each of its `property`, `name` and `itemprop` values (once under a
    value two of them share). Built in one walk: the page's metadata asks for about fifteen
    names, and an XPath query a name walked the whole tree each time.
    """
    index: Metas = {}
    for node in tree.iter("meta"):
        content = (node.get("content") or "").strip()
        if not content:
            continue
        for key in {node.get("property"), node.get("name"), node.get("itemprop")}:
            if key is not None:
                index.setdefault(key, []).append(content)
    return index


def _meta(metas: Metas, *names: str) -> list[str]:
    """The contents of the page's metas under `names`, name by name, each in document order."""
    return [value for name in names for value in metas.get(name, ())]


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


def _language(tree: lxml.html.HtmlElement, metas: Metas, ld: list[dict[str, Any]],
              text: str) -> str | None:
    """The page's language: detected from the text when there is enough, else as declared."""
    declared = tree.get("lang") or next(iter(_meta(metas, "og:locale", "inLanguage")), None)
    for obj in ld:
        if not declared and isinstance(obj.get("inLanguage"), str):
            declared = obj["inLanguage"]
    declared = declared.split("-")[0].split("_")[0].lower().strip() if declared else None
    if len(text) >= 200:
        return detect(text[:5000])
    return declared or None


def _tags(tree: lxml.html.HtmlElement, metas: Metas, ld_article: dict[str, Any] | None,
          extra: list[str]) -> list[str]:
    tags = _meta(metas, "article:tag")
    if ld_article:
        tags += _split_keywords(ld_article.get("keywords"))
    tags += [a.text_content() for a in tree.xpath('//a[contains(concat(" ", @rel, " "), " tag ")]')]
    return _unique(tags + extra)


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


def _published(found: Any, ld_article: dict[str, Any] | None, metas: Metas, url: str,
               discovered: str | None) -> tuple[str | None, str | None]:
    """The publication date and where it came from: json-ld, meta, url, htmldate, discovery.

    htmldate (through trafilatura, with `original_date`) decides first: on wcxb-dev it matches
    the visible publication date more often than JSON-LD `datePublished`, which sites often fill
    with a first-draft date. Its answer is labelled with the source it agrees with.
    `discovered` is the date discovery gave (a feed's or sitemap's), the last resort.
    """
    sources = _date_sources(ld_article, metas, url)
    day = iso_datetime(found) if isinstance(found, str) else None
    if day:
        for name, value in sources:
            if value and value[:10] == day[:10]:
                return value, name
        return day, "htmldate"
    for name, value in sources + [("discovery", iso_datetime(discovered))]:
        if value:
            return value, name
    return None, None


def _date_sources(ld_article: dict[str, Any] | None, metas: Metas,
                  url: str) -> list[tuple[str, str | None]]:
    """The dates the page declares: JSON-LD `datePublished`, a published-time meta, the URL."""
    ld_value = (ld_article or {}).get("datePublished")
    return [
        ("json-ld", iso_datetime(ld_value) if isinstance(ld_value, str) else None),
        ("meta", iso_datetime(next(iter(_meta(metas, "article:published_time", "datePublished",
                                                "og:published_time", "pubdate")), None))),
        ("url", iso_datetime(_url_date(url))),
    ]


def date_params(ld_article: dict[str, Any] | None, metas: Metas,
                url: str) -> dict[str, Any]:
    """htmldate's settings for this page: its extensive search only when the page declares no
    date (JSON-LD, meta or URL).

    The extensive search reads the whole text for date patterns and, for some, loads
    dateparser's language models: the most expensive part of trafilatura's metadata, and
    wasted when the page says its date. Declared or not, htmldate keeps `original_date`
    (the publication, not the last update), as trafilatura sets it.
    """
    from trafilatura.settings import set_date_params

    declared = any(value for _name, value in _date_sources(ld_article, metas, url))
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
