"""Every recipe in docs/analysts.md runs as written against the demo archive."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from archiver.store import migrations

pytestmark = pytest.mark.slow
DOC = Path(__file__).parents[2] / "docs" / "analysts.md"
BLOCK = re.compile(r"^```(sql|python|sh)\n(.*?)^```", re.S | re.M)
BLOCKS = BLOCK.findall(DOC.read_text(encoding="utf-8"))
ALLOWED_EMPTY = "may return no rows"


def block_id(block: tuple[str, str]) -> str:
    kind, body = block
    first = next(line for line in body.splitlines() if line.strip() and
                 not line.startswith(("--", "import", "from")))
    return f"{kind}:{first[:40]}"


@pytest.fixture(scope="module")
def workdir(demo_archive, tmp_path_factory) -> Path:
    """The demo archive as ./archive.db, with one row in each table the crawler will add."""
    folder = tmp_path_factory.mktemp("recipes")
    db = folder / "archive.db"
    shutil.copy(demo_archive, db)
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    conn = sqlite3.connect(db)
    conn.executescript("""
        CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, started TEXT, finished TEXT,
            sites TEXT, status TEXT, exit_code INTEGER, pages_fetched INTEGER, new INTEGER,
            updated INTEGER, unchanged INTEGER, skipped TEXT, errors TEXT);
        CREATE TABLE IF NOT EXISTS fetch_log (id INTEGER PRIMARY KEY, run_id INTEGER, url TEXT,
            status INTEGER, error TEXT, message TEXT, fetched_at TEXT);
        CREATE TABLE IF NOT EXISTS revisions (id INTEGER PRIMARY KEY, article_id INTEGER,
            fetched_at TEXT, title TEXT, text TEXT, content_hash TEXT);
    """)
    conn.execute("INSERT INTO runs (started, finished, sites, status, exit_code, pages_fetched,"
                 " new, updated, unchanged, skipped, errors) VALUES (?, ?, '[\"demo\"]', 'ok',"
                 " 0, 30, 24, 0, 0, '{}', '{}')", (now, now))
    conn.execute("INSERT INTO fetch_log (run_id, url, status, error, message, fetched_at) "
                 "VALUES (1, 'http://127.0.0.1/gone', 404, 'http_404', 'Not Found', ?)", (now,))
    conn.execute("INSERT INTO revisions (article_id, fetched_at, title, text, content_hash) "
                 "SELECT id, ?, title, replace(text, 'the', 'teh'), 'old' FROM articles "
                 "WHERE id = 1", (now,))
    conn.execute("INSERT INTO skipped_pages (url, fetched_url, site, reason, fetched_at) "
                 "VALUES ('http://127.0.0.1/tag/peru', 'http://127.0.0.1/tag/peru', 'demo', "
                 "'listing_page', ?)", (now,))
    conn.commit()
    conn.close()
    return folder


def test_the_doc_has_the_promised_recipes():
    kinds = [kind for kind, _ in BLOCKS]
    assert kinds.count("sql") >= 10
    text = DOC.read_text(encoding="utf-8")
    for needle in ("snippet(", "highlight(", "bm25(", "MATCH", "revisions", "--csv",
                   "read_sql_query", "sqlite-utils", "archiver serve", "archiver stats"):
        assert needle in text, needle
    # Every column of articles, as the migrations create it, is explained in the schema table.
    conn = sqlite3.connect(":memory:")
    migrations.apply(Database(conn))
    for (name,) in conn.execute("SELECT name FROM pragma_table_info('articles')"):
        assert f"| `{name}` |" in text, f"column {name} is not described in {DOC.name}"


def statements(sql: str) -> list[str]:
    """Split a block into complete statements, as the sqlite3 shell does."""
    out, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current)
            current = ""
    assert not current.strip(), f"incomplete SQL: {current}"
    return out


@pytest.mark.parametrize("block", [b for b in BLOCKS if b[0] == "sql"], ids=block_id)
def test_sql_recipe_runs_read_only_and_returns_rows(workdir, block):
    _, sql = block
    conn = sqlite3.connect(f"file:{workdir / 'archive.db'}?mode=ro", uri=True)
    rows = []
    for statement in statements(sql):
        rows = conn.execute(statement).fetchall()
    if ALLOWED_EMPTY not in sql:
        assert rows, f"no rows from:\n{sql}"


@pytest.mark.parametrize("block", [b for b in BLOCKS if b[0] == "python"], ids=block_id)
def test_python_recipe_runs(workdir, block):
    result = subprocess.run([sys.executable, "-c", block[1]], cwd=workdir, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


@pytest.mark.parametrize("block", [b for b in BLOCKS if b[0] == "sh"], ids=block_id)
def test_shell_recipe_runs(workdir, block):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    before = {p.name for p in workdir.iterdir()}
    result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block[1]], cwd=workdir,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    written = [p for p in workdir.iterdir() if p.name not in before and p.suffix == ".csv"]
    assert result.stdout.strip() or written
    for path in written:  # a header and at least one row
        assert len(path.read_text(encoding="utf-8").splitlines()) >= 2, path.name
