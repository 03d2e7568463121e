"""The archive's one clock: every timestamp the store writes, and every "now" its schedule
compares with, comes from here (one place to read, and one to change)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def now_iso() -> str:
    """The current UTC time as ISO 8601 with seconds: the archive's timestamp format."""
    return now().replace(microsecond=0).isoformat()
