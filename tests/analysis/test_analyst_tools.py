"""The archive works with the analysts' own tools: sqlite-utils and Datasette."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
PERU = "/article/f/peru-international-solidarity-urgently-needed"


def test_sqlite_utils_search_finds_the_seed_article(demo_archive):
    result = subprocess.run([str(BIN / "sqlite-utils"), "search", str(demo_archive), "articles",
                             "peru", "--csv", "-c", "url", "-c", "title"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert PERU in result.stdout


def test_datasette_search_returns_the_seed_article(demo_archive, tmp_path):
    db = tmp_path / "archive.db"
    db.write_bytes(demo_archive.read_bytes())  # Datasette names the database after the file
    result = subprocess.run([str(BIN / "datasette"), str(db), "--get",
                             "/archive/articles.json?_search=peru&_shape=array"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert any(row["url"].endswith(PERU) for row in rows)
    assert all("peru" in (row["text"] + row["title"]).lower().replace("ú", "u") for row in rows)


def test_database_uses_wal_and_fts5_with_folding_tokenizer(demo_archive):
    import sqlite3

    conn = sqlite3.connect(demo_archive)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[0]
    assert "fts5" in sql.lower() and "remove_diacritics 2" in sql and "porter" in sql
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert {"articles_ai", "articles_ad", "articles_au"} <= triggers
    assert conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
