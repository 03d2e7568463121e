"""The archive's connection and transactions: the one place that opens the file, migrates it,
and turns SQLite's errors into `StoreError` (or, for a search the user typed, `QueryError`).

Every part of the store (articles, site templates, captures, runs, crawl state, skipped pages,
search) writes through one `Core`: one connection, one transaction at a time, one rule for
what a failure says. The parts keep their own SQL; none of them catches `sqlite3` errors.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from archiver.errors import QueryError, StoreError
from archiver.store import migrations, search_index
from archiver.store.lean_imports import Database

BUSY_TIMEOUT_MS = 30_000
#: Environment variable overriding BUSY_TIMEOUT_MS, in seconds: how long a write waits for a
#: lock held by another process (an analyst's open transaction) before the run stops.
BUSY_TIMEOUT_ENV = "ARCHIVER_BUSY_TIMEOUT"
#: OperationalError messages that mean the database, not the query, is at fault.
STORE_FAILURES = ("no such table", "locked", "disk", "malformed", "readonly", "unable to open",
                  "corrupt", "I/O")
#: Values bound per `IN (...)` (well under SQLite's limit on host parameters).
LOOKUP_CHUNK = 500


def busy_timeout_ms() -> int:
    """The busy timeout: BUSY_TIMEOUT_MS, or ARCHIVER_BUSY_TIMEOUT seconds when set, so an
    operator whose analysts hold long transactions can wait longer (and tests, shorter)."""
    raw = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not raw:
        return BUSY_TIMEOUT_MS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86_400:
        raise StoreError(f"{BUSY_TIMEOUT_ENV}={raw!r}: expected seconds between 0 and 86400")
    return int(seconds * 1000)


@contextmanager
def store_errors(path: str | Path, what: str, *, query: str | None = None,
                 hint: str = "") -> Iterator[None]:
    """Raise StoreError("PATH: WHAT: sqlite's message HINT") for any SQLite error inside.

    With `query` (text a user typed for FTS5), an OperationalError that does not name a
    database failure (`STORE_FAILURES`) is the query's fault: QueryError, with a hint to quote.
    """
    try:
        yield
    except sqlite3.DatabaseError as exc:
        message = str(exc)
        if query is not None and isinstance(exc, sqlite3.OperationalError) \
                and not any(word in message for word in STORE_FAILURES):
            raise QueryError(f"cannot parse search query {query!r}: {message} "
                             '(put words in double quotes to search them literally)') from None
        raise StoreError(f"{path}: {what}: {message}{hint}") from None


def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open the archive with WAL and a busy timeout, so readers and one writer coexist."""
    path = Path(path)
    timeout_ms = busy_timeout_ms()
    with store_errors(path, "cannot open archive"):
        if readonly:
            if not path.exists():
                raise StoreError(f"{path}: no such archive (run `archiver crawl` first)")
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                   timeout=timeout_ms / 1000)
        else:
            if path.parent and not path.parent.exists():
                raise StoreError(f"{path}: folder {path.parent} does not exist")
            conn = sqlite3.connect(str(path), timeout=timeout_ms / 1000)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA busy_timeout={timeout_ms}")
        conn.execute("PRAGMA foreign_keys=ON")
    return conn


def chunks(values: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[Any]]:
    """`values` in slices of at most `size`, one `IN (...)` each."""
    for i in range(0, len(values), size):
        yield values[i:i + size]


def marks(values: Sequence[Any]) -> str:
    """`?, ?, ...`: one placeholder per value."""
    return ", ".join("?" for _ in values)


def as_dicts(cur: sqlite3.Cursor) -> list[dict[str, Any]]:
    """A cursor's rows as dicts by column name."""
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur]


def first_dict(cur: sqlite3.Cursor) -> dict[str, Any] | None:
    """A cursor's first row as a dict by column name (None: no row)."""
    values = cur.fetchone()
    if values is None:
        return None
    return dict(zip([d[0] for d in cur.description], values, strict=True))


