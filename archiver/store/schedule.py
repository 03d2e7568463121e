"""When an archived article is due for another look: the revisit schedule, as pure functions.

A schedule is a list of ages ("1h", "6h", "1d", ...). An article is revisited once when it
passes each age, then never again: news is edited in its first hours and days, rarely later.
The age counts from when the archive first saw the article, or from its publication date when
that is more than a day older (an old article found late is not revisited as if it were news).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from archiver.store.clock import now as clock_now

#: The default schedule, in seconds: 1 hour, 6 hours, 1 day, 3 days, 7 days, then never.
DEFAULT_SCHEDULE: tuple[int, ...] = (3600, 6 * 3600, 86400, 3 * 86400, 7 * 86400)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION_RE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")


def parse_duration(text: str | int) -> int:
    """Seconds in "90s", "30m", "6h", "3d", "2w" (or a plain integer of seconds)."""
    if isinstance(text, int) and not isinstance(text, bool):
        if text < 0:
            raise ValueError(f"{text}: a duration cannot be negative")
        return text
    match = _DURATION_RE.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a duration (like \"30m\", \"6h\", \"3d\", \"2w\")")
    return int(match.group(1)) * _UNITS[match.group(2)]


def parse_schedule(values: list[str | int]) -> tuple[int, ...]:
    """A schedule from config text: durations, strictly increasing (empty: never revisit)."""
    seconds = tuple(parse_duration(v) for v in values)
    if any(b <= a for a, b in zip(seconds, seconds[1:], strict=False)):
        raise ValueError("revisit ages must increase (like [\"1h\", \"6h\", \"1d\"])")
    return seconds


def parse_time(text: str | None) -> datetime | None:
    """An ISO 8601 date or datetime as an aware UTC datetime, or None when it does not parse."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso(value: datetime) -> str:
    """UTC ISO 8601 with seconds, the archive's timestamp format."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def age_anchor(first_seen: str, published: str | None) -> datetime:
    """The moment an article's age counts from (see the module docstring)."""
    seen = parse_time(first_seen) or clock_now()
    pub = parse_time(published)
    if pub is not None and pub < seen - timedelta(days=1):
        return pub
    return seen


def next_check(first_seen: str, published: str | None, checked_at: str,
               schedule: tuple[int, ...] | list[int]) -> str | None:
    """When to look at the article next, after a look at `checked_at`; None means never."""
    anchor = age_anchor(first_seen, published)
    checked = parse_time(checked_at) or clock_now()
    for age in schedule:
        due = anchor + timedelta(seconds=age)
        if due > checked:
            return iso(due)
    return None


def is_due(next_check_at: str | None, now: datetime | None = None) -> bool:
    """Whether a stored next-check time has come (None: never again)."""
    due = parse_time(next_check_at)
    if due is None:
        return False
    return due <= (now or clock_now())


#: A site's "last changed" date this far ahead of our clock is a wrong date, not a change
#: (a little ahead is clock skew or a time zone written as UTC, and counts as "now").
FUTURE_SKEW = timedelta(minutes=10)

#: What a feed's or sitemap's date says about an archived page (`site_modified`).
NEWER, NOT_NEWER, MALFORMED, FUTURE = "newer", "not_newer", "malformed", "future"


def parse_site_date(text: str | None) -> datetime | None:
    """A sitemap `<lastmod>` (W3C datetime) or feed date (ISO 8601, or RFC 822 as RSS writes
    them) as an aware UTC datetime; None when it is not a date."""
    if not text or not text.strip():
        return None
    value = parse_time(text.strip())
    if value is not None:
        return value
    from email.utils import parsedate_to_datetime

    try:
        value = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def site_modified(modified: str | None, last_fetch: str | None,
                  now: datetime | None = None) -> str | None:
    """Whether the site's "last changed" date makes an archived page due before its schedule.

    NEWER when the date is after the archive's last fetch of the page; NOT_NEWER when it is
    not (the page was fetched since it last changed); MALFORMED or FUTURE (more than
    FUTURE_SKEW ahead) for a date that cannot be trusted, which is ignored and counted;
    None when the site gave no date or the page was never fetched.
    """
    if not modified or not last_fetch:
        return None
    when = parse_site_date(modified)
    if when is None:
        return MALFORMED
    now = now or clock_now()
    if when > now + FUTURE_SKEW:
        return FUTURE
    fetched = parse_time(last_fetch)
    if fetched is None:
        return None
    return NEWER if min(when, now) > fetched else NOT_NEWER
