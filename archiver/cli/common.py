"""What the commands share: the common options, dates given on the command line, and the
one way an ArchiverError leaves the CLI (one line on stderr, the error's own exit code)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from archiver.errors import ArchiverError, StoreError

DB_OPTION = click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
                         default="archive.db", show_default=True,
                         help="The archive database file.")


REDIS_OPTION = click.option("--redis", "redis_url", default=None, metavar="URL",
                            help="Redis server of a distributed crawl, e.g. redis://host:6379/0.")

CONFIG_OPTION = click.option("--config", "config_path",
                             type=click.Path(dir_okay=False, path_type=Path),
                             default="sites.toml", show_default=True, help="The sites config.")


class CliError(click.ClickException):
    """An ArchiverError as one line on stderr, with the error's own exit code."""

    def __init__(self, error: ArchiverError) -> None:
        super().__init__(str(error))
        # Click declares exit_code a class variable (1), yet reads it from the exception it
        # caught: an instance attribute of the error's own code shadows it.
        vars(self)["exit_code"] = int(error.exit_code)


def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A --since/--until callback: YYYY-MM-DD, or a usage error that says so."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


#: --since and --until of the commands that filter articles by their publication date.
SINCE_OPTION = click.option("--since", callback=parse_date, default=None,
                            help="Published on or after (YYYY-MM-DD).")
UNTIL_OPTION = click.option("--until", callback=parse_date, default=None,
                            help="Published on or before (YYYY-MM-DD).")


def existing_archive(db_path: Path) -> Path:
    """`db_path`, or a StoreError for a command that must not create an empty archive."""
    if not db_path.exists():
        raise StoreError(f"{db_path}: no such archive (run `archiver crawl` first)")
    return db_path
