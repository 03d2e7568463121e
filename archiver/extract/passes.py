"""The trafilatura passes over a parsed page: the default pass, and the extra modes where the
default is doubtful.

Pure: a parsed page in, text and trafilatura's metadata out. trafilatura is imported where it
is called: it brings numpy and py3langid (about 20 MB), which the crawl process, which never
extracts, need not hold. Its calls go through the module's attribute (`trafilatura.extract`),
so tests can count the passes.
"""

from __future__ import annotations

import logging
from typing import Any

import lxml.html
from lxml import etree

from archiver.extract.boilerplate import EDGE_MAX_WORDS, drop_repeated_runs, trim_edges


def _parser() -> lxml.html.HTMLParser:
    """trafilatura's HTML parser, with lxml's C-level element class lookup.

    The options are `trafilatura.utils.HTML_PARSER`'s (tests/extract/test_parse.py checks that
    both parse every sample page to the same tree). lxml.html's own lookup calls a Python method
    for every element proxy it builds, about 12,000 a page over the trafilatura passes and the
    archive's signals; this one builds the same `HtmlElement` (and `HtmlComment`, ...) in C.
    Only lxml.html's form classes (`FormElement`, `InputElement`, ...) become plain
    `HtmlElement`s: neither trafilatura nor the archive uses their form API.
    """
    parser = lxml.html.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                                  remove_comments=True, remove_pis=True)
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))
    return parser


_PARSER = _parser()
_TRAFILATURA_LOG = logging.getLogger("trafilatura.utils")


def _from_bytes(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.fromstring(html.encode("utf8", "surrogatepass"), parser=_PARSER)
    except Exception as err:  # as trafilatura's own fallback: any lxml failure is no tree
        _TRAFILATURA_LOG.error("lxml parser bytestring %s", err)
    return None


def load_html(html: str) -> lxml.html.HtmlElement | None:
    """`trafilatura.utils.load_html` for a decoded page, with `_PARSER`: the same repairs, the
    same fallbacks, the same rejection of what is not HTML, the same log lines."""
    from trafilatura.utils import is_dubious_html, repair_faulty_html

    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    html = repair_faulty_html(html, beginning)
    tree = None
    fallback = False
    try:
        tree = lxml.html.fromstring(html, parser=_PARSER)
    except ValueError:  # "Unicode strings with encoding declaration are not supported."
        tree = _from_bytes(html)
        fallback = True
    except Exception as err:  # pragma: no cover - as trafilatura's own
        _TRAFILATURA_LOG.error("lxml parsing failed: %s", err)
    if (tree is None or len(tree) < 1) and not fallback:
        tree = _from_bytes(html)
    if tree is not None and dubious and len(tree) < 2:
        _TRAFILATURA_LOG.error("parsed tree length: %s, wrong data type or not valid HTML",
                               len(tree))
        tree = None
    return tree


def parse(html: str) -> tuple[Any, lxml.html.HtmlElement | None]:
    """The page parsed once: (what trafilatura is given, the document root for our signals).

    trafilatura takes an lxml tree and copies it before it cleans it, which costs a third of a
    parse; so the page is parsed once, the way trafilatura parses it (`load_html`: its parser's
    options, comments dropped, its repairs), every trafilatura pass gets that tree, and the
    archive's own signals (JSON-LD, meta tags, links, headings) read its document root. A page
    trafilatura refuses to load is parsed by lxml for the signals and handed on as text (it
    then finds nothing in it, as before); (None, None) when lxml cannot parse it either.
    """
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
    words = _words(default)  # each text is counted once: a long story's split is not free
    if not default or words < RECALL_DOUBT * _visible_words(page):
        recall = trafilatura.extract(page, favor_recall=True, **options) or ""
    recall_words = _words(recall)
    taken = recall if default and recall_words >= RECALL_GAIN * words else default
    if _edges_doubtful(taken or recall):  # the edges of the text that will be kept
        precise = trafilatura.extract(page, favor_precision=True, fast=True, **options) or ""
        if _words(precise) < FAST_PRECISE_MIN * words:  # the fast form lost the story
            precise = trafilatura.extract(page, favor_precision=True, **options) or ""
    text = default or recall or precise
    if default and precise and _words(precise) >= PRECISION_KEEP * words:
        text = precise
    if default and recall_words >= RECALL_GAIN * words:
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


#: Plain strings (`smart_strings=False`): a "smart" string result builds its parent element's
#: Python proxy, one per text node, which was half of this count's time.
_VISIBLE = etree.XPath("//body//text()[not(ancestor::script) and not(ancestor::style)]",
                       smart_strings=False)


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
