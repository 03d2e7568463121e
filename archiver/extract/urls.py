"""Normalise URLs once, so one story reached through many links is one identity."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from courlan import normalize_url
from w3lib.url import canonicalize_url

_SCHEMES = ("http", "https")


def normalize(url: str, base: str | None = None) -> str | None:
    """Return the archive's form of `url`, or None when it is not a crawlable http(s) URL.

    courlan drops tracking parameters (utm_*, fbclid, gclid, mc_cid, ...), lower-cases the host
    and strips a trailing slash; w3lib drops the fragment and sorts the query so parameter order
    does not make a second identity.
    """
    if not url:
        return None
    url = url.strip()
    try:
        if base:
            url = urljoin(base, url)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
        return None
    try:
        cleaned = normalize_url(url, strict=False, trailing_slash=False)
        return canonicalize_url(cleaned, keep_fragments=False)
    except (ValueError, TypeError):
        return None


def host_of(url: str) -> str:
    """The lower-cased host name of a URL ('' when it has none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def on_domains(url: str, domains: tuple[str, ...] | list[str]) -> bool:
    """True when the URL's host is one of `domains` or a subdomain of one."""
    host = host_of(url)
    return any(host == d or host.endswith("." + d) for d in domains)


def matches_any(url: str, patterns: list[re.Pattern[str]]) -> bool:
    """True when any compiled pattern matches somewhere in the URL."""
    return any(p.search(url) for p in patterns)


def is_front_page(url: str) -> bool:
    """True for a site's root (`/`, `/index.html`, ...): never an article."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return False
    return path in ("", "/") or re.fullmatch(r"/(index|default|home)\.\w+", path) is not None
