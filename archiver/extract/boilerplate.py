"""Decide which text blocks of an article are a site's template rather than its story.

Pure: strings and parsed HTML in, plain data out. Two kinds of template are recognised:

- blocks that recur across a site's articles (membership appeals, newsletter boxes, bylines
  boxes): a block (one line of extracted text) is normalised (case, whitespace, digits masked,
  so "You've Raised: £3,526" and "£3,611" are one block) and counted in how many distinct
  articles of the site it appears. The counts live in the database (store.py); this module only
  says what a block's key is and when a count makes it template (`threshold`).
- link teasers ("Read more: …", "Lire aussi : …", related-story lists): short blocks whose
  text is mostly a link to another article of the same site. They are recognised from the
  page's structure (link-text share, link target), so they are found in any language.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

#: A block is template once it appears in at least this many distinct articles of a site ...
MIN_ARTICLES = 5
#: ... and in at least this share of the site's articles. A sentence that three articles of a
#: forty-article site quote (7.5%) stays; a promo on every page goes from the fifth article on.
MIN_SHARE = 0.10
#: A teaser block has at most this many words ...
TEASER_MAX_WORDS = 30
#: ... and at least this share of its text inside links to other pages of the site.
TEASER_LINK_SHARE = 0.6

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_DIGITS = re.compile(r"\d+")
_LIST_MARK = re.compile(r"^\s*(?:[-*•·▪►»›]|\d+[.)])\s+")
_BLOCK_TAGS = ("p", "li", "div", "h2", "h3", "h4", "h5", "h6", "aside", "section", "dd", "dt",
               "blockquote", "figcaption", "span", "strong", "em")


def normalize_block(line: str) -> str:
    """A block's comparable form: NFKC, case folded, digits masked, list marks dropped.

    Every block of every saved article comes here (bench/ row 3), so the common case, an
    ASCII line with single spaces, takes C-level substring scans only: NFKC leaves ASCII as
    it is, ten scans for a digit cost less than a regex walking every character, and
    splitting a paragraph into words to re-join them was two thirds of the time.
    """
    text = line or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = _LIST_MARK.sub("", text).casefold()
    if not text.isascii() or (
            "0" in text or "1" in text or "2" in text or "3" in text or "4" in text
            or "5" in text or "6" in text or "7" in text or "8" in text or "9" in text):
        text = _DIGITS.sub("0", text)
    return text if _single_spaced(text) else " ".join(text.split())


def _single_spaced(text: str) -> bool:
    """True when `" ".join(text.split())` would return `text` itself (ASCII text only)."""
    return text.isascii() and text[:1] != " " and text[-1:] != " " and not (
        "  " in text or "\t" in text or "\r" in text or "\n" in text or "\x0b" in text
        or "\x0c" in text or "\x1c" in text or "\x1d" in text or "\x1e" in text
        or "\x1f" in text)


def block_key(line: str) -> str:
    """A short stable key of a block's normalised form ("" for an empty block)."""
    norm = normalize_block(line)
    if not norm:
        return ""
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16]


def blocks(text: str) -> dict[str, str]:
    """The distinct blocks of a text: key -> the first line that has it."""
    out: dict[str, str] = {}
    for line in (text or "").split("\n"):
        if not line or line.isspace():  # the blank lines between paragraphs: no block
            continue
        key = block_key(line)
        if key and key not in out:
            out[key] = line.strip()
    return out


def threshold(site_articles: int) -> int:
    """In how many distinct articles a block must appear to be template, for a site this size."""
    return max(MIN_ARTICLES, math.ceil(MIN_SHARE * site_articles))


def _matches(norm: str, patterns: Iterable[str]) -> bool:
    return any(p and p in norm for p in patterns)


@dataclass(frozen=True)
class Overrides:
    """A site's own rules from sites.toml: blocks never removed, and blocks always removed.

    Each entry matches a block whose normalised text contains the entry's normalised text.
    """

    keep_text: tuple[str, ...] = ()
    drop_text: tuple[str, ...] = ()

    def keeps(self, line: str) -> bool:
        return _matches(normalize_block(line), (normalize_block(p) for p in self.keep_text))

    def drops(self, line: str) -> bool:
        return _matches(normalize_block(line), (normalize_block(p) for p in self.drop_text))


