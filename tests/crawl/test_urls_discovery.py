"""URL normalisation and feed / sitemap / robots.txt parsing (pure functions)."""

from __future__ import annotations

import gzip

from archiver.crawl.discovery import parse_feed, parse_sitemap, robots_sitemaps
from archiver.extract.urls import is_front_page, normalize, on_domains

from ..support import SEED_SITE


def test_normalize_drops_tracking_fragment_and_trailing_slash():
    base = "https://news.example.org/2023/02/story"
    for variant in [base, base + "/", base + "?utm_source=x&utm_medium=y", base + "#comments",
                    base + "?fbclid=abc", base + "?gclid=1", "HTTPS://News.Example.org/2023/02/story"]:
        assert normalize(variant) == base, variant
    assert normalize("https://a.org/s?id=2&b=1") == "https://a.org/s?b=1&id=2"
    assert normalize("/x", base="https://a.org/y/z") == "https://a.org/x"


def test_normalize_refuses_non_http():
    for bad in ["javascript:alert(1)", "mailto:a@b.c", "file:///etc/passwd", "data:text/html,x",
                "", "   ", "http://"]:
        assert normalize(bad) is None, bad


def test_domains_and_front_page():
    assert on_domains("https://www.example.org/a", ("example.org",))
    assert not on_domains("https://badexample.org/a", ("example.org",))
    assert is_front_page("https://a.org/") and is_front_page("https://a.org/index.html")
    assert not is_front_page("https://a.org/news/x")


def test_rss_feed_of_the_seed_site():
    entries = parse_feed((SEED_SITE / "rss.xml").read_bytes(), "http://news.example.test/rss.xml")
    assert len(entries) == 4
    assert entries[0].url.endswith("/peru-international-solidarity-urgently-needed")
    assert entries[0].title.startswith("Peru")
    assert entries[0].published == "Mon, 06 Feb 2023 09:30:00 +0000"


def test_atom_feed_relative_links_and_bad_items():
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
      <entry><title>A</title><link rel="alternate" href="/a/1"/><published>2023-01-01</published>
      </entry><entry><title>No link</title></entry>
      <entry><link rel="self" href="/self"/><link href="  /a/2  "/></entry></feed>"""
    entries = parse_feed(atom, "https://x.org/feed.atom")
    assert [e.url for e in entries] == ["https://x.org/a/1", "https://x.org/a/2"]


def test_broken_feeds_give_no_entries_not_errors():
    for body in [b"", b"<html>not a feed</html>", b"<rss><channel><item><link>",
                 b"\x00\xff\xfe garbage", b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                 b"<rss><channel><item><link>&e;</link></item></channel></rss>"]:
        assert parse_feed(body, "https://x.org/feed") == [], body
    # An external entity is never fetched: the item keeps its link, and nothing of the file.
    xxe = (b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><rss><channel><item>'
           b"<link>https://x.org/a&e;</link><title>T&e;</title></item></channel></rss>")
    (entry,) = parse_feed(xxe, "https://x.org/feed")
    assert entry.url == "https://x.org/a"
    assert entry.title in (None, "T")


def test_news_sitemap_and_index_and_gzip():
    sitemap = parse_sitemap((SEED_SITE / "sitemap.xml").read_bytes(),
                            "http://news.example.test/sitemap.xml")
    assert not sitemap.is_index and len(sitemap.entries) == 4
    newest = sitemap.entries[0]
    assert newest.url.endswith("/library-opening-hours-extended-after-campaign")
    assert newest.language == "en" and newest.title.startswith("Library")
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <sitemap><loc>https://x.org/s1.xml.gz</loc></sitemap></sitemapindex>"""
    parsed = parse_sitemap(index, "https://x.org/sitemap.xml")
    assert parsed.is_index and parsed.entries[0].url == "https://x.org/s1.xml.gz"
    assert parse_sitemap(gzip.compress(index), "https://x.org/s") is None  # caller gunzips
    assert parse_sitemap(b"<html/>", "https://x.org/s") is None


def test_robots_sitemap_lines():
    text = (SEED_SITE / "robots.txt").read_text()
    assert robots_sitemaps(text, "http://news.example.test/robots.txt") == [
        "http://news.example.test/sitemap.xml"]
    assert robots_sitemaps("sitemap: /s.xml\nDisallow: /x", "https://a.org/robots.txt") == [
        "https://a.org/s.xml"]


def test_links_urllib_cannot_parse_are_skipped_one_by_one():
    feed = (b"<rss><channel><item><link>a://[</link></item>"
            b"<item><link>https://x.org/good</link></item></channel></rss>")
    assert [e.url for e in parse_feed(feed, "https://x.org/f")] == ["https://x.org/good"]
    sitemap = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               b"<url><loc>http://[::1</loc></url><url><loc>https://x.org/a</loc></url></urlset>")
    assert [e.url for e in parse_sitemap(sitemap, "https://x.org/s").entries] == [
        "https://x.org/a"]
    assert robots_sitemaps("Sitemap: http://[\nSitemap: /s.xml", "https://x.org/robots.txt") == [
        "https://x.org/s.xml"]


def test_feeds_and_sitemaps_say_when_a_page_last_changed():
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry>
        <link href="https://x.org/a"/><published>2024-01-01T08:00:00Z</published>
        <updated>2024-01-02T09:30:00Z</updated></entry></feed>"""
    rss = b"""<rss xmlns:atom="http://www.w3.org/2005/Atom"
        xmlns:dc="http://purl.org/dc/terms/"><channel>
        <item><link>https://x.org/b</link><pubDate>Mon, 01 Jan 2024 08:00:00 GMT</pubDate>
          <atom:updated>2024-01-03T10:00:00Z</atom:updated></item>
        <item><link>https://x.org/c</link><dc:modified>2024-01-04</dc:modified></item>
        <item><link>https://x.org/d</link></item></channel></rss>"""
    assert [e.modified for e in parse_feed(atom, "https://x.org/feed")] == [
        "2024-01-02T09:30:00Z"]
    assert [(e.url, e.modified) for e in parse_feed(rss, "https://x.org/feed")] == [
        ("https://x.org/b", "2024-01-03T10:00:00Z"), ("https://x.org/c", "2024-01-04"),
        ("https://x.org/d", None)]
    sitemap = parse_sitemap(b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <url><loc>https://x.org/e</loc><lastmod>2024-01-05T11:00:00+01:00</lastmod></url>
        <url><loc>https://x.org/f</loc></url></urlset>""", "https://x.org/sitemap.xml")
    assert {e.url: e.modified for e in sitemap.entries} == {
        "https://x.org/e": "2024-01-05T11:00:00+01:00", "https://x.org/f": None}
