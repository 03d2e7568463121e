"""Search in every language the archive holds (issue 21), on an eleven-language site crawled
end to end: `archiver search`, Datasette's search and the README's plain SQL."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from pathlib import Path

import pytest

from archiver.analysis.serve import build_datasette
from archiver.demo.siteserver import FIXTURE_ORIGIN, SiteServer
from archiver.store import migrations
from archiver.store.archive import Store
from archiver.store.lean_imports import Database

from ..multilingual_site import STORIES, Story, generate_site, story_path
from ..support import run_archiver, write_config

pytestmark = pytest.mark.slow
README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
#: The site's default min_words (40): CJK words are counted by script since the article
#: decision's classifier (archiver/extract/classify.py), and the CJK pages are long enough for it.
SITE_EXTRA = 'allow = ["/news/"]'


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Path:
    """The eleven-language site, crawled by a real `archiver crawl` over loopback."""
    root = tmp_path_factory.mktemp("multilingual")
    generate_site(root / "site")
    db = root / "archive.db"
    with SiteServer(root / "site") as server:
        config = write_config(root / "sites.toml", server, name="world",
                              sitemaps=["/sitemap.xml"], extra=SITE_EXTRA)
        result = run_archiver("crawl", "--config", str(config), "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    return db


def url_of(db: Path, story: Story) -> str:
    """The story's URL as the archive holds it (the server rewrote the fixture origin)."""
    with sqlite3.connect(db) as conn:
        (url,) = conn.execute("SELECT url FROM articles WHERE url LIKE ?",
                              (f"%{story_path(story)}",)).fetchone()
    return url


def cli_search(db: Path, query: str, *extra: str) -> list[dict]:
    result = run_archiver("search", "--db", str(db), "--format", "json", *extra, query)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def print_match(db: Path, query: str) -> str:
    result = run_archiver("search", "--db", str(db), "--print-match", query)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def readme_sql() -> str:
    """The README's plain-SQL ranked search, its MATCH literal made a parameter."""
    block = README.split("## Example queries", 1)[1]
    sql = re.search(r'sqlite3 archive\.db "(SELECT a\.title.*?LIMIT 10)"', block, re.S).group(1)
    return re.sub(r"MATCH '[^']*'", "MATCH ?", sql).replace("SELECT a.title,",
                                                             "SELECT a.url, a.title,", 1)


def test_every_story_is_archived_in_its_language(crawled):
    with sqlite3.connect(crawled) as conn:
        rows = dict(conn.execute("SELECT url, language FROM articles"))
    assert len(rows) == len(STORIES)
    for story in STORIES:
        assert rows[url_of(crawled, story)] == story.lang


@pytest.mark.parametrize("story", STORIES, ids=[s.lang for s in STORIES])
def test_archiver_search_finds_each_story_by_another_form_of_its_word(crawled, story):
    want = [url_of(crawled, story)]
    for query in {story.written, *story.queries}:
        assert [h["url"] for h in cli_search(crawled, query)] == want, query
    assert cli_search(crawled, story.absent) == []


@pytest.mark.parametrize("story", STORIES, ids=[s.lang for s in STORIES])
def test_datasette_search_box_finds_each_story(crawled, story):
    ds = build_datasette(crawled)
    asyncio.run(ds.invoke_startup())

    def search(query: str) -> list[str]:
        response = asyncio.run(ds.client.get(
            f"/{crawled.stem}/articles.json", params={"_search": query, "_shape": "objects"}))
        assert response.status_code == 200, response.text[:500]
        return [row["url"] for row in response.json()["rows"]]

    want = [url_of(crawled, story)]
    for query in {story.written, *story.queries}:
        assert search(query) == want, query
    assert search(story.absent) == []


@pytest.mark.parametrize("story", STORIES, ids=[s.lang for s in STORIES])
def test_plain_sql_of_the_readme_finds_each_story(crawled, story):
    """No archiver code in the connection: `--print-match` once, then SQLite alone."""
    sql = readme_sql()
    conn = sqlite3.connect(f"file:{crawled}?mode=ro", uri=True)
    want = [url_of(crawled, story)]
    for query in {story.written, *story.queries}:
        match = print_match(crawled, query)
        assert [row[0] for row in conn.execute(sql, (match,))] == want, (query, match)
    assert conn.execute(sql, (print_match(crawled, story.absent),)).fetchall() == []


