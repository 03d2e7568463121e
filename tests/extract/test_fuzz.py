"""Property tests: extraction, feed/sitemap parsing and search take anything without raising."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archiver.crawl.discovery import parse_feed, parse_sitemap, robots_sitemaps
from archiver.errors import QueryError
from archiver.extract.page import Extraction, analyse, decode
from archiver.store import search_text as analysis
from archiver.store.archive import Store

from ..hostile import pages
from ..support import article

FAST = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

#: Bytes that look like the web: fragments of real pages, feeds and binary, spliced at random.
FRAGMENTS = [pages.simple_article("Fuzz", 3), pages.TAG_SOUP, pages.truncated(),
             pages.sql_article(), pages.JS_SHELL, pages.PDF[:300], pages.PNG[:200],
             pages.bad_feed("http://127.0.0.1:1"), pages.BROKEN_SITEMAP,
             pages.sitemap_index("http://127.0.0.1:1", ["/a.xml"]), b"\xef\xbb\xbf", b"\xff\xfe",
             b"<meta charset='shift_jis'>", b"<![CDATA[", b"<!DOCTYPE x [<!ENTITY a 'b'>]>&a;"]
webby = st.lists(st.one_of(st.binary(max_size=300), st.sampled_from(FRAGMENTS).flatmap(
    lambda f: st.integers(0, len(f)).map(lambda n: f[:n]))), max_size=6).map(b"".join)
any_bytes = st.one_of(st.binary(max_size=2000), webby)


@FAST
@given(body=any_bytes, ctype=st.one_of(st.none(), st.sampled_from([
    "text/html", "text/html; charset=utf-8", "text/html; charset=x-nonsense",
    "text/html; charset=utf-16", "application/octet-stream"])))
def test_extraction_returns_an_article_or_a_reason(body, ctype):
    result = analyse(body, "http://127.0.0.1:1/news/story", content_type=ctype, min_words=5)
    assert isinstance(result, Extraction)
    assert (result.article is None) != (result.reason is None)
    if result.article is not None:
        assert result.article.text.strip()
        assert "\ufffd" not in result.article.text and "\x00" not in result.article.text
    text = decode(body, ctype)
    assert "\ufffd" not in text and not text.startswith("\ufeff")


@FAST
@given(body=any_bytes)
def test_feed_and_sitemap_parsers_never_raise(body):
    entries = parse_feed(body, "http://127.0.0.1:1/feed.xml")
    assert all(e.url for e in entries)
    sitemap = parse_sitemap(body, "http://127.0.0.1:1/sitemap.xml")
    assert sitemap is None or all(e.url for e in sitemap.entries)
    assert isinstance(robots_sitemaps(body.decode("utf-8", "replace"), "http://127.0.0.1:1/"),
                      list)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    db = tmp_path_factory.mktemp("fuzz") / "archive.db"
    with Store(db) as store:
        store.save_articles("hostile", [
            article("https://a.test/1", pages.SQL_TITLE, pages.SQL_TEXT * 3,
                    published="2024-01-01"),
            article("https://a.test/2", "Perú", "Café con leche en Lima, año 2024.",
                    published="2024-01-02"),
            _in("https://a.test/3", "ja", "東京の予算", "東京都は新しい予算案を発表した。"),
            _in("https://a.test/4", "de", "Streik", "Die Gewerkschaft kündigte einen Streik an."),
            _in("https://a.test/5", "zh", "经济", "人民日报报道了经济增长的消息 in Berlin 2024."),
        ])
    return db


def _in(url: str, language: str, title: str, text: str):
    a = article(url, title, text, published="2024-01-03")
    a.language = language
    return a


#: FTS5 syntax, and words of every script the index treats apart (CJK, Hangul, Thai,
#: Cyrillic, Arabic, mixed in one word, non-ASCII spaces).
WORDS = ['"', "*", "NEAR(", "NEAR", "AND", "OR", "NOT", "(", ")", "^", ":", "-", "+", "'", ";",
         ",", "5", "DROP", "title:", "text", "{", "}", "lima", "café", "\\", "\x00", " ",
         "予算", "経済成長", "经", "경제가", "ข่าว", "Gewerkschaften", "grèves", "забастовки",
         "المعلمين", "東京2024年", "iPhone用", "\u3000", "\x1a", "x_y"]
search_text = st.one_of(st.text(max_size=40),
                        st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join),
                        st.lists(st.sampled_from(WORDS), max_size=6).map("".join))


@pytest.fixture(scope="module")
def reader(archive):
    with Store(archive, readonly=True) as store:
        yield store


@settings(max_examples=3000, deadline=None)
@given(query=search_text)
def test_store_search_takes_any_string(reader, query):
    try:
        hits = reader.search(query)
    except QueryError as exc:  # the one clean error the CLI turns into one line, exit 2
        assert str(exc).startswith("cannot parse search query ")
        assert repr(query) in str(exc) and "\n" not in str(exc)
    else:
        assert all(h.url.startswith("https://a.test/") for h in hits)
        assert all(isinstance(h.snippet, str) for h in hits)


@settings(max_examples=3000, deadline=None)
@given(query=search_text)
def test_a_query_fts5_parses_still_parses_once_rewritten(query):
    """The rewriting for stems and bigrams never turns a valid FTS5 query into an error."""
    if analysis.is_valid(query):
        match = analysis.to_match(query, [None, "german", "french", "russian", "arabic"])
        assert analysis.is_valid(match), (query, match)


@FAST
@given(query=search_text)
def test_snippets_take_any_query_and_text(query):
    for text, language in (("東京都は新しい予算案を発表した。Lima", "ja"),
                           ("Die Gewerkschaft kündigte einen Streik an.", "de")):
        assert isinstance(analysis.snippet(text, language, query), str)


_DATASETTES: dict[tuple[str, bool], object] = {}


def _datasette(archive, served: bool = False):
    """One Datasette per archive for all of a property test's examples: each instance keeps
    its connections open for the life of the process (Datasette 0.65 has no close), and a
    new one per example left hundreds of descriptors behind."""
    key = (str(archive), served)
    if key not in _DATASETTES:
        if served:
            from archiver.analysis.serve import build_datasette

            _DATASETTES[key] = build_datasette(archive)
        else:
            from datasette.app import Datasette

            _DATASETTES[key] = Datasette([str(archive)], immutables=[])
    return _DATASETTES[key]


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=search_text)
def test_archiver_serve_search_never_answers_500(archive, query):
    """`archiver serve`'s search box and ranked query, with the plugin's rewriting."""
    ds = _datasette(archive, served=True)

    async def get(path: str, params: dict) -> int:
        response = await ds.client.get(path, params=params)
        return response.status_code

    assert asyncio.run(get("/archive/articles.json", {"_search": query, "_shape": "array"})) \
        == 200
    assert asyncio.run(get("/archive/search.json", {"q": query, "site": ""})) < 500


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=search_text)
def test_datasette_search_never_answers_500(archive, query):
    from datasette.app import Datasette

    async def get(ds: Datasette) -> int:
        response = await ds.client.get("/archive/articles.json",
                                       params={"_search": query, "_shape": "array"})
        return response.status_code

    assert asyncio.run(get(_datasette(archive))) < 500


def test_datasette_search_finds_hostile_text_verbatim(archive):
    from datasette.app import Datasette

    async def get(query: str) -> list[dict]:
        ds = Datasette([str(archive)], immutables=[])
        response = await ds.client.get("/archive/articles.json",
                                       params={"_search": query, "_shape": "array"})
        assert response.status_code == 200
        return response.json()

    assert [r["url"] for r in asyncio.run(get("lima"))] == ["https://a.test/2"]
    assert [r["title"] for r in asyncio.run(get("DROP TABLE"))] == [pages.SQL_TITLE]
    assert [r["url"] for r in asyncio.run(get('NEAR( "'))] == ["https://a.test/1"]
