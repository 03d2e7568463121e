"""archiver: a faithful, searchable archive of what news sites publish."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from archiver.analysis.export import export  # noqa: F401
    from archiver.config import Config, Site, load_config, parse_config  # noqa: F401
    from archiver.errors import ArchiverError, ConfigError, ExitCode, QueryError, StoreError  # noqa: F401
    from archiver.extract.page import Article, Extraction, Hints, analyse  # noqa: F401
    from archiver.store.archive import SearchHit, Store  # noqa: F401

#: The public names, each imported from its module on first use: an extraction worker imports
#: this package too, and should not load the store (sqlite-utils) it never uses (bench/ row 5).
#: What a Python user does with them: load a sites config; analyse a page into an article (or
#: the reason it is none); open an archive to search, read and export it; catch one error base.
#: `extract.page.extract` is not among them: `archiver.extract` is the extraction package, which
#: Python binds on the package as soon as any of its modules is imported.
_EXPORTS = {
    "Config": "config", "Site": "config", "load_config": "config", "parse_config": "config",
    "ArchiverError": "errors", "ConfigError": "errors", "ExitCode": "errors",
    "QueryError": "errors", "StoreError": "errors",
    "Article": "extract.page", "Extraction": "extract.page", "Hints": "extract.page",
    "analyse": "extract.page",
    "SearchHit": "store.archive", "Store": "store.archive",
    "export": "analysis.export",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'archiver' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