#: Learned template never takes more than this share of an article's words: when it would, the
#: "template" is the story itself (syndicated or boilerplate-only pages), and only the site's
#: explicit drop rules apply.
MAX_TEMPLATE_SHARE = 0.5


def clean(text: str, template: set[str] | frozenset[str],
          overrides: Overrides | None = None) -> str:
    """The text without its template blocks; `overrides` keep or drop blocks by their text.

    Blank-line structure is kept for the remaining blocks; a run of removed blocks leaves no gap.
    """
    overrides = overrides or Overrides()
    if not template and not overrides.keep_text and not overrides.drop_text:
        # Nothing can be removed: every line is kept (the loop below would say the same, at
        # the cost of normalising each line; this is the common case of a crawl's saves).
        text = text or ""
        return (re.sub(r"\n{3,}", "\n\n", text) if "\n\n\n" in text else text).strip("\n")
    if template:
        removed = sum(len(line.split()) for line in (text or "").split("\n")
                      if block_key(line) in template and not overrides.keeps(line))
        if removed > MAX_TEMPLATE_SHARE * len((text or "").split()):
            template = set()
    kept: list[str] = []
    for line in (text or "").split("\n"):
        key = block_key(line)
        if key:
            if overrides.keeps(line):
                kept.append(line)
                continue
            if key in template or overrides.drops(line):
                continue
        kept.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip("\n")


# -- link teasers ----------------------------------------------------------------------------

class _LinkJudge:
    """Whether links point to another page of the site, each href and host judged once a page.

    A page repeats its links (menus, "related" boxes, the same story linked from its image and
    its headline), and resolving a link (`urljoin`, `urlsplit`) was most of the teaser search's
    cost; the answers are kept per href and per host for the page. A link the URL parser rejects
    (`http://[ccpa-preferences]`, a bad port, control characters) is simply not a site link.
    """

    def __init__(self, page_url: str, hosts: set[str]) -> None:
        self.page_url = page_url
        self.hosts = hosts
        try:
            self.here = urlsplit(page_url).path.rstrip("/")
        except ValueError:
            self.here = ""
        self._hrefs: dict[str, bool] = {}
        self._on_site: dict[str, bool] = {}

    def __call__(self, href: str | None) -> bool:
        if not href:
            return False
        known = self._hrefs.get(href)
        if known is None:
            known = self._hrefs[href] = self._judge(href)
        return known

    def _host_on_site(self, host: str) -> bool:
        known = self._on_site.get(host)
        if known is None:
            known = self._on_site[host] = host in self.hosts or any(
                host.endswith("." + h) for h in self.hosts)
        return known

    def _judge(self, href: str) -> bool:
        if href.startswith(("#", "mailto:", "tel:", "javascript:")):
            return False
        try:
            target = urlsplit(urljoin(self.page_url, href))
            host = (target.hostname or "").lower()
        except ValueError:
            return False
        if target.scheme not in ("http", "https") or not self._host_on_site(host):
            return False
        path = target.path.rstrip("/")
        return bool(path) and path != self.here


def _site_article_link(href: str | None, page_url: str, hosts: set[str]) -> bool:
    """Whether a link points to another page of the site (not its front page, not this page)."""
    return _LinkJudge(page_url, hosts)(href)


def _under_heading(node: object) -> bool:
    return node.tag in _HEADINGS or any(  # type: ignore[attr-defined]
        a.tag in _HEADINGS for a in node.iterancestors())  # type: ignore[attr-defined]


