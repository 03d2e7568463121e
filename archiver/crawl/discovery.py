"""Read feeds, sitemaps and robots.txt into plain lists of URLs with their hints."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import etree

_PARSER_OPTIONS = dict(recover=True, resolve_entities=False, no_network=True, huge_tree=False,
                       remove_comments=True, remove_pis=True)


@dataclass(frozen=True)
class Entry:
    """A discovered link, with what the feed or sitemap said about it."""

    url: str
    title: str | None = None
    published: str | None = None
    language: str | None = None
    #: the entry is a Google News `<news:news>` sitemap entry (strong evidence of a story)
    news: bool = False
    #: when the feed or sitemap says the page last changed (sitemap `<lastmod>`, feed
    #: `<updated>` / `<atom:updated>` / `dc:modified`), as written: checked by the spider
    modified: str | None = None


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: either an index of further sitemaps or a set of page entries."""

    is_index: bool
    entries: list[Entry]


def _root(body: bytes) -> etree._Element | None:
    if not body or not body.strip():
        return None
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(**_PARSER_OPTIONS))
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _child_text(node: etree._Element, *names: str) -> str | None:
    for child in node:
        if _local(child.tag) in names:
            text = (child.text or "").strip()
            if text:
                return text
    return None


def _descendant_text(node: etree._Element, name: str) -> str | None:
    for child in node.iter():
        if _local(child.tag) == name and (child.text or "").strip():
            return child.text.strip()
    return None


def _join(base_url: str, link: str) -> str | None:
    """An absolute URL for a feed or sitemap link; None for one urllib cannot parse."""
    try:
        return urljoin(base_url, link.strip())
    except ValueError:  # e.g. "http://[" (an unbalanced IPv6 bracket)
        return None


def _clip(text: str | None, limit: int = 1000) -> str | None:
    return text[:limit] if text else text


def parse_feed(body: bytes, base_url: str) -> list[Entry]:
    """Entries of an RSS 0.9x/2.0, RSS 1.0 (RDF) or Atom feed; [] for anything else.

    Links are resolved against the feed's URL and stripped of whitespace; an item without a
    usable link is skipped.
    """
    root = _root(body)
    if root is None:
        return []
    entries: list[Entry] = []
    for node in root.iter():
        kind = _local(node.tag)
        if kind not in ("item", "entry"):
            continue
        link = None
        if kind == "entry":  # Atom: <link rel="alternate" href=...>
            for child in node:
                if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                    link = child.get("href")
                    break
        if not link:
            link = _child_text(node, "link", "guid")
            if link and not re.match(r"^\s*(https?:)?/", link) and kind == "item":
                # a guid that is not a URL, or a relative link: resolve only path-like ones
                link = link if "/" in link else None
        if not link:
            continue
        published = _child_text(node, "pubdate", "published", "updated", "date", "issued")
        url = _join(base_url, link)
        if url is None:
            continue
        entries.append(Entry(url=url,
                             title=_clip(_child_text(node, "title")),
                             published=published,
                             modified=_clip(_child_text(node, "updated", "modified"), 100)))
    return entries


def parse_sitemap(body: bytes, base_url: str) -> Sitemap | None:
    """A sitemap or sitemap index (Google News extensions read); None when not a sitemap."""
    root = _root(body)
    if root is None:
        return None
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        return None
    entries = []
    for node in root:
        if _local(node.tag) not in ("url", "sitemap"):
            continue
        loc = _child_text(node, "loc")
        url = _join(base_url, loc) if loc else None
        if url is None:
            continue
        entries.append(Entry(
            url=url,
            title=_clip(_descendant_text(node, "title")),
            published=_descendant_text(node, "publication_date") or _child_text(node, "lastmod"),
            language=_descendant_text(node, "language"),
            news=any(_local(child.tag) == "news" for child in node),
            modified=_clip(_child_text(node, "lastmod"), 100),
        ))
    if kind == "urlset":
        # Newest first, so a page budget spends itself on the latest stories.
        entries.sort(key=lambda e: e.published or "", reverse=True)
    return Sitemap(is_index=kind == "sitemapindex", entries=entries)


def robots_sitemaps(text: str, base_url: str) -> list[str]:
    """The URLs of the `Sitemap:` lines of a robots.txt."""
    found = []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            url = _join(base_url, value)
            if url:
                found.append(url)
    return found
