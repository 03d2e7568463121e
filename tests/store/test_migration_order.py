"""Migrations run in the order archiver/store/migrations.py declares them (not by name), as
its docstring lists them, each once."""

from __future__ import annotations

import re
import sqlite3

from archiver.store import migrations
from archiver.store.archive import Store


def documented_order() -> list[str]:
    """The run order the migrations module's docstring lists (`m001 m200 ...`)."""
    line = next(line for line in (migrations.__doc__ or "").splitlines()
                if line.strip().startswith("m001 "))
    return line.split()


def recorded(db) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [name for (name,) in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'archiver' ORDER BY id")]


def test_a_new_archive_runs_the_migrations_in_the_documented_order(tmp_path):
    Store(tmp_path / "a.db").close()
    names = recorded(tmp_path / "a.db")
    assert [re.match(r"m\d+", n).group() for n in names] == documented_order()
    assert names != sorted(names)  # file order, not name order: why the docstring says so


def test_an_archive_reopened_runs_no_migration_again(tmp_path):
    Store(tmp_path / "a.db").close()
    before = recorded(tmp_path / "a.db")
    Store(tmp_path / "a.db").close()
    assert recorded(tmp_path / "a.db") == before
