"""Revisions in the store: a changed article keeps its previous version; history renders it."""

from __future__ import annotations

from archiver.extract import Article, content_hash
from archiver.report import render_history, render_runs
from archiver.store import Store

URL = "https://example.com/news/a"


def article(title: str, text: str) -> Article:
    return Article(url=URL, fetched_url=URL, title=title, text=text,
                   word_count=len(text.split()), content_hash=content_hash(title, text))


def test_changed_article_keeps_previous_version_and_counts_it(tmp_path):
    with Store(tmp_path / "a.db") as store:
        v1 = article("Council votes", "The council voted.\nTurnout was low.")
        v2 = article("Council votes", "The council voted.\n  Turnout was   low.")  # whitespace
        v3 = article("Council votes again", "The council voted.\nTurnout was high.")
        assert store.save_page("s", v1, "2026-01-01T10:00:00+00:00", requested_url=URL,
                               schedule=(3600,)) == "new"
        assert store.save_page("s", v2, "2026-01-01T11:00:00+00:00", requested_url=URL,
                               schedule=(3600,)) == "unchanged"
        assert store.save_page("s", v3, "2026-01-01T12:00:00+00:00", requested_url=URL,
                               schedule=(3600,)) == "updated"
        versions = store.versions(URL)
        row = store.conn.execute("SELECT revision_count, last_changed, first_seen, last_seen "
                                 "FROM articles").fetchone()
        next_check = store.conn.execute("SELECT next_check FROM url_state").fetchone()[0]
    assert row == (1, "2026-01-01T12:00:00+00:00", "2026-01-01T10:00:00+00:00",
                   "2026-01-01T12:00:00+00:00")
    assert next_check is None  # one look an hour after first sight, then never
    assert [(v["fetched_at"], v["title"]) for v in versions] == [
        ("2026-01-01T10:00:00+00:00", "Council votes"),
        ("2026-01-01T12:00:00+00:00", "Council votes again")]
    out = render_history(versions)
    lines = out.splitlines()
    assert lines[0] == f"{URL}: 2 version(s)"
    assert "-# Council votes" in lines and "+# Council votes again" in lines
    assert "-Turnout was low." in lines and "+Turnout was high." in lines
    assert " The council voted." in lines


def test_render_runs_lists_newest_first(tmp_path):
    with Store(tmp_path / "a.db") as store:
        first = store.start_run(["a"], 1, "h")
        store.finish_run(first, status="ok", exit_code=0, sites=[
            {"site": "a", "finish_reason": "finished", "pages_fetched": 3, "new": 2,
             "updated": 0, "unchanged": 1, "skipped": {"not_due": 4}, "errors": {}}])
        second = store.start_run(["a"], 2, "h")  # never finished: killed
        third = store.start_run(["a"], 3, "h")
        runs = store.runs(10)
    assert [r["id"] for r in runs] == [third, second, first]
    assert [r["status"] for r in runs] == ["running", "abandoned", "ok"]
    assert runs[2]["skipped"] == '{"not_due": 4}' and runs[2]["new"] == 2
    table = render_runs(runs).splitlines()
    assert len(table) == 4 and table[3].split()[:2] == [str(first), runs[2]["started"]]


def test_runs_and_history_commands_on_an_archive_without_runs(tmp_path):
    import sqlite3

    from click.testing import CliRunner

    from archiver.cli import cli

    db = tmp_path / "a.db"
    Store(db).close()
    runner = CliRunner()
    for command in ("runs", "history"):
        assert runner.invoke(cli, [command, "--help"]).exit_code == 0
    result = runner.invoke(cli, ["runs", "--db", str(db)])
    assert result.exit_code == 0 and result.output.strip() == "no runs recorded"
    result = runner.invoke(cli, ["history", URL, "--db", str(db)])
    assert result.exit_code == 1 and "not in the archive" in result.output
    # An archive made before run records existed: one clear line, not a traceback.
    old = tmp_path / "old.db"
    sqlite3.connect(old).execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, url TEXT)")
    result = runner.invoke(cli, ["runs", "--db", str(old)])
    assert result.exit_code == 3 and "run `archiver crawl` once" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