class Core:
    """One open archive: its connection, its migrations (run once, here, on a writable open),
    and its transactions."""

    def __init__(self, path: str | Path, *, readonly: bool = False, check: bool = False) -> None:
        self.path = Path(path)
        self.conn = connect(self.path, readonly=readonly)
        self.db = Database(self.conn)
        self.in_batch = False  #: inside `batch`: transactions are savepoints
        self.bulk_cache = False  #: the page cache was raised for bulk writes (`raise_cache`)
        if check:
            self.quick_check()
        if not readonly:
            with self.errors("cannot prepare archive"):
                migrations.apply(self.db)
            search_index.track_forms(self.conn)

    def close(self) -> None:
        self.conn.close()

    def errors(self, what: str, *, query: str | None = None,
               hint: str = "") -> AbstractContextManager[None]:
        """`store_errors` for this archive."""
        return store_errors(self.path, what, query=query, hint=hint)

    def quick_check(self) -> None:
        """Raise StoreError unless SQLite finds the file sound, before anything writes to it.

        A damaged archive must never be written over: the crawl refuses it, and the owner
        can still recover rows from it (`sqlite3 archive.db .recover`).
        """
        try:
            found = [row[0] for row in self.conn.execute("PRAGMA quick_check(3)")]
        except sqlite3.DatabaseError as exc:
            found = [str(exc)]
        if found != ["ok"]:
            self.conn.close()
            raise StoreError(f"{self.path}: archive is damaged ({found[0]}); left untouched "
                             "(try `sqlite3 ARCHIVE .recover`)")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (BEGIN IMMEDIATE: fail fast on a held write lock).

        Inside `batch`, a savepoint of the batch's transaction instead: all of it or none of
        it is kept, as alone, but it is committed with the batch.
        """
        if self.in_batch:
            self.conn.execute("SAVEPOINT step")
            try:
                yield
            except BaseException:
                if self.conn.in_transaction:  # SQLite may have rolled it all back already
                    self.conn.execute("ROLLBACK TO step")
                    self.conn.execute("RELEASE step")
                raise
            else:
                self.conn.execute("RELEASE step")
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            search_index.flush_forms(self.conn)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    @contextmanager
    def writing(self, what: str) -> Iterator[None]:
        """A transaction whose SQLite errors say "cannot WHAT" (StoreError)."""
        with self.errors(f"cannot {what}"), self.transaction():
            yield

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Commit many small writes at once: each `transaction()` inside is a savepoint, and
        one COMMIT (with one flush of the full-text index) ends the batch.

        For batch passes (reextract) that have their results in hand: a commit per article was
        about a quarter of reextract's own CPU (bench/ row 6). Keep the batch to the writes
        themselves (never wait on other work inside it): it holds the archive's write lock.
        Every step that finished is committed, also when the batch is interrupted. Raises
        StoreError when the lock cannot be had or the commit fails.
        """
        if self.in_batch:
            raise RuntimeError("Store.batch does not nest")
        with self.errors("cannot store"):
            self.conn.execute("BEGIN IMMEDIATE")
        self.in_batch = True
        try:
            yield
        finally:
            self.in_batch = False
            with self.errors("cannot store"):
                try:
                    if self.conn.in_transaction:
                        search_index.flush_forms(self.conn)
                        self.conn.execute("COMMIT")
                except sqlite3.DatabaseError:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise

    def raise_cache(self, kib: int) -> None:
        """Give this connection a page cache of `kib` KiB from now on (once: bulk writes)."""
        if not self.bulk_cache:
            self.conn.execute(f"PRAGMA cache_size = {-kib}")
            self.bulk_cache = True

    def write(self, what: str, sql: str, params: Any = ()) -> sqlite3.Cursor:
        """One statement in its own transaction."""
        with self.writing(what):
            return self.conn.execute(sql, params)

    def dicts(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """The rows of a read of the crawl records, as dicts."""
        with self.errors("cannot read", hint=" (an archive from before crawl records? run "
                                             "`archiver crawl` once)"):
            cur = self.conn.execute(sql, params)
        return as_dicts(cur)

    def has_table(self, name: str) -> bool:
        return name in self.db.table_names()

    def columns(self, table: str) -> dict[str, Any]:
        """The table's columns by name (empty when there is no such table)."""
        return self.db[table].columns_dict


class Part:
    """A part of the archive: the SQL of the tables it keeps, run on the archive's one
    connection (`core`), in the core's transactions."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.conn = core.conn
