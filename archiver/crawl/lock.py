"""One crawl at a time per archive: an exclusive lock on a file beside the database.

The lock is `fcntl.flock` on `<db>.lock`, held for the whole crawl. The kernel releases it when
the holding process dies, however it dies (SIGKILL included), so a lock is never left behind by
a killed crawl; the file also records the holder's pid, host and start time, for the message a
second crawl prints and so a crawl can tell it took over after one that did not end cleanly.
A pid file alone could not tell a live crawl from a recycled pid; flock can.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
from pathlib import Path
from typing import Any

from archiver.errors import ArchiverError, ExitCode
from archiver.store.archive import now_iso

logger = logging.getLogger(__name__)


class LockedError(ArchiverError):
    """Another crawl holds this archive's lock."""

    exit_code = ExitCode.LOCKED


def lock_path(db_path: str | Path) -> Path:
    """The lock file of an archive: `<db>.lock` beside it."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


class CrawlLock:
    """Hold an archive's crawl lock (a context manager); LockedError when someone else holds it."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = lock_path(db_path)
        self.fd: int | None = None
        #: What the previous holder wrote, when it died without releasing (else None).
        self.stale: dict[str, Any] | None = None

    def acquire(self) -> CrawlLock:
        if not self.path.parent.is_dir():
            raise ArchiverError(f"{self.path.with_suffix('')}: folder {self.path.parent} "
                                "does not exist")
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ArchiverError(f"{self.path}: cannot create lock file: {exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd)
            os.close(fd)
            who = (f"pid {holder.get('pid')} on {holder.get('host')} since {holder.get('started')}"
                   if holder else "another process")
            raise LockedError(f"{self.path.with_suffix('')}: another crawl is running ({who}); "
                              "exiting") from None
        except OSError as exc:
            os.close(fd)
            raise ArchiverError(f"{self.path}: cannot lock: {exc}") from None
        previous = _read(fd)
        if previous:
            self.stale = previous
            logger.warning("took over the crawl lock left by pid %s on %s (started %s), "
                           "which ended without releasing it", previous.get("pid"),
                           previous.get("host"), previous.get("started"))
        mine = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                           "started": now_iso()})
        os.ftruncate(fd, 0)
        os.pwrite(fd, mine.encode() + b"\n", 0)
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.ftruncate(self.fd, 0)  # empty: released cleanly (not stale)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> CrawlLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read(fd: int) -> dict[str, Any]:
    try:
        data = os.pread(fd, 4096, 0)
        value = json.loads(data.decode("utf-8")) if data.strip() else {}
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
