"""The fast paths of extraction (issue 20) give what the plain forms they replace give.

Each one replaces a slower form with a faster one that must answer the same: the page parsed
with lxml's C-level class lookup against trafilatura's own `load_html`, the meta tags read from
one index against one XPath query a name, the cue patterns with their first-letter lookahead
against the plain patterns. Checked on the in-repo sample of real pages (wcxb-sample) and on
made-up inputs at the edges (case folding, broken HTML).
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from lxml import etree

from archiver.extract import features
from archiver.extract.decode import decode
from archiver.extract.metadata import _meta, meta_index
from archiver.extract.passes import load_html, parse

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "wcxb-sample" / "html"
PAGES = sorted(SAMPLE.glob("*.html.gz"))


def sample_html() -> list[str]:
    return [decode(gzip.decompress(path.read_bytes())) for path in PAGES]


def test_the_sample_is_there():
    assert len(PAGES) >= 40


def test_pages_parse_to_trafilaturas_own_tree():
    from trafilatura.utils import load_html as trafilatura_load

    for html in sample_html():
        ours, theirs = load_html(html), trafilatura_load(html)
        assert ours is not None and theirs is not None
        assert etree.tostring(ours) == etree.tostring(theirs)


@pytest.mark.parametrize("html", [
    "<p>one block only</p>",  # dubious: no <html>, one element: refused by both
    "just text, no markup at all",
    '<?xml version="1.0" encoding="utf-8"?><html><body><p>declared</p></body></html>',
    "<!DOCTYPE html>\n<html/><body><p>self-closed html</p></body>",
    "<html><body><p>control \x0b\x0c characters</p></body></html>",
    "<html><head><title>t</title></head><body><form><input name=q value=x>"
    "<select><option>a</option></select><textarea>t</textarea><label>l</label></form>"
    "</body></html>",
    "",
])
def test_edge_inputs_load_as_trafilatura_loads_them(html):
    from trafilatura.utils import load_html as trafilatura_load

    ours, theirs = load_html(html), trafilatura_load(html)
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert etree.tostring(ours) == etree.tostring(theirs)


def test_meta_index_answers_as_the_xpath_per_name():
    for html in sample_html():
        _page, tree = parse(html)
        assert tree is not None
        index = meta_index(tree)
        names = set(index) | {"og:locale", "article:tag", "datePublished", "nothing-here"}
        for name in names:
            plain = [(node.get("content") or "").strip() for node in tree.xpath(
                "//meta[@property=$n or @name=$n or @itemprop=$n]", n=name)]
            assert _meta(index, name) == [c for c in plain if c], name


def test_meta_index_counts_a_meta_once_under_each_of_its_names():
    _page, tree = parse('<html><head><meta property="a" name="a" content=" x ">'
                        '<meta name="b" itemprop="c" content="y"><meta name="a" content="">'
                        "</head><body><p>text</p></body></html>")
    index = meta_index(tree)
    assert _meta(index, "a") == ["x"]
    assert _meta(index, "b", "c", "a") == ["y", "y", "x"]


LED = ["_SHOP_WORDS", "_FORUM_WORDS", "_CALLS", "_WE", "_YOU", "_REPORTED"]


def _plain(pattern: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(re.sub(r"^\\b\(\?=\[[^\]]*\]\)", r"\\b", pattern.pattern), re.I)


@pytest.mark.parametrize("name", LED)
def test_cue_patterns_match_as_their_plain_forms(name):
    led = getattr(features, name)
    plain = _plain(led)
    assert plain.pattern != led.pattern
    texts = [t[:50_000] for t in sample_html()[:10]]
    # every alternative, in odd cases, beside the characters case folding maps onto ASCII
    words = re.findall(r"[^|()?:\\]+", plain.pattern[5:])
    odd = " ".join(w.upper() + " " + w.title() + " x" + w for w in words)
    texts.append(odd + " \u212aeep \u017fays \u0130n \u0131n ſaid KONTACT")
    for text in texts:
        assert led.findall(text) == plain.findall(text)


def test_a_cue_pattern_whose_alternative_starts_otherwise_is_refused():
    with pytest.raises(ValueError):
        features._led(r"\b(?:word|\d+ things)\b")
    with pytest.raises(ValueError):
        features._led(r"(?:word)")
