"""Import sqlite-utils without the pandas and numpy it would pull in, to keep every process small.

sqlite-utils imports pandas and numpy whenever they are installed (numpy always is: py3langid,
through trafilatura, needs it), only to give their value types a column type; the archive never
stores pandas or numpy values. Pandas costs about 36 MB resident, numpy about 15 MB, in the crawl
process and again in each extraction worker (measured by bench/, issue 8); the crawl process,
which never extracts, then holds neither. A program that imported pandas or numpy before
archiver keeps sqlite-utils' support for it; `import pandas` and `import numpy` keep working
afterwards either way.

The store and the migrations take sqlite-utils' classes from here, so the first import of
sqlite-utils in any process goes through `import_sqlite_utils`.
"""

from __future__ import annotations

import sys

_HIDDEN = ("pandas", "numpy")


def import_sqlite_utils() -> None:
    """Import sqlite-utils now, hiding pandas and numpy from it unless already loaded."""
    if "sqlite_utils" in sys.modules:
        return
    hidden = [name for name in _HIDDEN if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import <name>` fail
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


import_sqlite_utils()
from sqlite_utils import Database  # noqa: E402
from sqlite_utils.migrations import Migrations  # noqa: E402

__all__ = ["Database", "Migrations", "import_sqlite_utils"]
