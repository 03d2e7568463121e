"""The archive's one clock: every timestamp the store, the crawl components, the worker and
the writer record, and every "now" the schedule and stats compare with, comes from here (one
place to read, and one to change). Standard library only, so any stage may import it."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def now_iso() -> str:
    """The current UTC time as ISO 8601 with seconds: the archive's timestamp format."""
    return now().replace(microsecond=0).isoformat()
