"""No single element of a page makes extraction raise (issue 18, item 5).

A footer link that `urljoin` rejects (`<a href="http://[ccpa-preferences]">`, the CCPA link of
many US local news sites) used to make `analyse` raise and the story was lost. The property
test builds story pages around random hrefs and JSON-LD of any shape; the crawl test archives
the CCPA page end to end through a real crawl on 127.0.0.1.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archiver.demo.siteserver import FIXTURE_ORIGIN, SiteServer
from archiver.extract.page import analyse
from archiver.store.archive import Store

from ..support import run_archiver, write_config

URL = "http://127.0.0.1:1/news/2024/05/council-approves-river-bridge-budget"
STORY = [
    "The city council approved the budget for the new river bridge on Tuesday evening after a "
    "debate that lasted more than four hours and drew residents from both banks.",
    "Engineers told the council that the old crossing, built in 1931, no longer carries the "
    "weight of modern buses and must close to heavy traffic before the winter.",
    "The mayor said the work would start in the spring and that the ferry service would run "
    "every twenty minutes while the bridge is closed to cars and lorries.",
    "Shopkeepers on the east bank asked for help with the months of lost trade, and the council "
    "agreed to study a fund for the businesses that depend on passing custom.",
]
CCPA = '<a href="http://[ccpa-preferences]">Do Not Sell or Share My Personal Information</a>'


def story_page(hrefs: list[str], json_ld: str | None = None, *, path: str = URL) -> str:
    """A plain article page; `hrefs` become links in a related box and in the footer."""
    links = "".join(f'<li><a href="{html.escape(h, quote=True)}">Related story number {i} on '
                    "the bridge</a></li>" for i, h in enumerate(hrefs))
    script = ""
    if json_ld is not None:
        script = '<script type="application/ld+json">' + json_ld.replace("</", "<\\/") + "</script>"
    body = "".join(f"<p>{p}</p>" for p in STORY)
    contact = html.escape(hrefs[0] if hrefs else "/", quote=True)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Council approves river bridge budget</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="2024-05-14T09:00:00Z">{script}
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Council approves river bridge budget</h1>{body}</article>
<aside><ul>{links}</ul></aside>
<footer><div class="legal">{CCPA}</div> <a href="{contact}">Contact</a></footer></body></html>"""


def assert_story_kept(result) -> None:
    assert result.article is not None, result.reason
    text = " ".join(result.article.text.split())
    for paragraph in STORY:
        assert paragraph in text


def test_the_ccpa_link_page_is_an_article():
    assert_story_kept(analyse(story_page([]).encode(), URL))


hosts = st.sampled_from(["[ccpa-preferences]", "[::1]", "[::1", "::1]", "[v1.x]", "[]",
                         "127.0.0.1:99999", "127.0.0.1:-1", "127.0.0.1:port", "127.0.0.1:",
                         "xn--", "exa mple.org", "ex\u00e4mple.org", "%zz", "a" * 300 + ".org",
                         "127.0.0.1", "news.example.org"])
weird = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
control = st.text(st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=5)
hrefs = st.one_of(
    st.builds(lambda s, h, p: f"{s}//{h}/{p}", st.sampled_from(["http:", "https:", "", "ftp:"]),
              hosts, weird),
    st.builds(lambda c, p: f"/{c}{p}", control, weird),
    st.builds(lambda p: f"javascript:{p}", weird),
    st.builds(lambda n: "http://127.0.0.1/" + "x" * n, st.integers(1000, 20000)),
    st.sampled_from(["#", "mailto:", "tel:+1", "//", "http://", "http:///x", "http://[", "?a=b",
                     "\\\\server\\share", " ", "data:text/html,<b>x</b>"]),
    weird,
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    weird)
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["@type", "@graph", "headline", "author", "name",
                                     "datePublished", "dateModified", "articleBody", "keywords",
                                     "articleSection", "inLanguage", "@context", "url"]),
                    inner, max_size=6)), max_leaves=20)
json_ld = st.one_of(st.none(), json_values.map(json.dumps), weird,
                    st.sampled_from(["{", "[]", "null", '{"@type": "NewsArticle", "author": [{}]}',
                                     '{"@type": ["NewsArticle", null, 3], "datePublished": 7}']))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(links=st.lists(hrefs, max_size=8), ld=json_ld)
def test_no_href_or_json_ld_makes_analyse_raise_or_lose_the_story(links, ld):
    assert_story_kept(analyse(story_page(links, ld).encode(), URL))


@pytest.mark.slow
def test_a_page_with_the_ccpa_link_archives_in_a_real_crawl(tmp_path: Path):
    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    path = "/news/2024/05/council-approves-river-bridge-budget"
    (site / "news" / "2024" / "05").mkdir(parents=True)
    (site / f"{path.lstrip('/')}.html").write_text(
        story_page(["/news/2024/05/ferry-timetable-changes"], path=FIXTURE_ORIGIN + path),
        encoding="utf-8")
    (site / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{FIXTURE_ORIGIN}{path}</loc></url></urlset>\n", encoding="utf-8")
    with SiteServer(site) as server:
        config = write_config(tmp_path / "sites.toml", server, name="ccpa",
                              sitemaps=["/sitemap.xml"], drop=[])
        db = tmp_path / "archive.db"
        result = run_archiver("crawl", "--config", str(config), "--db", str(db), cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
    with Store(db, readonly=True) as store:
        rows = {r["url"].removeprefix(server.origin): r for r in store.articles("ccpa")}
    assert list(rows) == [path]
    text = " ".join(rows[path]["text"].split())
    assert all(p in text for p in STORY)