def test_the_readme_hand_typed_forms_work_in_plain_sql(crawled):
    """What the README tells a sqlite3 user to type: the stem or a prefix, CJK in pairs."""
    conn = sqlite3.connect(f"file:{crawled}?mode=ro", uri=True)
    sql = readme_sql()
    by_lang = {s.lang: url_of(crawled, s) for s in STORIES}
    typed = {"negotiating": "en", "gewerkschaft": "de", "забастовк*": "ru", "予算": "ja",
             '"博物 物馆"': "zh", "경제": "ko"}
    for match, lang in typed.items():
        assert f"`{match}`" in README, match
        assert [row[0] for row in conn.execute(sql, (match,))] == [by_lang[lang]], match
    assert conn.execute(sql, ("博物馆",)).fetchall() == []  # three characters: in pairs


def test_snippets_show_the_original_words_highlighted(crawled):
    de = cli_search(crawled, "Gewerkschaften")[0]["snippet"]
    assert "Die [Gewerkschaft] kündigte" in de  # the original word, not the stem "kundigt"
    ja = cli_search(crawled, "予算")[0]["snippet"]
    assert "新しい[予算]案を発表した" in ja
    zh = cli_search(crawled, "博物馆 AND 经济")[0]["snippet"]
    assert "[博物馆]" in zh and "[经济]" in zh and "博物 物馆" not in zh
    ko = cli_search(crawled, "박물관")[0]["snippet"]
    assert "새 [박물관]이" in ko
    fr = cli_search(crawled, "title:grèves")[0]
    assert fr["title"].startswith("La grève")


def test_phrases_prefixes_operators_and_column_filters_in_every_script(crawled):
    urls = {s.lang: url_of(crawled, s) for s in STORIES}

    def found(query: str) -> set[str]:
        return {h["url"] for h in cli_search(crawled, query)}

    assert found('"Die Gewerkschaften kündigten"') == {urls["de"]}  # a phrase, inflected
    assert found('"予算案を発表"') == {urls["ja"]}
    assert found("Gewerk*") == {urls["de"]}
    assert found("забастовк*") == {urls["ru"]}
    assert found("予算 OR 经济 OR grèves") == {urls["ja"], urls["zh"], urls["fr"]}
    assert found("博物馆 NOT 경제") == {urls["zh"]}
    assert found("博物馆 AND 박물관") == set()
    assert found("title: 予算") == {urls["ja"]}
    assert found("text: Nahverkehr") == set()  # in the German title only
    assert found("title: Nahverkehr") == {urls["de"]}
    assert found("NEAR(Gewerkschaften Streik, 30)") == {urls["de"]}


def test_datasette_ranked_search_query_highlights_cjk_and_stems(crawled):
    ds = build_datasette(crawled)
    asyncio.run(ds.invoke_startup())

    def rows(q: str) -> list[dict]:
        response = asyncio.run(ds.client.get(f"/{crawled.stem}/search.json",
                                             params={"q": q, "site": "", "_shape": "objects"}))
        assert response.status_code == 200, response.text[:500]
        return response.json()["rows"]

    (ja,) = rows("予算")
    assert "<mark>予算</mark>案" in ja["snippet"]
    (de,) = rows("Gewerkschaften")
    assert "<mark>Gewerkschaft</mark> kündigte" in de["snippet"]
    bad = asyncio.run(ds.client.get(f"/{crawled.stem}/search",
                                    params={"q": "予算 \"", "site": ""}))
    assert bad.status_code == 400 and "Traceback" not in bad.text  # an error message
    box = asyncio.run(ds.client.get(f"/{crawled.stem}/articles.json",
                                    params={"_search": "予算 \"", "_shape": "objects"}))
    japanese = next(s for s in STORIES if s.lang == "ja")
    assert [r["url"] for r in box.json()["rows"]] == [url_of(crawled, japanese)]  # words


