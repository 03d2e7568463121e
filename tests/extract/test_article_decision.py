"""The article decision: every real article in, non-articles out, in any script and markup.

Real crawls of fixture sites written for these tests (tests/decision_sites.py) on 127.0.0.1,
into real archives, plus the decision's parts as library calls.
"""

from __future__ import annotations

import json

import pytest

from archiver.config import ConfigError, load_config
from archiver.demo.siteserver import SiteServer
from archiver.extract.classify import count_words, shipped_model
from archiver.extract.page import Hints, analyse

from ..decision_sites import (
    non_article_paths,
    plain_story_paths,
    write_plain_cms_site,
    write_unspaced_site,
)
from ..support import query, run_archiver, write_config

pytestmark = pytest.mark.slow


def test_word_counts_are_meaningful_in_every_script():
    assert count_words("The council met on Tuesday.") == 5
    japanese = "東京都は二日、新年度の一般会計予算案を発表した。"
    assert count_words(japanese) == sum(1 for c in japanese if c not in "、。")
    assert count_words("人民日报报道了经济增长的消息") == 14
    assert count_words("ชาวนาภาคอีสาน") == 4  # 13 Thai characters, four to a word
    assert count_words("Sony は新しい ゲーム機を発表") == 1 + 11  # a Latin word and 11 kana/kanji
    assert count_words("한국 정부는 오늘 새로운 예산안을 발표했다") == 6  # Hangul is spaced
    assert count_words("") == 0


def test_unspaced_script_site_every_article_archived_and_searchable(tmp_path):
    root = tmp_path / "site"
    stories = write_unspaced_site(root)
    with SiteServer(root) as server:
        config = write_config(tmp_path / "sites.toml", server, name="asia",
                              sitemaps=["/sitemap.xml"], start_urls=["/"], drop=())
        db = tmp_path / "archive.db"
        result = run_archiver("crawl", "--config", str(config), "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {r["url"].removeprefix(server.origin): r
            for r in query(db, "SELECT url, title, language, word_count, text FROM articles")}
    assert set(rows) == {path for _, path, *_ in stories}, result.stdout
    for lang, path, title, _day, paras, _markup in stories:
        row = rows[path]
        assert row["title"] == title and row["language"] == lang
        # every Han/kana character a word; Thai four characters to a word
        assert row["word_count"] == count_words("\n".join(paras))
        assert row["word_count"] >= (60 if lang == "th" else 150)
        found = run_archiver("search", title, "--db", str(db), "--format", "json")
        assert found.returncode == 0, found.stderr
        assert path in {h["url"].removeprefix(server.origin) for h in json.loads(found.stdout)}


def test_plain_cms_site_stories_archived_and_its_index_pages_not(tmp_path):
    root = tmp_path / "site"
    write_plain_cms_site(root)
    with SiteServer(root) as server:
        config = write_config(tmp_path / "sites.toml", server, name="courier",
                              start_urls=["/"], drop=())
        db = tmp_path / "archive.db"
        result = run_archiver("crawl", "--config", str(config), "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    stored = {r["url"].removeprefix(server.origin): r
              for r in query(db, "SELECT url, title, author, published, text FROM articles")}
    assert set(stored) == set(plain_story_paths()), result.stdout
    for path in non_article_paths():
        assert path not in stored
    library = stored["/2024/council-approves-new-library"]
    assert library["title"] == "Council approves plans for a new central library"
    assert "branch libraries" in library["text"]
    # the soft 404 is skipped under its own reason, and recorded with its score
    assert "soft_404 1" in result.stdout
    skipped = {r["url"].removeprefix(server.origin): r
               for r in query(db, "SELECT url, reason, score, run_id FROM skipped_pages")}
    assert skipped["/2024/lost-story"]["reason"] == "soft_404"
    assert skipped["/2024/lost-story"]["score"] is not None
    assert skipped["/2024/lost-story"]["run_id"] is not None
    for path in ("/section/local", "/section/sport", "/tag/council", "/authors/maria-okafor",
                 "/shop/trail-boots-pro"):
        assert path in skipped and skipped[path]["score"] is not None, path


def test_a_story_with_a_product_widget_archives_and_a_product_page_does_not(tmp_path):
    write_plain_cms_site(tmp_path)
    story = analyse((tmp_path / "2024/best-walking-boots-tested.html").read_bytes(),
                    "http://courier.test/2024/best-walking-boots-tested")
    assert story.article is not None, (story.reason, story.score)
    product = analyse((tmp_path / "shop/trail-boots-pro.html").read_bytes(),
                      "http://courier.test/shop/trail-boots-pro")
    assert product.article is None and product.reason == "listing_page"
    assert product.score is not None and product.score < story.score


