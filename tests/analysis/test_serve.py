"""`archiver serve`: Datasette over the demo archive, read-only, with the bundled metadata."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from archiver.analysis.serve import ServeError, build_datasette, build_metadata

from ..support import RUN_TABLES, run_archiver

pytestmark = pytest.mark.slow
PERU = "/article/f/peru-international-solidarity-urgently-needed"


def copy_archive(demo_archive: Path, tmp_path: Path) -> Path:
    db = tmp_path / "archive.db"
    shutil.copy(demo_archive, db)
    return db


class Client:
    """Datasette's in-process client, run synchronously."""

    def __init__(self, db: Path) -> None:
        self.ds = build_datasette(db)
        asyncio.run(self.ds.invoke_startup())

    def get(self, path: str):
        return asyncio.run(self.ds.client.get(path))

    def json(self, path: str):
        response = self.get(path)
        assert response.status_code == 200, response.text[:2000]
        return response.json()


@pytest.fixture
def archive(demo_archive, tmp_path) -> Path:
    return copy_archive(demo_archive, tmp_path)


@pytest.fixture
def client(archive) -> Client:
    return Client(archive)


def test_articles_table_is_newest_first_with_bundled_facets(client, archive):
    data = client.json("/archive/articles.json?_shape=objects&_extra=facet_results")
    published = [row["published"] for row in data["rows"]]
    assert published == sorted(published, reverse=True)
    conn = sqlite3.connect(archive)
    assert published[0] == conn.execute("SELECT max(published) FROM articles").fetchone()[0]
    facets = data["facet_results"]
    assert {"site", "language", "tags", "published"} <= set(facets)
    assert facets["published"]["type"] == "month"
    months = {r["value"]: r["count"] for r in facets["published"]["results"]}
    expected = dict(conn.execute("SELECT substr(published, 1, 7), count(*) FROM articles "
                                 "GROUP BY 1").fetchall())
    assert months == expected
    tags = {r["value"]: r["count"] for r in facets["tags"]["results"]}
    assert tags["Unions"] == conn.execute(
        "SELECT count(*) FROM articles, json_each(tags) WHERE json_each.value = 'Unions'"
    ).fetchone()[0]
    languages = {r["value"] for r in facets["language"]["results"]}
    assert {"en", "es"} <= languages


def test_month_facet_selection_filters_to_that_month(client, archive):
    data = client.json("/archive/articles.json?_shape=objects&published__startswith=2023-02"
                       "&_size=max")
    conn = sqlite3.connect(archive)
    want = conn.execute("SELECT count(*) FROM articles WHERE published LIKE '2023-02%'")
    assert len(data["rows"]) == want.fetchone()[0] > 0
    assert all(row["published"].startswith("2023-02") for row in data["rows"])


def test_title_description_and_column_descriptions_are_shown(client):
    index = client.get("/").text
    assert "News archive" in index
    table = client.get("/archive/articles").text
    assert "One row per article URL" in table
    assert "The cleaned article text" in table  # a column description


def test_search_box_finds_the_seed_article_and_url_is_a_link(client):
    page = client.get("/archive/articles?_search=peru").text
    assert 'name="_search"' in page
    link = re.search(r'<a href="(http://127\.0\.0\.1:\d+' + PERU + r')">', page)
    assert link, "the url column is rendered as a link"
    assert "Peru – international solidarity urgently needed!" in page


def test_long_text_is_truncated_in_the_table_and_whole_on_the_row_page(client, archive):
    conn = sqlite3.connect(archive)
    row_id, text = conn.execute("SELECT id, text FROM articles WHERE url LIKE ?",
                                (f"%{PERU}",)).fetchone()
    assert len(text) > 1000
    table = client.get("/archive/articles?_search=peru").text
    assert text[:200].split("\n")[0][:100] in table
    assert text[-200:].split("\n")[-1][-80:] not in table
    row = client.get(f"/archive/articles/{row_id}").text
    assert text[-200:].split("\n")[-1][-80:] in row


def test_article_text_is_escaped_never_rendered_as_html(archive):
    conn = sqlite3.connect(archive)
    conn.execute("UPDATE articles SET text = ? || text WHERE id = 1",
                 ("<script>alert('x')</script><b>bold</b><mark>m</mark>\n",))
    conn.commit()
    client = Client(archive)
    for path in ("/archive/articles/1", "/archive/articles?id=1"):
        page = client.get(path).text
        assert "<script>alert" not in page and "<b>bold</b>" not in page
        assert "&lt;script&gt;alert(" in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    # The search query's snippet only turns the highlight markers into HTML.
    page = client.get("/archive/search?q=bold&site=").text
    assert "<mark>bold</mark>" in page
    assert "<script>alert" not in page


def test_ranked_search_query_highlights_and_orders_by_bm25(client, archive):
    data = client.json("/archive/search.json?q=peru&site=&_shape=objects")
    rows = data["rows"]
    assert rows and rows[0]["url"].endswith(PERU)
    ranks = [row["rank"] for row in rows]
    assert ranks == sorted(ranks)  # bm25: lower is better
    conn = sqlite3.connect(archive)
    matches = conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'peru'")
    assert len(rows) == matches.fetchone()[0]
    assert all("<mark>" in row["snippet"] for row in rows)
    page = client.get("/archive/search?q=peru&site=").text
    assert re.search(r"<mark>Per[uú]</mark>", page)
    assert not client.json("/archive/search.json?q=peru&site=nosuchsite&_shape=objects")["rows"]


