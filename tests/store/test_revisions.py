"""Revisions in the store: a changed article keeps its previous version; history renders it."""

from __future__ import annotations

from archiver.analysis.report import render_history, render_runs
from archiver.extract.page import Article
from archiver.store.archive import Store

from ..support import article

URL = "https://example.com/news/a"


def test_changed_article_keeps_previous_version_and_counts_it(tmp_path):
    with Store(tmp_path / "a.db") as store:
        v1 = article(URL, "Council votes", "The council voted.\nTurnout was low.")
        v2 = article(URL, "Council votes", "The council voted.\n  Turnout was   low.")  # whitespace
        v3 = article(URL, "Council votes again", "The council voted.\nTurnout was high.")
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


def test_a_crawl_leaves_a_live_distributed_workers_run_to_the_writer(tmp_path):
    with Store(tmp_path / "a.db") as store:
        store.conn.execute("INSERT INTO runs (started, sites, status, pid, host, worker) "
                           "VALUES ('2026-01-01T00:00:00+00:00', '[]', 'running', 9, 'h', 'w1')")
        store.conn.commit()
        dead = store.start_run(["a"], 1, "h")  # a single-machine crawl, never finished
        store.start_run(["a"], 2, "h")
        statuses = {(r["worker"], r["id"] == dead): r["status"] for r in store.runs(10)}
    assert statuses[("w1", False)] == "running"
    assert statuses[(None, True)] == "abandoned"


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


def test_template_drift_is_not_a_revision_but_a_story_edit_is(tmp_path):
    """A learned promo whose figures change ("You've Raised: £3,526" -> "£3,611") leaves the
    story as it was: no revision. An edit of the story itself is one."""
    def fund_story(i: int, raised: str, extra: str = "") -> Article:
        town = ["Ashford", "Bury", "Crewe", "Derby", "Ely", "Frome", "Goole", "Hull"][i]
        body = (f"A story about {town} and what happened there this week.{extra}\n"
                f"Fighting fund. You've Raised: £{raised}")
        return article(f"https://n.test/{i}", f"Story {i}", body)

    with Store(tmp_path / "a.db") as store:
        store.save_articles("n", [fund_story(i, "3,526") for i in range(8)])
        row = store.articles("n")[0]
        assert "You've Raised" not in row["text"]  # learned as template
        assert store.save_articles("n", [fund_story(3, "3,611")]) == ["unchanged"]
        assert store.conn.execute("SELECT count(*) FROM revisions").fetchone()[0] == 0
        edited = fund_story(3, "3,611", extra=" The council later corrected the figures.")
        assert store.save_articles("n", [edited]) == ["updated"]
        assert store.conn.execute("SELECT count(*) FROM revisions").fetchone()[0] == 1
