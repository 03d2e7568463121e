"""archiver: a faithful, searchable archive of what news sites publish."""

from __future__ import annotations

__version__ = "0.1.0"

from .lean_imports import import_sqlite_utils  # noqa: E402

import_sqlite_utils()  # before anything imports sqlite-utils: see lean_imports
from .config import Config, Site, load_config, parse_config  # noqa: E402
from .errors import ArchiverError, ConfigError, ExitCode, QueryError, StoreError  # noqa: E402
from .extract import Article, Extraction, analyse, extract  # noqa: E402
from .store import SearchHit, Store  # noqa: E402

__all__ = [
    "__version__",
    "Article",
    "ArchiverError",
    "Config",
    "ConfigError",
    "ExitCode",
    "Extraction",
    "QueryError",
    "SearchHit",
    "Site",
    "Store",
    "StoreError",
    "analyse",
    "extract",
    "load_config",
    "parse_config",
]
