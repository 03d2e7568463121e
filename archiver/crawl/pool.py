"""A process pool for extraction, so CPU-bound parsing never runs on the reactor thread."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

_pool: ProcessPoolExecutor | None = None
_users = 0
_processes = 1


class ExtractionTimeout(BaseException):  # noqa: N818 (a signal, not an error)
    """Raised inside a pool process when one page's extraction runs past its time.

    A BaseException, so no `except Exception` inside trafilatura or lxml swallows it.
    """


def _new_pool(processes: int) -> ProcessPoolExecutor:
    # spawn: a fork of a process running the Twisted reactor and its threads is unsafe.
    # No max_tasks_per_child: on Python 3.11 the pool stops replacing processes once all have
    # retired, and every later future waits forever (a crawl hung at 2 x 500 pages, bench/).
    return ProcessPoolExecutor(max_workers=max(1, processes),
                               mp_context=multiprocessing.get_context("spawn"),
                               initializer=_warm_up)


def _exit_when_orphaned(parent: int, every: float = 1.0) -> None:
    """End this pool process once its parent is gone.

    A pool process holds both ends of its task queue's pipe, so a SIGKILLed crawl (cron's
    timeout, the OOM killer) never gives it EOF: it would wait, holding its memory, forever.
    """
    while True:
        time.sleep(every)
        if os.getppid() != parent:
            os._exit(0)


def _warm_up() -> None:
    """Load what extraction loads lazily (modules, language models) before any timed call.

    Otherwise a fresh process's first page pays for it, and a timeout cutting an import
    half-way leaves the next page to pay again. Also starts the orphan watch.
    """
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True,
                     name="orphan-watch").start()
    from archiver.extract.page import warm_up

    warm_up()


def _started() -> None:
    """Nothing: submitted once per process so the pool starts its processes at once."""


def acquire(processes: int) -> ProcessPoolExecutor:
    """The shared pool (created on first use); pair every call with `release`.

    A new pool starts its processes now: the executor would spawn each on a later `submit`,
    so the first pages would wait for its imports and warm-up (about a second on two cores)
    while it could have run beside the crawl's own start.
    """
    global _pool, _users, _processes
    if _pool is None:
        _processes = max(1, processes)
        _pool = _new_pool(_processes)
        for _ in range(_processes):  # each submit with no idle process spawns one
            _pool.submit(_started)
    _users += 1
    return _pool


def release() -> None:
    """Shut the pool down once its last user is done."""
    global _pool, _users
    _users = max(0, _users - 1)
    if _users == 0 and _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


def _on_alarm(signum: int, frame: object) -> None:
    raise ExtractionTimeout()


def call_with_timeout(seconds: float, fn: Callable[..., Any], /, *args: Any,
                      **kwargs: Any) -> Any:
    """Run `fn` in this (pool) process, cut by SIGALRM after `seconds`."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def submit(seconds: float, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
    """Run `fn(*args, **kwargs)` in the shared pool with a per-call time limit."""
    if _pool is None:
        raise RuntimeError("pool.submit before pool.acquire")
    return _pool.submit(call_with_timeout, seconds, fn, *args, **kwargs)


def recycle() -> None:
    """Kill the pool's processes and start a fresh pool.

    For a process stuck where SIGALRM cannot reach it (inside one long C call): the only cure
    is to end the process. Work in flight on the old pool fails and is counted by its caller.
    """
    global _pool
    if _pool is None:
        return
    old, _pool = _pool, _new_pool(_processes)
    for process in list((getattr(old, "_processes", None) or {}).values()):
        process.kill()
    old.shutdown(wait=False, cancel_futures=True)
