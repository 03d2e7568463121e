"""ARCHIVER_BUSY_TIMEOUT: how long a write waits for another process's lock."""

from __future__ import annotations

import pytest

from archiver.errors import StoreError
from archiver.store.archive import BUSY_TIMEOUT_MS, Store, connect
from tests.support import run_archiver


def _pragma(db) -> int:
    conn = connect(db)
    try:
        return conn.execute("PRAGMA busy_timeout").fetchone()[0]
    finally:
        conn.close()


def test_default_and_override_reach_sqlite(tmp_path, monkeypatch):
    db = tmp_path / "archive.db"
    monkeypatch.delenv("ARCHIVER_BUSY_TIMEOUT", raising=False)
    assert _pragma(db) == BUSY_TIMEOUT_MS == 30_000
    monkeypatch.setenv("ARCHIVER_BUSY_TIMEOUT", "2.5")
    assert _pragma(db) == 2500


@pytest.mark.parametrize("bad", ["abc", "-1", "1e9", "nan"])
def test_a_bad_value_is_one_clear_error(tmp_path, monkeypatch, bad):
    monkeypatch.setenv("ARCHIVER_BUSY_TIMEOUT", bad)
    with pytest.raises(StoreError, match="ARCHIVER_BUSY_TIMEOUT"):
        connect(tmp_path / "archive.db")


def test_the_cli_says_so_in_one_line(tmp_path):
    db = tmp_path / "archive.db"
    Store(db).close()
    result = run_archiver("search", "--db", str(db), "x", env={"ARCHIVER_BUSY_TIMEOUT": "soon"})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(errors) == 1 and "ARCHIVER_BUSY_TIMEOUT='soon'" in errors[0], result.stderr

