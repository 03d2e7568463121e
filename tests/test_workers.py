"""The extraction pool cuts a page that runs past its time and keeps serving the next one."""

from __future__ import annotations

import time

import pytest

from archiver import workers


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
