"""Search: ranked FTS5 with diacritic folding, stemming, phrases, filters and safe errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from archiver.cli import cli
from archiver.errors import QueryError
from archiver.store.archive import Store

from ..support import article


@pytest.fixture
def archive(tmp_path):
    db = tmp_path / "archive.db"
    with Store(db) as store:
        store.save_articles("south", [
            article("https://a.test/1", "Elections in Perú",
                    "Thousands marched in Lima as protesters demanded early elections.",
                    published="2023-01-25T10:00:00+00:00"),
            article("https://a.test/2", "Coffee growers",
                    "A café in São Paulo sells coffee grown by its owners.",
                    published="2023-01-20T09:00:00+00:00"),
        ])
        store.save_articles("north", [
            article("https://b.test/1", "International solidarity",
                    "A statement of international solidarity with Peru was signed.",
                    published="2023-02-06T09:30:00+00:00"),
            article("https://b.test/2", "Dockers strike",
                    "Dock workers begin a strike over pay; solidarity international.",
                    published="2023-02-10T09:30:00+00:00"),
        ])
    return db


def urls(store: Store, query: str, **kw) -> set[str]:
    return {h.url for h in store.search(query, **kw)}


def test_diacritics_fold_both_ways(archive):
    with Store(archive, readonly=True) as store:
        assert urls(store, "peru") == {"https://a.test/1", "https://b.test/1"}
        assert urls(store, "perú") == {"https://a.test/1", "https://b.test/1"}
        assert urls(store, "sao paulo") == {"https://a.test/2"}
        assert urls(store, "cafe") == {"https://a.test/2"}


def test_stemming_finds_inflected_forms(archive):
    with Store(archive, readonly=True) as store:
        assert urls(store, "protest") == {"https://a.test/1"}  # text says "protesters"
        assert urls(store, "marching") == {"https://a.test/1"}  # text says "marched"


def test_phrase_boolean_and_prefix_syntax(archive):
    with Store(archive, readonly=True) as store:
        assert urls(store, '"international solidarity"') == {"https://b.test/1"}
        assert urls(store, "solidarity NOT peru") == {"https://b.test/2"}
        assert urls(store, "coffee OR dockers") == {"https://a.test/2", "https://b.test/2"}
        assert urls(store, "elect*") == {"https://a.test/1"}


def test_ranking_puts_title_match_first_and_snippet_highlights(archive):
    with Store(archive, readonly=True) as store:
        hits = store.search("solidarity")
    assert [h.url for h in hits][0] == "https://b.test/1"
    assert "[solidarity]" in hits[0].snippet.lower()
    assert hits[0].rank <= hits[-1].rank


def test_site_and_date_filters(archive):
    with Store(archive, readonly=True) as store:
        assert urls(store, "solidarity OR peru", site="south") == {"https://a.test/1"}
        assert urls(store, "solidarity OR peru", since="2023-02-01") == {
            "https://b.test/1", "https://b.test/2"}
        assert urls(store, "solidarity OR peru", until="2023-02-06") == {
            "https://a.test/1", "https://b.test/1"}
        assert urls(store, "solidarity", since="2023-02-07", until="2023-02-10") == {
            "https://b.test/2"}
        assert len(store.search("solidarity OR peru OR coffee", limit=2)) == 2


@pytest.mark.parametrize("query", ['"unbalanced', "AND AND", "NEAR(", "foo:bar", "*",
                                   "'; DROP TABLE articles; --", "(("])
def test_malformed_queries_raise_query_error(archive, query):
    with Store(archive, readonly=True) as store, pytest.raises(QueryError):
        store.search(query)
    with Store(archive, readonly=True) as store:
        assert store.count() == 4  # nothing was harmed


def test_cli_json_and_csv_formats(archive):
    runner = CliRunner()
    result = runner.invoke(cli, ["search", "peru", "--db", str(archive), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["url"] for r in rows} == {"https://a.test/1", "https://b.test/1"}
    assert set(rows[0]) == {"url", "site", "title", "author", "published", "snippet", "rank"}
    result = runner.invoke(cli, ["search", "peru", "--db", str(archive), "--format", "csv",
                                 "--site", "north"])
    parsed = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["url"] for r in parsed] == ["https://b.test/1"]


def test_cli_table_format_shows_title_and_snippet(archive):
    result = CliRunner().invoke(cli, ["search", "coffee", "--db", str(archive)])
    assert result.exit_code == 0
    assert "Coffee growers" in result.output and "[coffee]" in result.output.lower()


def test_cli_malformed_query_is_one_line_error_with_nonzero_exit(archive):
    from ..support import run_archiver

    result = run_archiver("search", '"unbalanced', "--db", str(archive))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot parse search query")
    assert "Traceback" not in result.stderr


def test_cli_bad_date_and_missing_archive(tmp_path, archive):
    runner = CliRunner()
    result = runner.invoke(cli, ["search", "x", "--db", str(archive), "--since", "yesterday"])
    assert result.exit_code == 2 and "not a date" in result.output
    result = runner.invoke(cli, ["search", "x", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 3 and "no such archive" in result.output


@pytest.mark.parametrize("query", ["marching", "予算案", "title: 予算案", "peru OR 来年度"])
def test_export_count_is_what_export_streams(tmp_path, query):
    """`export -o` sizes its progress bar with count_articles: it must read the query as the
    stream does (rewritten for stems and CJK bigrams), or a Japanese query counts nothing."""
    db = tmp_path / "archive.db"
    with Store(db) as store:
        store.save_articles("mixed", [
            article("https://c.test/1", "予算案", "政府は来年度の予算案を発表した。" * 5,
                    language="ja"),
            article("https://c.test/2", "Lima", "Thousands marched in Lima over Peru's vote.",
                    language="en"),
        ])
    with Store(db, readonly=True) as store:
        streamed = list(store.iter_articles(query=query))
        assert streamed
        assert store.count_articles(query=query) == len(streamed)
