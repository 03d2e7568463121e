"""Fault drills: kills, locks, long readers, missing/read-only/corrupt archives, a full disk.

Each ends with one clear error line and a non-zero exit where the run cannot go on, a
`PRAGMA quick_check` that passes, and every row stored before still there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from archiver.store.archive import Store

from ..support import run_archiver, write_config

pytestmark = pytest.mark.slow

WRITER = textwrap.dedent("""
    import sys
    from archiver.extract.page import Article, content_hash
    from archiver.store.archive import Store
    store = Store(sys.argv[1])
    for batch in range(10_000):
        arts = []
        for i in range(20):
            text = f"batch {batch} item {i} " + "word " * 400
            arts.append(Article(url=f"https://a.test/{batch}/{i}", fetched_url="x", title="t",
                                text=text, word_count=402, content_hash=content_hash("t", text)))
        store.save_articles("drill", arts)
        print(store.count(), flush=True)
""")


def quick_check(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
        return conn.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        conn.close()


def urls(db: Path) -> set[str]:
    with Store(db, readonly=True) as store:
        return {r["url"] for r in store.articles()}


def crawl(tmp_path: Path, server, db: Path, **kw) -> subprocess.CompletedProcess:
    config = write_config(tmp_path / "sites.toml", server, sitemaps=["/sitemap.xml"])
    return run_archiver("crawl", "--config", str(config), "--db", str(db), **kw)


def one_error_line(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("Error:")]
    assert len(lines) == 1, result.stderr[-3000:]
    return lines[0]


@pytest.fixture
def archived(tmp_path, seed_server) -> Path:
    """An archive holding the seed site's four articles."""
    db = tmp_path / "archive.db"
    assert crawl(tmp_path, seed_server, db).returncode == 0
    assert len(urls(db)) == 4
    return db


def test_sigkill_mid_write_loses_no_committed_row(tmp_path):
    db = tmp_path / "archive.db"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE,
                              text=True)
    committed = 0
    while committed < 200:
        committed = int(writer.stdout.readline())
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert quick_check(db) == "ok"
    with Store(db) as store:  # opens, recovers the WAL, and takes writes again
        assert store.count() >= committed
        store.save_articles("drill", [])


def test_missing_folder_is_one_line_and_exit_3(tmp_path, seed_server):
    result = crawl(tmp_path, seed_server, tmp_path / "no" / "such" / "archive.db")
    assert result.returncode == 3
    assert "does not exist" in one_error_line(result)


