"""Named errors of the archive and the exit codes cron sees, mapped once at the CLI edge."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of `archiver` commands, documented in the README for cron."""

    OK = 0  #: the run completed and every seed (feed, sitemap, start page) answered
    PARTIAL = 1  #: the run completed, but some pages or seeds failed (see the summary)
    USAGE = 2  #: bad command line or bad config: nothing was crawled
    FAILED = 3  #: the run could not go on (database unusable, crawler crashed)
    LOCKED = 4  #: another crawl holds this archive's lock
    INTERRUPTED = 130  #: stopped by SIGINT/SIGTERM; what was fetched is stored


class ArchiverError(Exception):
    """Base class: every error the CLI turns into one line and an exit code."""

    exit_code: ExitCode = ExitCode.FAILED


class ConfigError(ArchiverError):
    """The sites config is missing, malformed, or names something invalid."""

    exit_code = ExitCode.USAGE


class QueryError(ArchiverError):
    """A search query that SQLite FTS5 cannot parse."""

    exit_code = ExitCode.USAGE


class StoreError(ArchiverError):
    """The archive database cannot be opened or written."""

    exit_code = ExitCode.FAILED
