"""Extraction of single pages, as a library call and through `archiver extract`."""

from __future__ import annotations

import json

import pytest

from archiver.config import selector_to_xpath
from archiver.extract.page import Hints, analyse, decode, extract, iso_datetime

from ..support import SEED_DROP, SEED_SITE, run_archiver, seed_expected, write_config

ORIGIN = "http://news.example.test"
PAGES = sorted(seed_expected()["pages"])


def page_file(path: str):
    return SEED_SITE / (path.lstrip("/") + ".html")


@pytest.mark.parametrize("path", PAGES)
def test_seed_pages_extract_with_site_rules(path):
    want = seed_expected()["pages"][path]
    drop = tuple(selector_to_xpath(s) for s in SEED_DROP)
    article = extract(page_file(path).read_bytes(), ORIGIN + path, drop_xpath=drop,
                      domains=("news.example.test",))
    assert article is not None
    assert article.title == want["title"]
    assert article.published.startswith(want["date"])
    assert article.language == want["language"]
    if want["author"]:
        assert article.author == want["author"]
    if want["tags"]:
        assert article.tags == want["tags"]
    for snippet in want["must_contain"]:
        assert snippet in article.text
    for snippet in want["must_not_contain"]:
        assert snippet not in article.text
    assert not article.text.startswith(want["title"])  # the headline is not repeated in text


def test_front_page_is_not_an_article():
    result = analyse((SEED_SITE / "index.html").read_bytes(), ORIGIN + "/")
    assert result.article is None and result.reason == "front_page"
    result = analyse((SEED_SITE / "index.html").read_bytes(), ORIGIN + "/latest")
    assert result.article is None and result.reason in ("no_article_signals", "too_short")


def test_canonical_link_on_same_site_is_identity_offsite_is_not():
    body = page_file("/article/f/rail-workers-announce-new-strike-dates").read_bytes()
    fetched = ORIGIN + "/article/f/rail-workers-announce-new-strike-dates?utm_source=x&page=1"
    same = extract(body, fetched, domains=("news.example.test",))
    assert same.url == ORIGIN + "/article/f/rail-workers-announce-new-strike-dates"
    other = extract(body, "http://mirror.test/copy", domains=("mirror.test",))
    assert other.url == "http://mirror.test/copy"


def test_hints_fill_what_the_page_lacks():
    html = ("<html><body><div><p>" + "A sentence of the story goes here. " * 30
            + "</p></div></body></html>").encode()
    result = analyse(html, "http://x.test/story/1", hints=Hints(
        title="From the feed", published="Mon, 06 Feb 2023 09:30:00 +0000"))
    assert result.article is not None
    assert result.article.title == "From the feed"
    assert result.article.published == "2023-02-06T09:30:00+00:00"
    assert result.article.date_source == "discovery"


@pytest.mark.parametrize("body, reason", [
    (b"", "empty_body"),
    (b"   \n", "empty_body"),
    (b"just some words, no markup at all", "not_html"),
    (b"<html><body><p>Loading...</p></body></html>", "too_short"),
    (b"<html><body><script>app()</script></body></html>", "no_text"),
])
def test_not_articles_say_why(body, reason):
    result = analyse(body, "http://x.test/a/b")
    assert result.article is None and result.reason == reason


def test_decode_respects_header_bom_and_meta():
    text = "crème brûlée – ‘quoted’"
    assert decode(text.encode("cp1252"), "text/html; charset=windows-1252") == text
    assert decode(b"\xef\xbb\xbf" + text.encode(), None) == text
    meta = b'<meta charset="windows-1252"><p>' + text.encode("cp1252")
    assert text in decode(meta, None)


def test_iso_datetime_forms():
    assert iso_datetime("2023-02-06T09:30:00Z") == "2023-02-06T09:30:00+00:00"
    assert iso_datetime("Mon, 06 Feb 2023 09:30:00 +0000") == "2023-02-06T09:30:00+00:00"
    assert iso_datetime("2023-02-06") == "2023-02-06T00:00:00"
    assert iso_datetime("yesterday") is None


def test_extract_cli_on_each_fixture_page_file_and_stdin(tmp_path):
    for path in PAGES:
        result = run_archiver("extract", str(page_file(path)), "--url", ORIGIN + path)
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["title"] == seed_expected()["pages"][path]["title"]
        assert data["url"] == ORIGIN + path
    path = PAGES[0]
    result = run_archiver("extract", "--url", ORIGIN + path, input=page_file(path).read_bytes())
    assert json.loads(result.stdout)["title"] == seed_expected()["pages"][path]["title"]


def test_extract_cli_applies_a_sites_cleaning_rules(seed_server, tmp_path):
    config = write_config(tmp_path / "sites.toml", seed_server, feeds=["/rss.xml"])
    path = "/article/f/peru-international-solidarity-urgently-needed"
    raw = run_archiver("extract", str(page_file(path)), "--url", ORIGIN + path)
    assert "OWNED BY OUR READERS" in json.loads(raw.stdout)["text"]  # trafilatura alone leaks
    clean = run_archiver("extract", str(page_file(path)), "--url", ORIGIN + path,
                         "--config", str(config), "--site", "seed")
    assert "OWNED BY OUR READERS" not in json.loads(clean.stdout)["text"]


def test_extract_cli_on_a_non_article_prints_the_reason(tmp_path):
    result = run_archiver("extract", str(SEED_SITE / "index.html"), "--url", ORIGIN + "/")
    assert result.returncode == 1
    assert json.loads(result.stdout) == {"article": None, "reason": "front_page"}


def test_a_page_the_default_mode_finds_nothing_on_still_gives_its_text():
    """trafilatura's default run can return nothing where its recall mode finds the story;
    the page must not be lost as "no_text"."""
    from archiver.extract.page import analyse

    para = ("The river rose two metres overnight and the town council opened the school hall "
            "for families who had to leave their homes near the old bridge. ")
    page = ('<html><head><title>Flood</title><meta property="og:type" content="article">'
            '<meta property="article:published_time" content="2024-05-01"></head><body>'
            + "".join(f'<div class="sidebar-widget"><div><div>{para * 2}</div></div></div>'
                      for _ in range(3)) + "</body></html>")
    result = analyse(page.encode(), "https://news.example.org/2024/05/flood-story")
    assert result.reason != "no_text"
    assert "river rose two metres" in (result.article or result.candidate).text
