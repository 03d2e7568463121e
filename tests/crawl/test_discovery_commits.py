"""The spider writes a page's discovered URLs to the frontier in one commit, before Scrapy
gets any of their requests (a commit per URL was a third of a crawl's commits; bench/ row 1).

The spider's callbacks are called directly on real Scrapy responses (no reactor, no network):
what is measured is the archive's own SQLite file, through a second connection.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.test import get_crawler

from archiver.crawl.spider import NewsSpider
from archiver.store.archive import Store

ORIGIN = "http://127.0.0.1:8999"


def sitemap(n: int) -> bytes:
    urls = "".join(f"<url><loc>{ORIGIN}/news/story-{i}</loc></url>" for i in range(n))
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
            f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>').encode()


@pytest.fixture
def spider(tmp_path: Path):
    config = tmp_path / "sites.toml"
    config.write_text(f"""
[sites.s]
domains = ["127.0.0.1"]
sitemaps = ["{ORIGIN}/sitemap.xml"]
start_urls = ["{ORIGIN}/"]
follow_depth = 1
max_pages = 40
""", encoding="utf-8")
    db = tmp_path / "archive.db"
    Store(db).close()
    crawler = get_crawler(NewsSpider, {"ARCHIVE_CONFIG": str(config), "ARCHIVE_DB": str(db)})
    spider = NewsSpider.from_crawler(crawler, site="s")
    spider.crawler = crawler
    commits: list[str] = []
    spider.crawl_state.store.conn.set_trace_callback(
        lambda sql: commits.append(sql) if sql.strip().upper() == "COMMIT" else None)
    yield spider, db, commits
    spider.closed("finished")


def frontier(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {url for (url,) in conn.execute("SELECT url FROM frontier")}


def test_a_sitemaps_urls_reach_the_frontier_in_one_commit_before_any_request(spider):
    spider, db, commits = spider
    request = Request(f"{ORIGIN}/sitemap.xml", meta={"role": "sitemap", "sitemap_depth": 0})
    response = XmlResponse(request.url, body=sitemap(60), request=request)
    requests = spider.parse_sitemap(response)
    first = next(requests)
    assert len(frontier(db)) == 60  # all of them, committed before the first request
    rest = list(requests)
    assert len(commits) == 1
    assert [first.url, *(r.url for r in rest)] == [f"{ORIGIN}/news/story-{i}"
                                                   for i in range(40)]  # the page budget
    assert {r.url for r in [first, *rest]} <= frontier(db)


def test_a_listings_links_reach_the_frontier_in_one_commit(spider):
    spider, db, commits = spider
    links = "".join(f'<a href="/news/story-{i}">Story {i}</a>' for i in range(25))
    request = Request(f"{ORIGIN}/", meta={"role": "start", "hops": 0,
                                          "archive_url": f"{ORIGIN}/"})
    response = HtmlResponse(f"{ORIGIN}/", body=f"<html><body>{links}</body></html>".encode(),
                            encoding="utf-8", request=request)
    requests = list(spider.parse_listing(response))
    assert len(requests) == 25
    assert frontier(db) == {r.url for r in requests}
    assert len(commits) == 1


def test_an_article_reached_from_a_sitemap_commits_nothing_for_discovery(spider):
    spider, db, commits = spider
    request = Request(f"{ORIGIN}/news/story-1", meta={"role": "page", "hops": None,
                                                      "archive_url": f"{ORIGIN}/news/story-1"})
    body = b'<html><body><p>Story.</p><a href="/news/story-2">next</a></body></html>'
    response = HtmlResponse(request.url, body=body, encoding="utf-8", request=request)
    out = list(spider.parse_page(response))
    assert [type(o).__name__ for o in out] == ["RawPage"]
    assert commits == []
