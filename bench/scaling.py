"""Scaling benchmark: articles/s of 1, 2 and 4 distributed workers and the writer's ingest rate,
as ratios to one single-process `archiver crawl` of the same generated site, in the same run.

Usage: .venv/bin/python bench/scaling.py [--articles 500] [--workers 1,2,4] [--ingest 20000]

Needs redis-server on PATH (started here on a free loopback port, no persistence). Everything
runs on this machine over 127.0.0.1; ratios, not absolute numbers, are the result (the machine
and its other load change the absolute ones). Politeness is lifted (no delay, 8 concurrent
requests per domain, shared by the workers), so the crawl is bound by fetch + extraction CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archiver.demo.siteserver import SiteServer  # noqa: E402
from archiver.distributed import redis_state  # noqa: E402
from archiver.distributed.messages import article_message  # noqa: E402
from archiver.distributed.writer import ArchiveWriter  # noqa: E402
from archiver.extract.page import Article  # noqa: E402
from archiver.store.archive import Store  # noqa: E402
from tests.sitegen import WORDS, generate_site, write_site_config  # noqa: E402

CONCURRENCY = 8


def archiver(*args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "archiver", *args],
                            stdout=log.open("w"), stderr=subprocess.STDOUT)


def count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    exe = shutil.which("redis-server")
    if exe is None:
        sys.exit("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(folder)],
                            stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            redis_state.connect(url)
            return proc, url
        except redis_state.RedisUnavailable:
            time.sleep(0.05)
    sys.exit("redis-server did not start")


def single_process(work: Path, config: Path, n: int) -> float:
    db = work / "single.db"
    start = time.monotonic()
    proc = archiver("crawl", "--config", str(config), "--db", str(db),
                    log=work / "single.log")
    proc.wait()
    elapsed = time.monotonic() - start
    assert count(db) == n, f"single-process crawl stored {count(db)} of {n}"
    return elapsed


def distributed(work: Path, config: Path, url: str, n: int, workers: int) -> float:
    client = redis_state.connect(url)
    client.flushall()
    db = work / f"dist{workers}.db"
    seed = subprocess.run([sys.executable, "-m", "archiver", "crawl", "--distributed",
                           "--redis", url, "--config", str(config)], capture_output=True)
    assert seed.returncode == 0, seed.stderr
    start = time.monotonic()
    warc = work / f"dist{workers}-warc"  # workers keep WARC captures, as the single crawl does
    procs = [archiver("worker", "--config", str(config), "--redis", url, "--idle-exit", "2",
                      "--warc-dir", str(warc), log=work / f"dist{workers}-w{i}.log")
             for i in range(workers)]
    procs.append(archiver("writer", "--redis", url, "--db", str(db), "--idle-exit", "3",
                          "--warc-dir", str(warc), log=work / f"dist{workers}-writer.log"))
    while count(db) < n:  # time to archive everything, not the idle wait before exit
        if all(p.poll() is not None for p in procs):
            raise SystemExit(f"{workers} workers stored only {count(db)} of {n}")
        time.sleep(0.05)
    elapsed = time.monotonic() - start
    for p in procs:
        p.wait()
    return elapsed


def writer_ingest(work: Path, url: str, m: int) -> float:
    """Articles/s the writer commits from a full Redis list (batches of 500)."""
    client = redis_state.connect(url)
    client.flushall()
    queue = redis_state.ItemQueue(client)
    text = " ".join(WORDS * 6)  # ~300 words, a short news article
    with client.pipeline(transaction=False) as pipe:
        for i in range(m):
            a = Article(url=f"http://bench.test/{i}", fetched_url=f"http://bench.test/{i}",
                        title=f"Story {i}", text=f"{i} {text}", content_hash=f"h{i}",
                        word_count=301)
            pipe.lpush(queue.key, article_message("bench", a, fetched_at="2024-01-01T00:00:00",
                                                  requested_url=a.url, worker="bench"))
        pipe.execute()
    with Store(work / "ingest.db") as store:
        writer = ArchiveWriter(store, queue)
        start = time.monotonic()
        while batch := queue.take(500, timeout=0.1):
            writer.commit(batch)
        elapsed = time.monotonic() - start
        assert store.count() == m
    return m / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--ingest", type=int, default=20000)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="archiver-scaling-") as tmp:
        work = Path(os.environ.get("SCALING_WORKDIR") or tmp)
        work.mkdir(parents=True, exist_ok=True)
        site = work / "site"
        generate_site(site, args.articles)
        redis_proc, url = start_redis(work)
        try:
            with SiteServer(site) as server:
                config = write_site_config(work / "sites.toml", server.origin, delay=0,
                                           concurrency=CONCURRENCY)
                base = args.articles / single_process(work, config, args.articles)
                rows = {"single-process crawl": base}
                for k in (int(x) for x in args.workers.split(",")):
                    secs = distributed(work, config, url, args.articles, k)
                    rows[f"{k} worker{'s' if k > 1 else ''} + writer"] = args.articles / secs
            rows["writer ingest (max)"] = writer_ingest(work, url, args.ingest)
        finally:
            redis_proc.terminate()
            redis_proc.wait()
    if args.json:
        print(json.dumps({"cores": os.cpu_count(), "articles": args.articles,
                          "articles_per_s": rows}, indent=2))
        return
    print(f"scaling: {args.articles} generated articles on 127.0.0.1, {os.cpu_count()} cores")
    print(f"{'run':28} {'articles/s':>11} {'ratio':>7}")
    for name, rate in rows.items():
        print(f"{name:28} {rate:11.1f} {rate / base:6.2f}x")


if __name__ == "__main__":
    main()