def test_ranked_search_form_with_no_query_is_not_an_error(client):
    assert client.get("/archive/search").status_code == 200
    # Broken FTS syntax is an error message on the page, not a traceback.
    response = client.get("/archive/search?q=%22unbalanced&site=")
    assert response.status_code == 400 and "Traceback" not in response.text


def test_articles_per_day_query(client, archive):
    rows = client.json("/archive/articles_per_day.json?_shape=objects")["rows"]
    conn = sqlite3.connect(archive)
    assert sum(r["articles"] for r in rows) == conn.execute(
        "SELECT count(*) FROM articles WHERE published IS NOT NULL").fetchone()[0]
    assert [r["day"] for r in rows] == sorted((r["day"] for r in rows), reverse=True)


def test_queries_for_later_tables_appear_only_when_the_tables_exist(archive):
    without_crawl_records(archive)  # an archive from before the crawl kept its records
    queries = build_metadata({"articles": ["id"]})["databases"]["archive"]["queries"]
    assert set(queries) == {"search", "articles_per_day"}
    client = Client(archive)
    assert client.get("/archive/latest_runs").status_code == 404
    conn = sqlite3.connect(archive)
    conn.executescript(RUN_TABLES + """
        CREATE TABLE revisions (id INTEGER PRIMARY KEY, article_id INTEGER, fetched_at TEXT,
            title TEXT, text TEXT, content_hash TEXT);
        INSERT INTO runs VALUES (1, '2024-05-01T10:00:00+00:00', '2024-05-01T10:01:00+00:00',
            '["demo"]', 'partial', 1, 30, 2, 1, 27, '{}', '{"http_404": 1}');
        INSERT INTO fetch_log VALUES (1, 1, 'http://127.0.0.1/gone', 404, 'http_404',
            'Not Found', '2024-05-01T10:00:30+00:00');
        INSERT INTO revisions VALUES (1, 1, '2024-05-01T10:00:40+00:00', 'Old title',
            'Old text', 'abc');
    """)
    conn.commit()
    client = Client(archive)
    runs = client.json("/archive/latest_runs.json?_shape=objects")["rows"]
    assert runs[0]["status"] == "partial"
    errors = client.json("/archive/fetch_errors.json?_shape=objects")["rows"]
    assert errors[0]["url"] == "http://127.0.0.1/gone" and errors[0]["status"] == 404
    revised = client.json("/archive/revised_articles.json?_shape=objects")["rows"]
    assert revised[0]["id"] == 1 and revised[0]["revisions"] == 1
    page = client.get("/archive/runs").text
    assert "One row per crawl run." in page


def test_nothing_served_can_write_and_a_live_write_is_seen(archive):
    client = Client(archive)
    db = client.ds.get_database("archive")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        asyncio.run(db.execute_write("DELETE FROM articles"))
    before = client.json("/archive.json?sql=select+count(*)+as+n+from+articles&_shape=array")
    # A crawl writes while Datasette serves (WAL): the new row shows without a restart.
    conn = sqlite3.connect(archive)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("INSERT INTO articles (url, site, text, content_hash, first_seen, last_seen) "
                 "VALUES ('http://x.test/new', 'demo', 'fresh text', 'h', 'now', 'now')")
    conn.commit()
    after = client.json("/archive.json?sql=select+count(*)+as+n+from+articles&_shape=array")
    assert after[0]["n"] == before[0]["n"] + 1


def test_coverage_chart_is_served_as_svg_and_linked(client):
    svg = client.get("/-/coverage.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text and ">demo<" in svg.text  # the site's name in the legend
    page = client.get("/-/coverage").text
    assert 'src="/-/coverage.svg"' in page
    assert "/-/coverage" in client.get("/").text  # linked from the front page


def test_not_an_archive_is_a_one_line_error(tmp_path):
    with pytest.raises(ServeError, match="no such archive"):
        build_datasette(tmp_path / "missing.db")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)")
    result = run_archiver("serve", "--db", str(other), "--port", "8")
    assert result.returncode == 2
    assert result.stderr.strip() == f"Error: {other}: not an archive (no articles table)"


def test_serve_help_and_loopback_default():
    result = run_archiver("serve", "--help")
    assert result.returncode == 0
    assert "127.0.0.1" in result.stdout and "read-only" in result.stdout


def test_metadata_is_valid_json_for_datasette(archive):
    from archiver.store.archive import Store

    with Store(archive, readonly=True) as store:
        meta = build_metadata(store.tables())
    json.dumps(meta)
    articles = meta["databases"]["archive"]["tables"]["articles"]
    older = build_metadata({"articles": ["id", "url"]})["databases"]["archive"]["tables"]
    assert "revision_count" not in older["articles"]["columns"]  # only columns it has
    assert set(articles["columns"]) == set(store_columns(archive))


def without_crawl_records(db: Path) -> None:
    """Drop the tables `archiver crawl` keeps its records in (issue 4)."""
    conn = sqlite3.connect(db)
    conn.executescript("DROP TABLE IF EXISTS run_sites; DROP TABLE IF EXISTS fetch_log; "
                       "DROP TABLE IF EXISTS runs; DROP TABLE IF EXISTS revisions;")
    conn.close()


def store_columns(db: Path) -> list[str]:
    return [r[1] for r in sqlite3.connect(db).execute("PRAGMA table_info(articles)")]
