"""The revisit schedule (pure), its config key, and the crawl lock, without a crawler."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from archiver.config import parse_config
from archiver.crawl.lock import CrawlLock, LockedError, lock_path
from archiver.errors import ArchiverError, ConfigError, ExitCode
from archiver.store.schedule import (
    DEFAULT_SCHEDULE,
    is_due,
    next_check,
    parse_duration,
    parse_schedule,
)

H, D = 3600, 86400


@pytest.mark.parametrize("text, seconds", [("90s", 90), ("30m", 1800), ("6h", 6 * H),
                                           ("3d", 3 * D), ("2w", 14 * D), (45, 45)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "6", "h", "-1h", "1.5h", "1y", True, -5])
def test_parse_duration_rejects(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_schedule_must_increase_and_may_be_empty():
    assert parse_schedule(["1h", "6h", "1d", "3d", "7d"]) == DEFAULT_SCHEDULE
    assert parse_schedule([]) == ()
    with pytest.raises(ValueError, match="increase"):
        parse_schedule(["6h", "1h"])


def test_next_check_walks_the_schedule_then_stops():
    first = "2026-01-01T10:00:00+00:00"
    sched = DEFAULT_SCHEDULE
    assert next_check(first, None, first, sched) == "2026-01-01T11:00:00+00:00"
    assert next_check(first, None, "2026-01-01T11:00:05+00:00", sched) == \
        "2026-01-01T16:00:00+00:00"
    assert next_check(first, None, "2026-01-02T12:00:00+00:00", sched) == \
        "2026-01-04T10:00:00+00:00"
    assert next_check(first, None, "2026-01-08T10:00:00+00:00", sched) is None
    assert next_check(first, None, first, ()) is None


def test_age_counts_from_publication_only_when_it_is_much_older():
    first = "2026-01-10T10:00:00+00:00"
    # Published the same day (a date without time): age counts from first sight.
    assert next_check(first, "2026-01-10", first, DEFAULT_SCHEDULE) == \
        "2026-01-10T11:00:00+00:00"
    # Published nine days before the archive found it: past the schedule, never revisited.
    assert next_check(first, "2026-01-01T08:00:00Z", first, DEFAULT_SCHEDULE) is None
    # Published two days before: the 3-day and 7-day looks remain, counted from publication.
    assert next_check(first, "2026-01-08T10:00:00+00:00", first, DEFAULT_SCHEDULE) == \
        "2026-01-11T10:00:00+00:00"


def test_is_due():
    assert is_due("2000-01-01T00:00:00+00:00")
    assert not is_due("2999-01-01T00:00:00+00:00")
    assert not is_due(None)


SITE = """
[sites.a]
domains = ["example.com"]
feeds = ["https://example.com/rss"]
"""


def test_config_revisit_key():
    assert parse_config(SITE).sites["a"].revisit == DEFAULT_SCHEDULE
    config = parse_config(SITE + 'revisit = ["30m", "2h"]\n')
    assert config.sites["a"].revisit == (1800, 7200)
    assert parse_config(SITE + "revisit = []\n").sites["a"].revisit == ()
    with pytest.raises(ConfigError, match=r"site 'a': key 'revisit': 'soon' is not a duration"):
        parse_config(SITE + 'revisit = ["soon"]\n')


def test_second_lock_on_the_same_archive_is_refused(tmp_path):
    db = tmp_path / "archive.db"
    with CrawlLock(db):
        holder = json.loads(lock_path(db).read_text())
        assert holder["pid"] == os.getpid()
        with pytest.raises(LockedError, match="another crawl is running") as info:
            CrawlLock(db).acquire()
        assert info.value.exit_code == ExitCode.LOCKED == 4
        assert f"pid {os.getpid()}" in str(info.value)
    assert lock_path(db).read_text() == ""  # released cleanly
    with CrawlLock(db) as lock:
        assert lock.stale is None


def test_lock_left_by_a_killed_process_is_taken_over(tmp_path):
    db = tmp_path / "archive.db"
    code = ("import os, sys; from archiver.crawl.lock import CrawlLock; "
            f"CrawlLock({str(db)!r}).acquire(); os.kill(os.getpid(), 9)")
    subprocess.run([sys.executable, "-c", code], timeout=60)
    left = json.loads(lock_path(db).read_text())
    with CrawlLock(db) as lock:
        assert lock.stale is not None and lock.stale["pid"] == left["pid"] != os.getpid()


def test_unwritable_lock_place_is_a_clear_error(tmp_path):
    with pytest.raises(ArchiverError, match="missing-folder does not exist"):
        CrawlLock(tmp_path / "missing-folder" / "archive.db").acquire()


def test_site_dates_make_a_page_due_only_when_newer_than_the_last_fetch_and_trustworthy():
    from datetime import UTC, datetime

    from archiver.store.schedule import FUTURE, MALFORMED, NEWER, NOT_NEWER, site_modified

    now = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    fetched = "2024-06-01T08:00:00+00:00"
    assert site_modified("2024-06-01T09:00:00Z", fetched, now) == NEWER
    assert site_modified("2024-06-01T10:00:00+01:00", fetched, now) == NEWER  # 09:00 UTC
    assert site_modified("Sat, 01 Jun 2024 09:00:00 GMT", fetched, now) == NEWER  # RFC 822
    assert site_modified("2024-06-01T12:05:00Z", fetched, now) == NEWER  # clock skew: now
    assert site_modified("2024-06-01T07:59:59Z", fetched, now) == NOT_NEWER
    assert site_modified("2024-06-01", fetched, now) == NOT_NEWER  # midnight: before the fetch
    assert site_modified("2024-06-01T13:00:00Z", fetched, now) == FUTURE
    assert site_modified("2999-01-01", fetched, now) == FUTURE
    for bad in ("last tuesday", "2024-13-45", "0", "   "):
        assert site_modified(bad, fetched, now) == MALFORMED, bad
    assert site_modified(None, fetched, now) is None  # no date given
    assert site_modified("2024-06-01T09:00:00Z", None, now) is None  # never fetched