def teaser_blocks(tree: object, page_url: str, domains: Iterable[str] = (),
                  text: str | None = None) -> set[str]:
    """Keys of the page's link-teaser blocks: short blocks that are mostly a same-site link.

    `tree` is an lxml HTML document. The site is `domains` plus the page's own host. Decided from
    structure, not from words, so "Read more:", "Lire aussi :" and a bare related-links list are
    all found. With `text` (the extracted text), only blocks that are lines of it are judged:
    nothing else can be dropped from it.

    The search starts from the links, not from every block of the page: a teaser holds a link,
    so its candidates are the block elements around each link, climbed until the text passes
    `TEASER_MAX_WORDS` (an ancestor only holds more). Each block is measured once.
    """
    hosts = {d.lower() for d in domains}
    try:
        own = urlsplit(page_url).hostname
    except ValueError:
        own = None
    if own:
        hosts.add(own.lower())
    wanted = set(blocks(text)) if text is not None else None
    if wanted is not None and not wanted:
        return set()
    judge = _LinkJudge(page_url, hosts)
    measured: dict[object, int] = {}  # node -> its word count
    keys: set[str] = set()
    for link in tree.iter("a"):  # type: ignore[attr-defined]
        for node in link.iterancestors(*_BLOCK_TAGS):
            words = measured.get(node)
            if words is not None:
                if words > TEASER_MAX_WORDS:
                    break
                continue
            parts = node.text_content().split(None, TEASER_MAX_WORDS)  # enough to tell
            words = measured[node] = len(parts)
            if words > TEASER_MAX_WORDS:
                break
            if not words:
                continue
            content = " ".join(parts)
            key = block_key(content)
            if wanted is not None and key not in wanted:
                continue
            links = [a for a in node.iter("a") if judge(a.get("href"))]
            if not links or _under_heading(node):
                continue  # a linked heading titles a section of the story ("Chapter 5: …")
            link_words = sum(len(a.text_content().split()) for a in links)
            if link_words / words >= TEASER_LINK_SHARE and link_words >= 2:
                keys.add(key)
    return keys


def drop_teasers(text: str, teasers: set[str]) -> str:
    """The text without the lines whose key is a teaser block's."""
    if not teasers:
        return text
    return clean(text, teasers)


# -- single-page text repairs ----------------------------------------------------------------

#: `trim_edges` removes leading/trailing lines of at most this many words ...
EDGE_MAX_WORDS = 25
#: `drop_repeated_runs` removes a run of repeated lines once it holds this many words.
REPEAT_RUN_WORDS = 60


def trim_edges(text: str, reference: str, max_words: int = EDGE_MAX_WORDS) -> str:
    """The text without the short lines at its start and end that `reference` does not have.

    `reference` is a stricter extraction of the same page (trafilatura's precision mode). What
    hangs at the edges of the fuller text and the stricter one drops is nearly always page
    furniture: breadcrumbs, bylines boxes, share prompts, "Subscribe" calls, related links.
    Lines inside the text are left alone: there the stricter mode mostly drops story.
    """
    if not reference:
        return text
    keep = {normalize_block(line) for line in reference.split("\n")}
    lines = text.split("\n")

    def furniture(line: str) -> bool:
        return bool(line.strip()) and normalize_block(line) not in keep \
            and len(line.split()) <= max_words

    start, end = 0, len(lines)
    while start < end and (not lines[start].strip() or furniture(lines[start])):
        start += 1
    while end > start and (not lines[end - 1].strip() or furniture(lines[end - 1])):
        end -= 1
    return "\n".join(lines[start:end])


def drop_repeated_runs(text: str, min_words: int = REPEAT_RUN_WORDS) -> str:
    """The text without long runs of lines that repeat earlier lines.

    Pages often render the same content twice (a mobile and a desktop copy, a tabbed and an
    expanded view); the second copy is a run of consecutive repeated lines. A lone repeated
    line (a refrain, "Pros", "Cons") is kept: only a run of at least two repeated lines holding
    `min_words` words goes.
    """
    lines = text.split("\n")
    seen: set[str] = set()
    repeated = []
    for line in lines:
        # digits count here: rows of a table differ only in their figures
        norm = " ".join(unicodedata.normalize("NFKC", _LIST_MARK.sub("", line)).casefold().split())
        repeated.append(bool(norm) and norm in seen)
        if norm:
            seen.add(norm)
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not (repeated[i] or not lines[i].strip()):
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and (repeated[j] or not lines[j].strip()):
            j += 1
        run = lines[i:j]
        if not (sum(repeated[i:j]) >= 2 and sum(len(line.split()) for line in run) >= min_words):
            out.extend(run)
        i = j
    return "\n".join(out)