def test_corrupt_archive_is_refused_and_never_overwritten(tmp_path, seed_server, archived):
    raw = bytearray(archived.read_bytes())
    page = 4096
    raw[page * 2: page * 4] = os.urandom(page * 2)  # damage inside, header intact
    archived.write_bytes(bytes(raw))
    for path in (tmp_path / "archive.db-wal", tmp_path / "archive.db-shm"):
        path.unlink(missing_ok=True)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not an sqlite file\n" * 500)
    for db in (archived, garbage):
        before = hashlib.sha256(db.read_bytes()).hexdigest()
        result = crawl(tmp_path, seed_server, db)
        assert result.returncode == 3, result.stdout + result.stderr[-2000:]
        line = one_error_line(result)
        assert "damaged" in line or "not a database" in line, line
        assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def _in_mount_namespace(script: str, tmp_path: Path) -> dict:
    """Run a shell script in a private mount namespace (tmpfs mounts vanish with it)."""
    if shutil.which("unshare") is None:
        pytest.fail("fault drill needs util-linux `unshare` (apt-get install util-linux)")
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.fail(f"fault drill needs mount namespaces (run as root): {probe.stderr.strip()}")
    done = subprocess.run(["unshare", "-m", "--propagation", "private", "bash", "-euc", script],
                          capture_output=True, text=True, timeout=240, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


CHECK = ("import json,os,sqlite3,sys; p=sys.argv[1]; "
         "c=sqlite3.connect(p if os.access(os.path.dirname(p), os.W_OK) "
         "else f'file:{p}?immutable=1', uri=True); "
         "print(json.dumps({'check': c.execute('PRAGMA quick_check').fetchone()[0], "
         "'urls': sorted(r[0] for r in c.execute('select url from articles')), "
         "'rc': int(sys.argv[2]), 'err': open(sys.argv[3]).read()}))")


def _drill(tmp_path: Path, server, archived: Path, prepare: str, after: str = "") -> dict:
    config = write_config(tmp_path / "more.toml", server, sitemaps=["/sitemap.xml"],
                          start_urls=["/"], name="seed2")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = f"""
        {prepare}
        set +e
        {sys.executable} -m archiver crawl --config {config} --db {mnt}/archive.db \\
            > {tmp_path}/out.txt 2> {tmp_path}/err.txt
        rc=$?
        set -e
        {after}
        {sys.executable} -c "{CHECK}" {mnt}/archive.db $rc {tmp_path}/err.txt
    """
    return _in_mount_namespace(script, tmp_path)


def test_read_only_archive_is_one_line_and_nothing_lost(tmp_path, seed_server, archived):
    mnt = tmp_path / "mnt"
    before = sorted(urls(archived))
    got = _drill(tmp_path, seed_server, archived, f"""
        mount -t tmpfs -o size=16m tmpfs {mnt}
        cp {archived} {mnt}/archive.db
        mount -o remount,ro {mnt}
    """)
    assert got["rc"] == 3, got["err"][-3000:]
    assert got["check"] == "ok" and got["urls"] == before
    assert "Traceback" not in got["err"]
    assert len([ln for ln in got["err"].splitlines() if ln.startswith("Error:")]) == 1


def test_disk_full_mid_run_stops_with_one_line_and_nothing_lost(tmp_path, seed_server,
                                                                archived):
    mnt = tmp_path / "mnt"
    with sqlite3.connect(archived) as conn:  # three articles to write again this run
        conn.execute("DELETE FROM articles WHERE id > (SELECT min(id) FROM articles)")
    before = sorted(urls(archived))
    got = _drill(tmp_path, seed_server, archived, f"""
        mount -t tmpfs -o size=16m tmpfs {mnt}
        cp {archived} {mnt}/archive.db
        dd if=/dev/zero of={mnt}/filler bs=64k status=none || true
        truncate -s -48K {mnt}/filler
    """, after=f"rm {mnt}/filler")  # the operator frees space, then checks
    assert got["rc"] == 3, got["err"][-3000:]
    assert got["check"] == "ok"
    assert set(before) <= set(got["urls"])  # everything stored before is still there
    errors = [ln for ln in got["err"].splitlines() if "stopping the crawl" in ln]
    assert len(errors) == 1 and "full" in errors[0], got["err"][-3000:]
    assert "Traceback" not in got["err"]


HOLDER = textwrap.dedent("""
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE" if sys.argv[2] == "write" else "BEGIN")
    conn.execute("SELECT count(*) FROM articles").fetchone()
    print("holding", flush=True)
    time.sleep(float(sys.argv[3]))
    conn.execute("COMMIT")
""")


def _hold(db: Path, kind: str, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), kind, str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_a_reader_holding_a_transaction_does_not_stop_a_crawl(tmp_path, seed_server):
    db = tmp_path / "archive.db"
    Store(db).close()
    reader = _hold(db, "read", 600)
    try:
        result = crawl(tmp_path, seed_server, db)
        assert result.returncode == 0, result.stdout + result.stderr[-2000:]
        assert reader.poll() is None  # still reading through the whole crawl
    finally:
        reader.kill()
        reader.wait()
    assert len(urls(db)) == 4 and quick_check(db) == "ok"


def test_a_write_lock_held_shorter_than_the_busy_timeout_is_waited_out(tmp_path, seed_server,
                                                                        archived):
    # The busy timeout is 30 s by default; ARCHIVER_BUSY_TIMEOUT shortens it to keep this quick.
    with sqlite3.connect(archived) as conn:
        conn.execute("DELETE FROM articles WHERE url LIKE '%rail-workers%'")
        # Forget the sitemap's validators too, or it answers 304 and lists nothing (issue 4).
        conn.execute("DELETE FROM url_state WHERE article_url IS NULL")
    before = urls(archived)
    holder = _hold(archived, "write", 8)
    started = time.monotonic()
    result = crawl(tmp_path, seed_server, archived, env={"ARCHIVER_BUSY_TIMEOUT": "20"})
    holder.wait()
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert time.monotonic() - started >= 7  # it waited for the lock rather than failing
    assert before < urls(archived) and len(urls(archived)) == 4
    assert quick_check(archived) == "ok"


def test_a_write_lock_held_past_the_busy_timeout_stops_the_run_cleanly(tmp_path, seed_server,
                                                                       archived):
    with sqlite3.connect(archived) as conn:
        conn.execute("DELETE FROM articles WHERE url LIKE '%rail-workers%'")
    before = urls(archived)
    holder = _hold(archived, "write", 600)
    try:
        result = crawl(tmp_path, seed_server, archived, timeout=180,
                       env={"ARCHIVER_BUSY_TIMEOUT": "3"})
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 3, result.stdout + result.stderr[-2000:]
    stops = [ln for ln in result.stderr.splitlines() if "stopping the crawl" in ln]
    assert len(stops) == 1 and "locked" in stops[0]
    assert "Traceback" not in result.stderr
    assert urls(archived) == before and quick_check(archived) == "ok"
