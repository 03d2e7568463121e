"""Distributed crawling: a real redis-server, real worker and writer processes, a 500-article site.

redis-server comes from Debian's package (`make test` installs it when missing); each test
module starts its own instance on a free loopback port, without persistence, and stops it.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archiver.demo.siteserver import SiteServer
from archiver.distributed import redis_state as shared
from archiver.store.archive import Store
from archiver.warc.captures import file_path
from archiver.warc.reading import read_capture

from ..sitegen import article_path, generate_site, write_site_config
from ..support import fail_on_scrapy_deprecations, free_port, run_archiver

N_ARTICLES = 500
DELAY = 0.01  # seconds between request starts to the domain, shared by all workers
CONCURRENCY = 2  # requests at once to the domain, shared by all workers


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A private redis-server on 127.0.0.1 (no persistence), stopped after the module."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail("redis-server is not installed: run `make test` (installs it as root) or "
                    "`apt-get install redis-server`")
    folder = tmp_path_factory.mktemp("redis")
    for _ in range(5):
        port = free_port()
        proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--dir", str(folder)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"redis://127.0.0.1:{port}/0"
        for _ in range(100):
            try:
                shared.connect(url)
                break
            except shared.RedisUnavailable:
                if proc.poll() is not None:
                    break
                time.sleep(0.05)
        else:
            proc.kill()
            continue
        if proc.poll() is None:
            break
    else:
        pytest.fail("could not start redis-server")
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def client(redis_url):
    c = shared.connect(redis_url)
    c.flushall()
    return c


# -- the Redis structures, on a real server -------------------------------------------------


def test_seen_set_forgets_fingerprints_after_ttl_and_prune_bounds_it(client):
    seen = shared.SeenSet(client, "s", ttl=1)
    assert seen.add(b"fp1") is False
    assert seen.add(b"fp1") is True  # a duplicate within the TTL
    assert seen.add(b"fp2") is False
    time.sleep(2.1)
    assert seen.prune() == 2  # both expired: memory does not grow with time
    assert len(seen) == 0
    assert seen.add(b"fp1") is False  # seen long ago: new again (a revisit)


def test_request_of_a_dead_worker_returns_to_the_queue(client):
    a = shared.Frontier(client, "s", "worker-a")
    b = shared.Frontier(client, "s", "worker-b")
    a.push(b"first", priority=0)
    a.push(b"urgent", priority=10)
    shared.heartbeat(client, "worker-b")  # b is alive, a never said so
    rid, data = a.pop()
    assert data == b"urgent"
    assert (a.queued(), a.in_flight()) == (1, 1)
    assert a.recover() == 0  # a recovers no one but the dead: itself is not dead to itself
    assert b.recover() == 1  # b sees a dead and takes its request back
    assert b.pop()[1] == b"urgent"  # recovered requests go first
    rid2, data2 = b.pop()
    b.ack(rid2)
    assert data2 == b"first"
    assert b.queued() == 0 and b.in_flight() == 1  # "urgent" still held by b


def test_writer_batch_survives_until_confirmed(client):
    q = shared.ItemQueue(client)
    for i in range(5):
        q.push(f"m{i}".encode())
    batch = q.take(3, timeout=1)
    assert batch == [b"m0", b"m1", b"m2"]
    assert q.unfinished() == batch  # a writer killed now: its successor finds the batch
    q.confirm()
    assert q.unfinished() == [] and q.pending() == 2


def test_domain_leases_cap_concurrency_and_space_starts(client):
    leases = shared.DomainLeases(client, concurrency=2, delay=0, lease_seconds=5)
    one, _ = leases.try_acquire("example.org")
    two, _ = leases.try_acquire("example.org")
    three, wait = leases.try_acquire("example.org")
    assert one and two and three is None and wait > 0
    assert leases.try_acquire("other.org")[0] is not None  # per domain
    leases.release(one)
    assert leases.try_acquire("example.org")[0] is not None
    # Leases of a dead worker are freed at once; a live worker's are not.
    alive = shared.DomainLeases(client, concurrency=1, delay=0, lease_seconds=60, worker="w1")
    dead = shared.DomainLeases(client, concurrency=1, delay=0, lease_seconds=60, worker="w2")
    shared.heartbeat(client, "w1")
    assert alive.try_acquire("held.org")[0] is not None
    assert dead.try_acquire("held.org")[0] is None  # w1 is alive: its lease holds
    client.delete("archiver:worker:w1")  # w1 dies mid-download
    assert dead.try_acquire("held.org")[0] is not None
    spaced = shared.DomainLeases(client, concurrency=5, delay=0.3, lease_seconds=5)
    first, _ = spaced.try_acquire("spaced.org")
    second, wait = spaced.try_acquire("spaced.org")
    assert first and second is None and 0.2 < wait <= 0.3


# -- real workers and writer against a generated site ----------------------------------------


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gen-site")
    generate_site(root, N_ARTICLES)
    return root


def _start(args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "archiver", *args], stdout=log.open("w"),
                            stderr=subprocess.STDOUT)


HEARTBEAT_TTL = 3  # seconds after a worker's death that the writer declares its run lost


def _worker(config: Path, url: str, log: Path, *extra: str) -> subprocess.Popen:
    """A worker writing its WARC files to warc/ beside the config (the writer's default)."""
    return _start(["worker", "--config", str(config), "--redis", url, "--idle-exit", "2",
                   "--log-level", "INFO", "--warc-dir", str(config.parent / "warc"),
                   "--heartbeat-ttl", str(HEARTBEAT_TTL), *extra], log)


def _writer(db: Path, url: str, log: Path) -> subprocess.Popen:
    return _start(["writer", "--redis", url, "--db", str(db), "--batch", "50",
                   "--idle-exit", "3"], log)


def _wait(procs: list[subprocess.Popen], logs: list[Path], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    for proc, log in zip(procs, logs, strict=True):
        try:
            proc.wait(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for p in procs:
                p.kill()
            pytest.fail(f"{log.name} did not finish:\n{log.read_text()[-3000:]}")
    for log in logs:
        fail_on_scrapy_deprecations(log.read_text(errors="replace"))


#: The cron schema's `runs` table (its migration may not be in this archive yet).
RUNS_TABLE = """CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, started TEXT NOT NULL,
    finished TEXT, sites TEXT, status TEXT NOT NULL, exit_code INTEGER, pages_fetched INTEGER,
    new INTEGER, updated INTEGER, unchanged INTEGER, skipped TEXT,
    errors TEXT, pid INTEGER, host TEXT)"""


def _archive_with_runs(db: Path) -> Path:
    Store(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute(RUNS_TABLE)
    return db


def _seed(config: Path, url: str) -> None:
    result = subprocess.run([sys.executable, "-m", "archiver", "crawl", "--distributed",
                             "--redis", url, "--config", str(config)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "site gen: 2 seeds queued" in result.stdout


def _assert_captures(db: Path, server: SiteServer) -> int:
    """Every article points at a capture whose WARC record holds the page the server sent,
    and each record is indexed once. Returns the number of articles checked."""
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT a.url, c.url, c.warc_file, c.warc_offset, c.status, c.role "
                        "FROM articles a LEFT JOIN captures c ON c.id = a.capture_id").fetchall()
    assert rows
    for article_url, url, warc_file, offset, status, role in rows:
        assert warc_file is not None, f"{article_url}: no capture"
        assert (status, role) == (200, "page")
        capture = read_capture(file_path(warc_file, db), offset)
        assert capture.url == url and capture.status == 200
        assert capture.body == server.body_for(server.resolve(urlsplit(url).path)), url
    assert conn.execute("SELECT count(*) FROM (SELECT 1 FROM captures GROUP BY warc_file, "
                        "warc_offset HAVING count(*) > 1)").fetchone()[0] == 0
    # Not only pages: robots.txt, the sitemap and the front page are kept too, as in a crawl.
    roles = {r for (r,) in conn.execute("SELECT DISTINCT role FROM captures")}
    assert {"robots", "sitemap", "start", "page"} <= roles, roles
    return len(rows)


def _assert_archive_complete(db: Path, origin: str) -> None:
    with Store(db, readonly=True) as store:
        urls = [row["url"] for row in store.articles()]
    expected = {origin + article_path(i) for i in range(N_ARTICLES)}
    assert len(urls) == len(set(urls)), "an article stored twice"
    assert set(urls) == expected
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == N_ARTICLES
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")


@pytest.mark.slow
def test_two_workers_and_a_writer_archive_every_article_once_politely(
        tmp_path, client, redis_url, big_site):
    with SiteServer(big_site, delay=0.005) as server:
        config = write_site_config(tmp_path / "sites.toml", server.origin, delay=DELAY,
                                   concurrency=CONCURRENCY)
        db = _archive_with_runs(tmp_path / "archive.db")
        _seed(config, redis_url)
        logs = [tmp_path / "worker1.log", tmp_path / "worker2.log", tmp_path / "writer.log"]
        procs = [_worker(config, redis_url, logs[0]), _worker(config, redis_url, logs[1]),
                 _writer(db, redis_url, logs[2])]
        _wait(procs, logs)
        log = list(server.log)
    for proc, path in zip(procs, logs, strict=True):
        assert proc.returncode == 0, path.read_text()[-3000:]

    _assert_archive_complete(db, server.origin)
    assert _assert_captures(db, server) == N_ARTICLES
    # Each worker wrote WARC files of its own, and finished them (no `.open` file left).
    files = sorted((tmp_path / "warc").iterdir())
    assert files and all(f.name.endswith(".warc.gz") for f in files)
    assert len({f.name.split("-gen-")[1].rsplit("-", 3)[0] for f in files}) == 2
    # No URL fetched twice: the seen-set and the frontier are shared. (Each worker reads
    # robots.txt for itself, once.)
    counts = Counter(r.path for r in log)
    assert counts.pop("/robots.txt") == 2
    assert [p for p, n in counts.items() if n > 1] == []
    assert len(counts) == N_ARTICLES + 2  # the articles, the sitemap, the front page
    # Both workers did part of the work.
    fetched = [int(s.split(" pages fetched")[0].rsplit(" ", 1)[1])
               for s in (logs[0].read_text(), logs[1].read_text())]
    assert all(n > 0 for n in fetched) and sum(fetched) == N_ARTICLES + 2

    # Politeness held across both workers (each limit is tested where it binds, below).
    events = sorted([(r.at, 1) for r in log] + [(r.done, -1) for r in log])
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    assert peak <= CONCURRENCY

    # Each worker's run is recorded in `runs`.
    with sqlite3.connect(db) as conn:
        runs = conn.execute("SELECT host || '-' || pid, status, pages_fetched, new, "
                            "unchanged FROM runs ORDER BY id").fetchall()
    assert len({r[0] for r in runs}) == 2 and {r[1] for r in runs} == {"ok"}
    assert sum(r[2] for r in runs) == N_ARTICLES + 2
    assert sum(r[3] for r in runs) == N_ARTICLES


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _wait_for(db: Path, n: int, procs: list[subprocess.Popen], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while _count(db) < n:
        if time.monotonic() > deadline or all(p.poll() is not None for p in procs):
            pytest.fail(f"the archive never reached {n} articles ({_count(db)})")
        time.sleep(0.2)


@pytest.mark.slow
def test_killed_worker_and_writer_lose_nothing_and_duplicate_nothing(
        tmp_path, client, redis_url, big_site):
    with SiteServer(big_site, delay=0.005) as server:
        config = write_site_config(tmp_path / "sites.toml", server.origin, delay=DELAY,
                                   concurrency=CONCURRENCY)
        db = tmp_path / "archive.db"
        _seed(config, redis_url)
        logs = [tmp_path / f"{n}.log" for n in ("w1", "w2", "writer1", "w3", "writer2")]
        w1, w2 = _worker(config, redis_url, logs[0]), _worker(config, redis_url, logs[1])
        writer = _writer(db, redis_url, logs[2])
        _wait_for(db, 100, [w1, w2, writer])
        w1.send_signal(signal.SIGKILL)  # mid-page: its in-flight requests must come back
        _wait_for(db, 200, [w2, writer])
        writer.send_signal(signal.SIGKILL)  # mid-batch, perhaps: the batch must come back
        w1.wait(), writer.wait()
        assert w1.returncode == -signal.SIGKILL and writer.returncode == -signal.SIGKILL
        before = _count(db)
        assert before < N_ARTICLES, "too late to test a crash: everything was already stored"
        w3 = _worker(config, redis_url, logs[3])
        writer2 = _writer(db, redis_url, logs[4])
        _wait([w2, w3, writer2], [logs[1], logs[3], logs[4]])
    for proc, path in zip([w2, w3, writer2], [logs[1], logs[3], logs[4]], strict=True):
        assert proc.returncode == 0, path.read_text()[-3000:]
    _assert_archive_complete(db, server.origin)
    # The killed worker's WARC file was finished by the next worker on the folder, and every
    # article's capture is readable, the killed worker's among them.
    assert _assert_captures(db, server) == N_ARTICLES
    assert not list((tmp_path / "warc").glob("*.open"))
    assert shared.ItemQueue(client).pending() == 0
    assert shared.ItemQueue(client).unfinished() == []
    assert shared.Frontier(client, "gen", "-").in_flight() == 0
    # The killed worker's run is recorded, as lost; the others' as finished.
    with sqlite3.connect(db) as conn:
        runs = dict(conn.execute("SELECT pid, status FROM runs").fetchall())
    assert runs == {w1.pid: "lost", w2.pid: "ok", w3.pid: "ok"}
    shown = run_archiver("runs", "--db", str(db))
    assert shown.returncode == 0, shown.stderr
    assert sorted(line.split()[3] for line in shown.stdout.splitlines()[1:]) == [
        "lost", "ok", "ok"]


def _run(config: Path, db: Path, url: str, tmp_path: Path, name: str, *worker_args: str
         ) -> str:
    """Seed (reading the archive's due revisits), run two workers and a writer to the end;
    the seeding's output."""
    seeded = run_archiver("crawl", "--distributed", "--redis", url, "--config", str(config),
                          "--db", str(db))
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    logs = [tmp_path / f"{name}-{who}.log" for who in ("w1", "w2", "writer")]
    procs = [_worker(config, url, logs[0], *worker_args),
             _worker(config, url, logs[1], *worker_args), _writer(db, url, logs[2])]
    _wait(procs, logs)
    for proc, log in zip(procs, logs, strict=True):
        assert proc.returncode == 0, log.read_text()[-3000:]
    return seeded.stdout


def _assert_revisited_unchanged(requests: list, n: int) -> None:
    """Every article was requested again, with its validators, and answered 304."""
    pages = [r for r in requests if r.path.startswith("/news/")]
    assert {r.path for r in pages} == {article_path(i) for i in range(n)}
    assert all(r.headers.get("If-None-Match") for r in pages), pages
    assert {r.status for r in pages} == {304}


@pytest.mark.slow
def test_worker_captures_reextract_and_conditional_revisits(tmp_path, client, redis_url):
    """Run 1 keeps WARC captures that `reextract` reads; runs 2 and 3 revisit conditionally."""
    n = 12
    site = tmp_path / "site"
    generate_site(site, n)
    today = datetime.now(UTC).date().isoformat()  # fresh news: revisit ages count from now
    for page in (site / "news").iterdir():
        page.write_text(re.sub(r"2024-\d\d-\d\d", today, page.read_text()))
    db = tmp_path / "archive.db"
    with SiteServer(site) as server:
        config = write_site_config(tmp_path / "sites.toml", server.origin, delay=0,
                                   concurrency=4)
        with config.open("a") as fh:
            fh.write('revisit = ["3s"]\n')  # one revisit, 3 s after the first sighting
        _run(config, db, redis_url, tmp_path, "run1")
        assert _assert_captures(db, server) == n
        assert all("If-None-Match" not in r.headers for r in server.log)
        mark = len(server.log)

        # The captures are the archive's raw store: with every article row gone, `reextract`
        # brings them back from the workers' WARC files, offline.
        with sqlite3.connect(db) as conn:
            conn.execute("DELETE FROM articles")
        result = run_archiver("reextract", "--db", str(db), "--config", str(config))
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"re-extracted {n} captures: {n} restored" in result.stdout, result.stdout
        with Store(db, readonly=True) as store:
            assert store.count() == n
        assert len(server.log) == mark

        # Run 2: the seeder reads the archive's revisit schedule: all articles are due, and
        # the workers ask for them with the validators the writer published.
        time.sleep(3)
        out = _run(config, db, redis_url, tmp_path, "run2")
        assert f"site gen: 2 seeds queued, {n} revisits of archived articles" in out, out
        _assert_revisited_unchanged(server.log[mark:], n)
        mark = len(server.log)

        # Run 3: no revisit is due any more, but the fingerprints have expired from the
        # seen-set (the distributed mode's own revisit policy): discovered again, asked
        # conditionally again.
        time.sleep(2)
        out = _run(config, db, redis_url, tmp_path, "run3", "--seen-ttl-days", "0.00002")
        assert "site gen: 2 seeds queued, 0 revisits" in out, out
        _assert_revisited_unchanged(server.log[mark:], n)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT url) FROM articles"
                            ).fetchone() == (n, n)
        assert conn.execute("SELECT count(*) FROM revisions").fetchone()[0] == 0
        # Seen again, unchanged: last_seen moved past the first sighting, the revisit state
        # counted each look, and the schedule is spent.
        assert conn.execute("SELECT count(*) FROM articles WHERE last_seen > first_seen"
                            ).fetchone()[0] == n
        assert conn.execute("SELECT min(checks), max(next_check) FROM url_state "
                            "WHERE article_url IS NOT NULL").fetchone() == (3, None)
        runs = conn.execute("SELECT status, new, unchanged FROM runs ORDER BY id").fetchall()
    assert [r[0] for r in runs] == ["ok"] * 6
    assert sum(r[1] for r in runs[:2]) == n and sum(r[1] for r in runs[2:]) == 0
    # (at least: in run 3 a page discovered twice, further apart than the 2 s seen-TTL, is
    # asked twice; both answers are 304)
    assert sum(r[2] for r in runs[2:]) >= 2 * n
    for name in ("run2", "run3"):
        assert re.search(r"\(0 new, 0 updated, \d+ unchanged",
                         (tmp_path / f"{name}-writer.log").read_text())


# -- the commands' edges --------------------------------------------------------------------


def test_unreachable_redis_is_one_line_and_exit_3(tmp_path, big_site):
    with SiteServer(big_site) as server:
        config = write_site_config(tmp_path / "sites.toml", server.origin, delay=0,
                                   concurrency=1)
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    for args in (["worker", "--config", str(config), "--redis", url],
                 ["writer", "--db", str(tmp_path / "a.db"), "--redis", url],
                 ["crawl", "--distributed", "--config", str(config), "--redis", url]):
        result = run_archiver(*args, timeout=60)
        assert result.returncode == 3, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert result.stderr.strip().startswith(f"Error: redis {url}:"), result.stderr
    result = run_archiver("crawl", "--distributed", "--config", str(config))
    assert result.returncode == 2 and "--redis" in result.stderr


def test_writer_commits_a_batch_left_by_a_killed_writer_once(tmp_path, client, redis_url):
    """The state a writer killed mid-batch leaves: messages in the writing list."""
    from archiver.distributed.messages import article_message
    from archiver.extract.page import Article

    queue = shared.ItemQueue(client)

    def message(i: int) -> bytes:
        article = Article(url=f"http://x.test/{i}", fetched_url=f"http://x.test/{i}",
                          title=f"Story {i}", text=f"text of story {i}", content_hash=f"h{i}")
        return article_message("x", article, fetched_at="2024-01-01T00:00:00+00:00",
                               requested_url=f"http://x.test/{i}", worker="w")

    for i in range(3):
        queue.push(message(i))
    queue.take(2, timeout=1)  # a writer took 0 and 1 ... and was killed before confirming
    queue.push(message(1))  # a worker's retry delivers 1 again (at-least-once)
    queue.push(b"{not json")
    db = tmp_path / "archive.db"
    result = run_archiver("writer", "--redis", redis_url, "--db", str(db), "--idle-exit", "1")
    assert result.returncode == 0, result.stderr
    assert "2 replayed after a crash" in result.stdout
    assert "1 unreadable messages skipped" in result.stdout
    assert "(3 new, 0 updated, 1 unchanged" in result.stdout
    with Store(db, readonly=True) as store:
        assert sorted(r["url"] for r in store.articles()) == [f"http://x.test/{i}"
                                                             for i in range(3)]
    assert queue.unfinished() == [] and queue.pending() == 0

    # A worker's run record reaching an archive without a `runs` table (the cron schema) is
    # kept in Redis, and stored by a later writer once the table is there.
    run = {"type": "run", "worker": "h-1-a", "host": "h", "pid": 1, "status": "ok",
           "exit_code": 0, "started": "2024-01-01T00:00:00+00:00",
           "finished": "2024-01-01T00:01:00+00:00",
           "sites": [{"site": "x", "pages_fetched": 3, "skipped": {"http_404": 1}, "errors": {}}]}
    queue.push(json.dumps(run).encode())
    with sqlite3.connect(db) as conn:  # as an archive from before the cron schema had it
        conn.executescript("DROP TABLE run_sites; DROP TABLE fetch_log; DROP TABLE runs;")
    result = run_archiver("writer", "--redis", redis_url, "--db", str(db), "--idle-exit", "1")
    assert "0 worker runs recorded (1 kept in Redis" in result.stdout, result.stdout
    with sqlite3.connect(db) as conn:
        conn.execute(RUNS_TABLE)
    for _ in range(2):  # stored once, however often the writer starts
        result = run_archiver("writer", "--redis", redis_url, "--db", str(db), "--idle-exit", "1")
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT host, pid, pages_fetched, skipped FROM runs").fetchall()
    assert rows == [("h", 1, 3, '{"http_404": 1}')]


def _run_status(db: Path, worker: str) -> str | None:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            row = conn.execute("SELECT status FROM runs WHERE worker = ?", (worker,)).fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def _wait_status(db: Path, worker: str, status: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while _run_status(db, worker) != status:
        if time.monotonic() > deadline or proc.poll() is not None:
            pytest.fail(f"run of {worker} never became {status} ({_run_status(db, worker)})")
        time.sleep(0.2)


def test_writer_marks_a_run_lost_once_its_heartbeat_expires(tmp_path, client, redis_url):
    queue = shared.ItemQueue(client)

    def record(worker: str, pid: int, status: str) -> bytes:
        message = {"type": "run", "worker": worker, "host": "h", "pid": pid,
                   "started": "2024-01-01T00:00:00+00:00", "status": status,
                   "sites": [{"site": "x"}]}  # as a worker starts (archiver.distributed.worker)
        if status != "running":  # as it ends
            message.update(exit_code=0, finished="2024-01-01T00:01:00+00:00",
                           sites=[{"site": "x", "pages_fetched": 3}])
        return json.dumps(message).encode()

    shared.run_beat(client, "alive", ttl=60)  # a worker still running
    shared.run_beat(client, "dying", ttl=1)  # a worker killed a moment ago
    queue.push(record("alive", 1, "running"))
    queue.push(record("dying", 2, "running"))
    db = tmp_path / "archive.db"
    log = tmp_path / "writer.log"
    writer = _start(["writer", "--redis", redis_url, "--db", str(db), "--idle-exit", "1"], log)
    try:
        _wait_status(db, "dying", "lost", writer)
        assert _run_status(db, "alive") == "running"  # its heartbeat goes on: not lost
        # A final record arriving after all (the worker was only slow) completes the row.
        queue.push(record("dying", 2, "ok"))
        _wait_status(db, "dying", "ok", writer)
        shared.run_end(client, "alive")  # ... and this one dies without a word
        writer.wait(timeout=60)
    finally:
        writer.kill()
    assert writer.returncode == 0, log.read_text()
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT worker, status, pages_fetched FROM runs ORDER BY id"
                            ).fetchall()
    assert rows == [("alive", "lost", 0), ("dying", "ok", 3)]
    shown = run_archiver("runs", "--db", str(db))
    assert [line.split()[3] for line in shown.stdout.splitlines()[1:]] == ["ok", "lost"]


# -- politeness shared across workers, each limit tested where it binds ---------------------


def _crawl_small_site(tmp_path: Path, redis_url: str, *, articles: int, server_delay: float,
                      delay: float, concurrency: int) -> list:
    """Two workers and a writer over a small generated site; the server's request log."""
    site = tmp_path / "site"
    generate_site(site, articles)
    with SiteServer(site, delay=server_delay) as server:
        config = write_site_config(tmp_path / "sites.toml", server.origin, delay=delay,
                                   concurrency=concurrency)
        db = tmp_path / "archive.db"
        _seed(config, redis_url)
        logs = [tmp_path / "worker1.log", tmp_path / "worker2.log", tmp_path / "writer.log"]
        procs = [_worker(config, redis_url, logs[0]), _worker(config, redis_url, logs[1]),
                 _writer(db, redis_url, logs[2])]
        _wait(procs, logs)
        log = list(server.log)
    for proc, path in zip(procs, logs, strict=True):
        assert proc.returncode == 0, path.read_text()[-3000:]
    for path in logs[:2]:  # both workers fetched: the limit is shared, not one worker's own
        assert " 0 pages fetched" not in path.read_text()
    with Store(db, readonly=True) as store:
        assert store.count() == articles
    return log


class _LeaseLog:
    """The domain leases workers take, read from Redis's MONITOR while a crawl runs.

    A lease is the `ZADD {p}lease:{domain}:held` of the acquire script, its score the Redis
    server's clock at acquisition (ms) plus the lease's fixed length: so the spacing of the
    scores is exactly the spacing the shared delay guarantees, whatever the scheduling of the
    workers that then send the requests, or of the server that logs them.
    """

    def __init__(self, url: str) -> None:
        import threading

        import redis

        self.client = redis.Redis.from_url(url)
        self.leases: list[tuple[int, str]] = []  # (score, worker)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        with self.client.monitor() as monitor:
            self.ready.set()
            while not self.stop.is_set():
                command = monitor.next_command()["command"].split(" ")
                if command[0].upper() == "ZADD" and command[1].endswith(":held"):
                    self.leases.append((int(command[2]), command[3].split("|")[0]))

    def __enter__(self) -> _LeaseLog:
        import threading

        self.ready = threading.Event()
        self.thread.start()
        assert self.ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.client.ping()  # a last line for the monitor to read, so the thread sees `stop`
        self.thread.join(10)


@pytest.mark.slow
def test_delay_between_requests_holds_across_workers(tmp_path, client, redis_url):
    # The server answers at once, so only the shared delay spaces the requests: two workers
    # each keeping their own delay would take leases twice as often, with gaps under it.
    delay = 0.25
    with _LeaseLog(redis_url) as leases:
        log = _crawl_small_site(tmp_path, redis_url, articles=30, server_delay=0, delay=delay,
                                concurrency=4)
    assert len(leases.leases) >= len(log)  # every request the server saw took a lease
    assert len({worker for _, worker in leases.leases}) == 2  # both workers took leases
    taken = sorted(score for score, _ in leases.leases)
    gaps = [b - a for a, b in zip(taken, taken[1:], strict=False)]
    assert min(gaps) >= delay * 1000, gaps  # ms on the Redis server's clock, no slack needed


@pytest.mark.slow
def test_concurrency_per_domain_holds_across_workers(tmp_path, client, redis_url):
    # Slow answers and no delay: each worker alone would keep 2 requests open, two workers 4.
    log = _crawl_small_site(tmp_path, redis_url, articles=30, server_delay=0.3, delay=0,
                            concurrency=2)
    events = sorted([(r.at, 1) for r in log] + [(r.done, -1) for r in log])
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    assert peak == 2


@pytest.mark.slow
def test_one_worker_works_every_site_within_the_shared_page_budget(tmp_path, client, redis_url):
    roots = [tmp_path / "a", tmp_path / "b"]
    for root in roots:
        generate_site(root, 12)
    with SiteServer(roots[0]) as one, SiteServer(roots[1]) as two:
        config = tmp_path / "sites.toml"
        config.write_text("[crawler]\ndownload_delay = 0\nconcurrent_per_domain = 4\n"
                          "allow_private_addresses = true\n" + "".join(
            f'[sites.{name}]\ndomains = ["127.0.0.1"]\nsitemaps = ["{s.origin}/sitemap.xml"]\n'
            for name, s in (("one", one), ("two", two))), encoding="utf-8")
        result = run_archiver("crawl", "--distributed", "--redis", redis_url,
                              "--config", str(config), "--max-pages", "5")
        assert "site one: 1 seeds queued" in result.stdout
        assert "site two: 1 seeds queued" in result.stdout
        db = _archive_with_runs(tmp_path / "archive.db")
        logs = [tmp_path / "worker.log", tmp_path / "writer.log"]
        procs = [_worker(config, redis_url, logs[0]), _writer(db, redis_url, logs[1])]
        _wait(procs, logs)
    assert [p.returncode for p in procs] == [0, 0], logs[0].read_text()[-3000:]
    with Store(db, readonly=True) as store:  # the run's page budget held, per site
        assert (store.count("one"), store.count("two")) == (5, 5)
    with sqlite3.connect(db) as conn:
        (sites, skipped) = conn.execute("SELECT sites, skipped FROM runs").fetchone()
    assert sites == '["one", "two"]'
    assert json.loads(skipped) == {"page_budget": 14}


@pytest.mark.slow
def test_workers_keep_the_hostile_web_guards(tmp_path, client, redis_url):
    """A worker adds its components to the crawler's, it does not replace them."""
    generate_site(tmp_path / "site", 3)
    with SiteServer(tmp_path / "site") as server:
        config = tmp_path / "sites.toml"  # loopback is not allowed: the guard must refuse it
        config.write_text(f'[sites.g]\ndomains = ["127.0.0.1"]\n'
                          f'sitemaps = ["{server.origin}/sitemap.xml"]\n', encoding="utf-8")
        _seed_ok = run_archiver("crawl", "--distributed", "--redis", redis_url,
                                "--config", str(config))
        assert _seed_ok.returncode == 0, _seed_ok.stderr
        result = run_archiver("worker", "--redis", redis_url, "--config", str(config),
                              "--idle-exit", "1", cwd=tmp_path)
        assert server.paths() == []
    assert result.returncode == 1, result.stderr[-2000:]
    assert "non_public_address 1" in result.stdout


@pytest.mark.slow
def test_workers_pages_skipped_as_no_article_are_recorded_and_paywalls_flagged(
        tmp_path, client, redis_url):
    """Issue 18 in the distributed mode: a page a worker judges no article reaches the writer,
    which records it in `skipped_pages` under the worker's run with its capture, as `archiver
    crawl` does; `archiver reextract` brings it back from the worker's WARC file."""
    n = 6
    site = tmp_path / "site"
    generate_site(site, n)
    for i in (0, 1):  # one paragraph of about 40 words: too short for this site
        page = site / f"{article_path(i).lstrip('/')}.html"
        page.write_text(re.sub(r"<p>Story \d+ paragraph [1-3]:.*?</p>\n?", "",
                               page.read_text()))
    page = site / f"{article_path(2).lstrip('/')}.html"
    page.write_text(page.read_text().replace(
        "</head>", '<meta property="article:content_tier" content="locked"></head>'))
    db = tmp_path / "archive.db"
    with SiteServer(site) as server:
        config = write_site_config(tmp_path / "sites.toml", server.origin, delay=0,
                                   concurrency=4)
        with config.open("a") as fh:
            fh.write("min_words = 100\n")
        _run(config, db, redis_url, tmp_path, "run")
        short = {server.origin + article_path(i) for i in (0, 1)}
        with sqlite3.connect(db) as conn:
            skipped = conn.execute(
                "SELECT s.url, s.site, s.reason, r.worker, c.url, c.role FROM skipped_pages s "
                "LEFT JOIN runs r ON r.id = s.run_id "
                "LEFT JOIN captures c ON c.id = s.capture_id ORDER BY s.url").fetchall()
            flags = dict(conn.execute("SELECT url, paywalled FROM articles"))
        assert [row[0] for row in skipped] == sorted(short)
        for url, name, reason, worker, captured, role in skipped:
            assert (name, reason, captured, role) == ("gen", "too_short", url, "page")
            assert worker  # the run of the worker that fetched it
        assert set(flags) == {server.origin + article_path(i) for i in range(2, n)}
        assert flags == {u: int(u.endswith(article_path(2))) for u in flags}
        assert "too_short 2" in run_archiver("stats", "--db", str(db)).stdout

        lenient = tmp_path / "lenient.toml"
        lenient.write_text(config.read_text().replace("min_words = 100", "min_words = 10"))
        result = run_archiver("reextract", "--db", str(db), "--config", str(lenient))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "2 restored" in result.stdout, result.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM skipped_pages").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == n


def test_worker_and_writer_listen_on_no_port(tmp_path, client, redis_url):
    """As for `archiver crawl` (tests/crawl/test_no_listen.py): no telnet console, no remote-control
    server, in the worker, its extraction processes, or the writer."""
    from ..netcheck import descendants, listening

    site = tmp_path / "site"
    generate_site(site, 20)
    with SiteServer(site) as server:
        # A shared delay keeps the worker fetching for seconds (20 × 0.3 s), to be watched.
        config = write_site_config(tmp_path / "sites.toml", server.origin, delay=0.3,
                                   concurrency=2)
        db = tmp_path / "archive.db"
        _seed(config, redis_url)
        logs = [tmp_path / "worker.log", tmp_path / "writer.log"]
        procs = [_worker(config, redis_url, logs[0]), _writer(db, redis_url, logs[1])]
        seen: dict[str, list[str]] = {}
        proof = 0
        deadline = time.monotonic() + 240
        while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
            fetching = any(r.path.startswith("/news/") for r in list(server.log))
            for name, proc in zip(("worker", "writer"), procs, strict=True):
                for pid in [proc.pid, *descendants(proc.pid)]:
                    ports = listening(pid)
                    if ports:
                        seen[f"{name} {pid}"] = ports
            if fetching and all(p.poll() is None for p in procs) and descendants(procs[0].pid):
                proof += 1  # the worker's engine and extraction pool are up, the writer too
            time.sleep(0.05)
        _wait(procs, logs)
    assert [p.returncode for p in procs] == [0, 0], logs[0].read_text()[-3000:]
    assert proof > 0, "never sampled the worker and writer while the worker fetched"
    assert seen == {}, seen
    assert "listening on" not in logs[0].read_text()