def test_a_soft_404_is_skipped_with_its_reason(tmp_path):
    write_plain_cms_site(tmp_path)
    result = analyse((tmp_path / "2024/lost-story.html").read_bytes(),
                     "http://courier.test/2024/lost-story")
    assert result.article is None and result.reason == "soft_404"
    # a long story that merely mentions a missing page is still a story
    body = ("<html><head><title>Why the council's website keeps saying page not found</title>"
            "</head><body><h1>Why the council's website keeps saying page not found</h1>"
            + "".join(f"<p>Residents trying to pay their council tax online have met an error "
                      f"page for {n} weeks in a row, and on day {n * 7} the council again said a "
                      f"supplier's update number {n} was to blame.</p>" for n in range(2, 12))
            + "</body></html>").encode()
    assert analyse(body, "http://courier.test/2024/council-website-errors").article is not None


def test_discovery_evidence_raises_the_score():
    page = ("<html><head><title>Harbour works</title></head><body><div>"
            + "<p>The harbour works went on through the night as crews poured concrete.</p>" * 4
            + "</div></body></html>").encode()
    url = "http://x.test/item/9"
    plain = analyse(page, url)
    fed = analyse(page, url, hints=Hints(via="news_sitemap"))
    allowed = analyse(page, url, allowed=True)
    assert plain.score < fed.score and plain.score < allowed.score


def test_site_overrides_force_or_raise_the_decision(tmp_path):
    listing = ("<html><head><title>Local</title></head><body>" + "".join(
        f'<div><h3><a href="/2024/s{i}">Story number {i} about the council budget</a></h3>'
        f"<p>Short teaser {i} for the story.</p></div>" for i in range(30))
        + "</body></html>").encode()
    url = "http://x.test/section/local"
    assert analyse(listing, url).article is None
    assert analyse(listing, url, force_article=True).article is not None
    empty = analyse(b"", url)  # decided before the classifier: no score
    assert empty.score is None and empty.reason == "empty_body"
    write_plain_cms_site(tmp_path)
    good = (tmp_path / "2024/bakery-marks-hundred-years.html").read_bytes()
    taken = analyse(good, "http://courier.test/2024/bakery-marks-hundred-years")
    assert taken.article is not None
    refused = analyse(good, "http://courier.test/2024/bakery-marks-hundred-years",
                      threshold=min(0.999999, taken.score + (1 - taken.score) / 2))
    assert refused.article is None and refused.score == pytest.approx(taken.score)


def test_site_decision_keys_are_validated(tmp_path):
    base = """
[sites.a]
domains = ["a.test"]
start_urls = ["http://a.test/"]
"""
    path = tmp_path / "sites.toml"
    path.write_text(base + 'allow = ["/news/"]\narticles = "allow"\narticle_threshold = 0.3\n')
    site = load_config(path).sites["a"]
    assert site.articles == "allow" and site.article_threshold == 0.3
    for extra, message in (('articles = "always"', "key 'articles'"),
                           ('articles = "allow"', "needs 'allow' patterns"),
                           ("article_threshold = 1.5", "key 'article_threshold'"),
                           ('article_threshold = "high"', "article_threshold")):
        path.write_text(base + extra + "\n")
        with pytest.raises(ConfigError, match=message):
            load_config(path)


def test_articles_allow_takes_every_allowed_page_in_a_crawl(tmp_path):
    root = tmp_path / "site"
    write_plain_cms_site(root)
    with SiteServer(root) as server:
        config = write_config(tmp_path / "sites.toml", server, name="courier",
                              start_urls=["/"], drop=(),
                              extra='allow = ["/section/"]\narticles = "allow"\nmin_words = 20')
        db = tmp_path / "archive.db"
        result = run_archiver("crawl", "--config", str(config), "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    stored = {r["url"].removeprefix(server.origin)
              for r in query(db, "SELECT url FROM articles")}
    assert {"/section/local", "/section/sport"} <= stored


def test_the_shipped_model_is_well_formed():
    model = shipped_model()
    assert len(model.names) == len(model.weights) == len(model.mean) == len(model.scale)
    assert 0 < model.threshold < 1
    assert model.info.get("validation", {}).get("folds") == "by site"


def test_a_marked_up_paywalled_teaser_is_kept_however_short():
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                     "headline": "Port strike talks resume", "isAccessibleForFree": False,
                     "datePublished": "2024-05-01T08:00:00Z"})
    page = (f'<html><head><title>Port strike talks resume</title><script type="application/'
            f'ld+json">{ld}</script></head><body><article><h1>Port strike talks resume</h1>'
            "<p>Talks between the dock workers' union and the port operator resumed on "
            "Wednesday.</p><p>Subscribe to continue reading.</p></article></body></html>").encode()
    result = analyse(page, "http://x.test/2024/05/01/port-strike-talks")
    assert result.article is not None and result.article.paywalled
    free = page.replace(b'"isAccessibleForFree": false', b'"isAccessibleForFree": true')
    free = free.replace(b"Subscribe to continue reading.", b"")
    assert analyse(free, "http://x.test/2024/05/01/port-strike-talks").reason == "too_short"
