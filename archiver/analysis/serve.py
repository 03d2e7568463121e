"""Serves an archive read-only in Datasette, with the bundled metadata, templates and plugin."""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from archiver.errors import ArchiverError, ExitCode
from archiver.store.archive import Store

#: Datasette settings tuned for an archive: long text cut in tables (whole on row pages),
#: room for FTS and facets over many rows.
SETTINGS = {
    "truncate_cells_html": 300,
    "sql_time_limit_ms": 5000,
    "facet_time_limit_ms": 1000,
    "default_page_size": 50,
}


class ServeError(ArchiverError):
    """Datasette cannot start on this archive (missing file, port taken)."""

    exit_code = ExitCode.USAGE


def bundle_dir() -> Path:
    """The folder of the bundled Datasette metadata and templates."""
    return Path(str(resources.files("archiver.analysis") / "datasette"))


def _present(requires: dict[str, list[str]] | None, tables: dict[str, list[str]]) -> bool:
    """Whether every required table, with every required column, exists."""
    return all(name in tables and set(columns) <= set(tables[name])
               for name, columns in (requires or {}).items())


def build_metadata(tables: dict[str, list[str]], db_name: str = "archive") -> dict[str, Any]:
    """The bundled metadata for this archive: only the tables, columns and canned queries its
    schema has, keyed by the database's name in Datasette."""
    import yaml

    raw = yaml.safe_load((bundle_dir() / "metadata.yml").read_text(encoding="utf-8"))
    meta = copy.deepcopy(raw)
    database = meta["databases"].pop("archive")
    kept_tables = {}
    for name, table in database["tables"].items():
        if not _present(table.pop("requires", None), tables) or name not in tables:
            continue
        if "columns" in table:
            table["columns"] = {c: d for c, d in table["columns"].items() if c in tables[name]}
        if "facets" in table:  # a column an older archive lacks (paywalled) has no facet
            table["facets"] = [f for f in table["facets"]
                               if (next(iter(f.values())) if isinstance(f, dict) else f)
                               in tables[name]]
        kept_tables[name] = table
    database["tables"] = kept_tables
    database["queries"] = {name: query for name, query in database["queries"].items()
                           if _present(query.pop("requires", None), tables)}
    meta["databases"][db_name] = database
    meta["description_html"] = (meta["description_html"]
                                .replace("{db_path}", f"/{db_name}").replace("{base}", "/"))
    return meta


def build_datasette(db_path: str | Path) -> Any:
    """A Datasette instance serving `db_path` read-only, with the archive's metadata.

    Every connection, including the one Datasette keeps for writes, opens the file with
    `mode=ro`: nothing served can change the archive, and a crawl may write at the same time
    (WAL). `--immutable` is not used because the file changes under a running crawl.
    """
    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.plugins import pm

    from archiver.analysis import datasette_plugin

    db_path = Path(db_path)
    if not db_path.is_file():
        raise ServeError(f"{db_path}: no such archive (run `archiver crawl` or "
                         "`archiver demo` first)")
    try:
        with Store(db_path, readonly=True) as store:
            tables = store.tables()
    except sqlite3.DatabaseError as exc:
        raise ServeError(f"{db_path}: not an archive: {exc}") from None
    if "articles" not in tables:
        raise ServeError(f"{db_path}: not an archive (no articles table)")

    class ReadOnlyDatabase(Database):
        """Datasette's Database with writes refused by SQLite itself."""

        def connect(self, write: bool = False) -> sqlite3.Connection:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                   check_same_thread=False)
            self._all_file_connections.append(conn)
            return conn

    if pm.get_plugin("archiver") is None:
        pm.register(datasette_plugin, name="archiver")
    name = db_path.stem
    ds = Datasette([], metadata=build_metadata(tables, name), settings=dict(SETTINGS),
                   template_dir=str(bundle_dir() / "templates"))
    ds.remove_database("_memory")
    ds.add_database(ReadOnlyDatabase(ds, path=str(db_path), is_mutable=True), name=name)
    ds.archiver_db_path = db_path  # read by the plugin's coverage route
    ds.archiver_db_name = name
    return ds


def serve(db_path: str | Path, *, host: str = "127.0.0.1", port: int = 8001,
          announce: Callable[[str], None] = print) -> None:
    """Run Datasette on the archive until interrupted (loopback unless `host` says otherwise)."""
    import asyncio
    import socket

    import uvicorn

    ds = build_datasette(db_path)
    asyncio.run(ds.invoke_startup())
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    announce(f"serving {db_path} read-only at http://{host}:{port}/  (Ctrl-C stops)")
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on", workers=1)
