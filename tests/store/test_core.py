"""The store's core: the one place a SQLite error becomes StoreError (or, for a query a user
typed, QueryError), its transactions, and its clock."""

from __future__ import annotations

import re
import sqlite3

import pytest

from archiver.errors import QueryError, StoreError
from archiver.store.clock import now, now_iso
from archiver.store.core import Core, store_errors


@pytest.fixture
def core(tmp_path):
    opened = Core(tmp_path / "a.db")
    yield opened
    opened.close()


def test_a_sqlite_error_says_the_archive_and_what_failed(core):
    with pytest.raises(StoreError) as caught:
        core.write("add to the frontier", "INSERT INTO no_such_table VALUES (1)")
    assert str(caught.value) == (f"{core.path}: cannot add to the frontier: "
                                 "no such table: no_such_table")


def test_a_query_fts5_cannot_parse_is_the_users_error(core):
    with pytest.raises(QueryError, match="cannot parse search query 'AND'.*double quotes"), \
            store_errors(core.path, "search failed", query="AND"):
        core.conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'AND'")
    with pytest.raises(StoreError, match="search failed"), \
            store_errors(core.path, "search failed"):  # no query given: the store's error
        core.conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'AND'")


def test_a_locked_archive_is_the_stores_error_even_for_a_query(tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHIVER_BUSY_TIMEOUT", "0")
    core = Core(tmp_path / "a.db")
    holder = sqlite3.connect(tmp_path / "a.db")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="export failed: database is locked"), \
                core.errors("export failed", query="harbour"):
            core.conn.execute("BEGIN IMMEDIATE")  # the write lock another process holds
    finally:
        holder.rollback()
        holder.close()
        core.close()


def test_a_failed_transaction_keeps_nothing(core):
    with pytest.raises(StoreError):
        with core.writing("store article"):
            core.conn.execute("INSERT INTO frontier (url, site, discovered) VALUES ('u', 's', 't')")
            core.conn.execute("INSERT INTO frontier (url, site, discovered) VALUES ('u', 's', 't')")
    assert core.conn.execute("SELECT count(*) FROM frontier").fetchone()[0] == 0
    assert not core.conn.in_transaction


def test_a_batch_commits_its_finished_steps_and_does_not_nest(core):
    with core.batch():
        with core.transaction():
            core.conn.execute("INSERT INTO frontier (url, site, discovered) VALUES ('a', 's', 't')")
        with pytest.raises(sqlite3.IntegrityError), core.transaction():
            core.conn.execute("INSERT INTO frontier (url, site, discovered) VALUES ('b', 's', 't')")
            core.conn.execute("INSERT INTO frontier (url, site, discovered) VALUES ('b', 's', 't')")
        with pytest.raises(RuntimeError, match="does not nest"), core.batch():
            pass
    assert [u for (u,) in core.conn.execute("SELECT url FROM frontier")] == ["a"]


def test_a_readonly_open_does_not_migrate(tmp_path):
    Core(tmp_path / "a.db").close()
    plain = sqlite3.connect(tmp_path / "b.db")
    plain.execute("CREATE TABLE t (x)")
    plain.close()
    readonly = Core(tmp_path / "b.db", readonly=True)
    try:
        assert not readonly.has_table("articles")
        with pytest.raises(StoreError, match="cannot read"):
            readonly.dicts("SELECT * FROM runs")
    finally:
        readonly.close()


def test_the_clock_is_utc_to_the_second():
    stamp = now_iso()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", stamp), stamp
    assert now().utcoffset().total_seconds() == 0
