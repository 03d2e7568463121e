"""The trafilatura passes over a parsed page: the default pass, and the extra modes where the
default is doubtful.

Pure: a parsed page in, text and trafilatura's metadata out. trafilatura is imported where it
is called: it brings numpy and py3langid (about 20 MB), which the crawl process, which never
extracts, need not hold. Its calls go through the module's attribute (`trafilatura.extract`),
so tests can count the passes.
"""

from __future__ import annotations

from typing import Any

import lxml.html
from lxml import etree

from archiver.extract.boilerplate import EDGE_MAX_WORDS, drop_repeated_runs, trim_edges


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


def default_pass(page: Any, url: str, prune: list[str] | None,
                 date_params: dict[str, Any]) -> dict[str, Any]:
    """trafilatura's default pass with its metadata, as a dict ({} when it finds nothing).

    Comments are left out, tables kept, nothing deduplicated (a crawl sees a site's repeated
    blocks on purpose: template learning needs them); `prune` are the site's cleaning rules and
    `date_params` htmldate's settings for the page (`metadata.date_params`).
    """
    import trafilatura

    doc = trafilatura.bare_extraction(
        page, url=url, with_metadata=True, include_comments=False, include_tables=True,
        prune_xpath=prune, deduplicate=False, date_extraction_params=date_params,
    )
    if doc is None:
        return {}
    return doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)


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

    options: dict[str, Any] = dict(url=url, include_comments=False, include_tables=True,
                                   prune_xpath=prune, deduplicate=False)
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
