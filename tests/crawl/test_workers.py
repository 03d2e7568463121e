"""The extraction pool cuts a page that runs past its time, keeps serving the next one, and keeps
working for as many pages as a crawl sends it."""

from __future__ import annotations

import time
from concurrent.futures import wait
from pathlib import Path

import pytest

from archiver.crawl import pool as workers
from archiver.extract.page import content_hash


def test_a_call_past_its_time_is_cut_and_the_pool_goes_on():
    workers.acquire(1)
    try:
        slow = workers.submit(0.5, time.sleep, 30)
        with pytest.raises(workers.ExtractionTimeout):
            slow.result(timeout=60)
        assert workers.submit(5, sum, [1, 2, 3]).result(timeout=60) == 6
    finally:
        workers.release()


def test_a_new_pool_starts_all_its_workers_at_once():
    """Before any page is submitted, so a crawl's first pages never wait for worker imports."""
    import multiprocessing

    before = set(multiprocessing.active_children())
    workers.acquire(2)
    try:
        started = set(multiprocessing.active_children()) - before
        assert len(started) == 2
        workers.acquire(2)  # a second user shares the pool: no more processes
        workers.release()
        assert set(multiprocessing.active_children()) - before == started
    finally:
        workers.release()


def test_recycle_replaces_a_stuck_pool():
    pool = workers.acquire(1)
    try:
        stuck = workers.submit(600, time.sleep, 600)
        time.sleep(0.5)
        workers.recycle()
        with pytest.raises(BaseException):  # noqa: B017 (the old pool's work is lost)
            stuck.result(timeout=60)
        assert workers.submit(5, max, [4, 9]).result(timeout=60) == 9
        assert workers._pool is not pool
    finally:
        workers.release()


@pytest.mark.slow
def test_pool_serves_more_tasks_than_a_worker_lifetime() -> None:
    # With max_tasks_per_child=500 and 2 workers, Python 3.11's pool stopped after 1,000
    # tasks and the rest waited forever: a 2,000-page crawl hung halfway (found by bench/).
    pool = workers.acquire(2)
    futures = [pool.submit(content_hash, "title", f"text {i}") for i in range(1100)]
    done, pending = wait(futures, timeout=120)
    if pending:  # a stuck pool cannot shut down cleanly: abandon it, then fail
        pool.shutdown(wait=False, cancel_futures=True)
        workers._pool, workers._users = None, 0
    else:
        workers.release()
    assert not pending, f"{len(pending)} of 1100 tasks never ran"
    assert {f.result() for f in done} == {content_hash("title", f"text {i}")
                                          for i in range(1100)}


ORPHANING_PARENT = """
import os, sys, time
from archiver.crawl import pool as workers
pool = workers.acquire(2)
for future in [pool.submit(time.sleep, 1) for _ in range(4)]:  # busy: the pool starts both
    future.result()
pids = set(pool._processes)
print(" ".join(str(p) for p in sorted(pids)), flush=True)
sys.stdin.read()  # wait to be killed
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_of_a_sigkilled_parent_exit() -> None:
    import os
    import signal
    import subprocess
    import sys

    parent = subprocess.Popen([sys.executable, "-c", ORPHANING_PARENT], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in parent.stdout.readline().split()]
    assert len(pids) == 2 and all(_alive(p) for p in pids)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 60  # a liveness bound, not a speed claim
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(p) for p in pids), "pool workers outlived their killed parent"


CRAWL_WATCHING_THE_POOL = """
import sys
from pathlib import Path

import scrapy.crawler

from archiver.crawl import pool as workers
from archiver.config import load_config
from archiver.crawl.run import run_crawl

seen = []
plain = scrapy.crawler.CrawlerProcess.__init__


def watched(self, *args, **kwargs):  # records the pool when the crawl hands over to Scrapy
    seen.append(len(workers._pool._processes) if workers._pool else 0)
    plain(self, *args, **kwargs)


scrapy.crawler.CrawlerProcess.__init__ = watched
summary = run_crawl(load_config(Path(sys.argv[1])), Path(sys.argv[2]), log_level="WARNING")
print("processes-before-scrapy", seen, "pool-after", workers._pool, "users", workers._users,
      "articles", summary.total_articles)
"""


@pytest.mark.slow
def test_a_crawl_starts_its_workers_before_scrapy_and_stops_them_after(tmp_path, seed_server):
    import subprocess
    import sys

    from ..support import write_config

    config = write_config(tmp_path / "sites.toml", seed_server, feeds=["/rss.xml"])
    out = subprocess.run([sys.executable, "-c", CRAWL_WATCHING_THE_POOL, str(config),
                          str(tmp_path / "archive.db")], capture_output=True, text=True,
                         timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr[-2000:]
    # write_config asks for one extraction worker; it is running before Scrapy is created.
    assert "processes-before-scrapy [1] pool-after None users 0 articles 4" in out.stdout, (
        out.stdout + out.stderr[-2000:])
