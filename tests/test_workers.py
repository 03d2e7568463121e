"""The extraction pool keeps working for as many pages as a crawl sends it."""

from __future__ import annotations

from concurrent.futures import wait

import pytest

from archiver import workers
from archiver.extract import content_hash


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
