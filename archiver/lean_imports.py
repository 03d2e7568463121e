"""Import sqlite-utils without the pandas it would pull in, to keep every process small.

sqlite-utils imports pandas (and numpy) whenever pandas is installed, which analysts'
environments are, only to give pandas Timestamps a column type; the archive never stores pandas
values. That import costs about 36 MB resident in the crawl process and again in each
extraction worker (measured by bench/, issue 8). A program that imported pandas before archiver
keeps sqlite-utils' pandas support; `import pandas` keeps working afterwards either way.
"""

from __future__ import annotations

import sys


def import_sqlite_utils() -> None:
    """Import sqlite-utils now, hiding pandas from it unless pandas is already loaded."""
    if "sqlite_utils" in sys.modules or "pandas" in sys.modules:
        import sqlite_utils  # noqa: F401
        return
    sys.modules["pandas"] = None  # type: ignore[assignment]  # makes `import pandas` fail
    try:
        import sqlite_utils  # noqa: F401
    finally:
        if "pandas" in sys.modules and sys.modules["pandas"] is None:
            del sys.modules["pandas"]
