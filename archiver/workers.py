"""A process pool for extraction, so CPU-bound parsing never runs on the reactor thread."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

_pool: ProcessPoolExecutor | None = None
_users = 0


def acquire(workers: int) -> ProcessPoolExecutor:
    """The shared pool (created on first use); pair every call with `release`."""
    global _pool, _users
    if _pool is None:
        # spawn: a fork of a process running the Twisted reactor and its threads is unsafe.
        # No max_tasks_per_child: on Python 3.11 the pool stops replacing workers once all have
        # retired, and every later future waits forever (a crawl hung at 2 x 500 pages).
        # Worker memory stays flat without recycling (bench/: 10k- vs 2k-page crawl).
        _pool = ProcessPoolExecutor(max_workers=max(1, workers),
                                    mp_context=multiprocessing.get_context("spawn"))
    _users += 1
    return _pool


def release() -> None:
    """Shut the pool down once its last user is done."""
    global _pool, _users
    _users = max(0, _users - 1)
    if _users == 0 and _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None
