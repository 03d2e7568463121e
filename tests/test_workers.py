"""The extraction pool cuts a page that runs past its time, keeps serving the next one, and keeps
working for as many pages as a crawl sends it."""

from __future__ import annotations

import time
from concurrent.futures import wait

import pytest

from archiver import workers
from archiver.extract import content_hash


def test_a_call_past_its_time_is_cut_and_the_pool_goes_on():
    workers.acquire(1)
    try:
        slow = workers.submit(0.5, time.sleep, 30)
        with pytest.raises(workers.ExtractionTimeout):
            slow.result(timeout=60)
        assert workers.submit(5, sum, [1, 2, 3]).result(timeout=60) == 6
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