def test_a_previous_schema_archive_is_migrated_once_and_searchable(tmp_path, crawled):
    """An archive of the schema before m980 (its FTS index as written), rebuilt in place."""
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)
    migrations.migrations.apply(Database(conn), stop_before="m980_multilingual_search")
    with sqlite3.connect(crawled) as src:
        columns = [r[1] for r in src.execute("PRAGMA table_info(articles)")]
        rows = src.execute(f"SELECT {', '.join(columns)} FROM articles ORDER BY id").fetchall()
    names = [c for c in columns if c in
             {r[1] for r in conn.execute("PRAGMA table_info(articles)")}]
    marks = ", ".join("?" for _ in names)
    conn.executemany(f"INSERT INTO articles ({', '.join(names)}) VALUES ({marks})",
                     [tuple(dict(zip(columns, r, strict=True))[n] for n in names) for r in rows])
    conn.commit()
    before = conn.execute("SELECT * FROM articles ORDER BY id").fetchall()
    assert conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '予算'"
                        ).fetchone() == (0,)  # the bug: the old index cannot find it
    conn.close()

    result = run_archiver("optimize", "--db", str(old))
    assert result.returncode == 0, result.stderr
    progress = [ln for ln in result.stderr.replace("\r", "\n").splitlines() if "re-index" in ln]
    assert progress and f"{len(rows)}/{len(rows)} articles" in progress[-1]
    again = run_archiver("optimize", "--db", str(old))
    assert "re-index" not in again.stderr  # once

    conn = sqlite3.connect(old)
    assert conn.execute("SELECT * FROM articles ORDER BY id").fetchall() == before  # lost nothing
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
    conn.close()
    for story in STORIES:
        want = [url_of(old, story)]
        for query in {story.written, *story.queries}:
            assert [h["url"] for h in cli_search(old, query)] == want, query
        assert cli_search(old, story.absent) == []


def test_index_follows_every_write_and_sqlite3_writers_keep_it_sound(tmp_path, crawled):
    """Updates and deletes through archiver and through plain sqlite3 keep the index right."""
    db = tmp_path / "copy.db"
    with sqlite3.connect(crawled) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    de = url_of(db, next(s for s in STORIES if s.lang == "de"))
    ja = url_of(db, next(s for s in STORIES if s.lang == "ja"))
    with Store(db) as store:
        with store.transaction():
            store.conn.execute("UPDATE articles SET text = 'Die Bergleute streikten.' "
                               "WHERE url = ?", (de,))
        assert [h.url for h in store.search("Bergleuten")] == [de]
        assert [h.url for h in store.search("Gewerkschaften")] == [de]  # still in its title
        assert store.search("kündigten") == []
    plain = sqlite3.connect(db)  # no archiver code: its write is indexed as written
    plain.execute("UPDATE articles SET text = text || ' 火山' WHERE url = ?", (ja,))
    plain.execute("DELETE FROM articles WHERE url = ?", (de,))
    plain.commit()
    plain.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
    plain.close()
    with Store(db) as store:
        assert store.search("Bergleuten") == []
        assert store.conn.execute("SELECT count(*) FROM search_forms WHERE id NOT IN "
                                  "(SELECT id FROM articles)").fetchone() == (0,)
        assert store.search("予算") == []  # its forms went with the plain write, until ...
        store.optimize_search_index()  # ... `archiver optimize` (or archiver's next write)
        assert [h.url for h in store.search("予算")] == [ja]
        assert [h.url for h in store.search("火山")] == [ja]
        with store.transaction():
            store.conn.execute("UPDATE articles SET language = 'en' WHERE url = ?", (ja,))
        assert [h.url for h in store.search("予算")] == [ja]  # bigrams whatever the language
        store.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")


def test_lang_option_stems_the_query_in_one_language(crawled):
    de = url_of(crawled, next(s for s in STORIES if s.lang == "de"))
    assert [h["url"] for h in cli_search(crawled, "Gewerkschaften", "--lang", "de")] == [de]
    assert cli_search(crawled, "Gewerkschaften", "--lang", "en") == []
    assert FIXTURE_ORIGIN not in de
