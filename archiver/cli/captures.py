"""Commands over raw captures: extract the stored WARC records again, and import WARC
files made elsewhere."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from archiver.cli.common import CONFIG_OPTION, DB_OPTION, CliError, parse_date
from archiver.config import load_config
from archiver.errors import ArchiverError
from archiver.store.archive import Store


@click.command()
@CONFIG_OPTION
@DB_OPTION
@click.option("--site", default=None, help="Only captures of this site.")
@click.option("--since", callback=parse_date, default=None,
              help="Only captures fetched on or after this date (YYYY-MM-DD).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Extraction processes (default: [crawler] extract_workers).")
def reextract(config_path: Path, db_path: Path, site: str | None, since: str | None,
              workers: int | None) -> None:
    """Extract the stored WARC captures again with the current code; no network.

    Articles are updated in place (a change made by the extractor is not a new revision) and
    missing ones come back; each records the extractor version that produced it. Pages an
    earlier decision skipped as no article are decided again: articles now, they come back.
    """
    from archiver.crawl.progress import on_terminal, task_progress
    from archiver.warc.reextract import reextract as run

    try:
        config = load_config(config_path)
        total = None
        if on_terminal() and db_path.exists():
            with Store(db_path, readonly=True) as store:
                total = store.count_captures(site=site, since=since)
        with task_progress("re-extracting captures", total,
                           enabled=total is not None) as advance:
            summary = run(db_path, config, site=site, since=since,
                          workers_count=workers or config.crawler.extract_workers,
                          progress=advance)
    except ArchiverError as exc:
        raise CliError(exc) from None
    click.echo(summary.render())
    sys.exit(int(summary.exit_code))


@click.command("import-warc")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@CONFIG_OPTION
@DB_OPTION
@click.option("--all-sites", is_flag=True,
              help="Keep HTML pages of any site (its host names it), not only configured ones.")
@click.option("--warc-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to keep the imported captures (default: warc/ beside the database).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Extraction processes (default: [crawler] extract_workers).")
def import_warc(files: tuple[Path, ...], config_path: Path, db_path: Path, all_sites: bool,
                warc_dir: Path | None, workers: int | None) -> None:
    """Import WARC files made elsewhere (CC-NEWS, Browsertrix, wget --warc-file, ...).

    HTML responses of configured sites (all sites with --all-sites) are kept as captures and
    extracted into articles; gzip and plain WARC are read; malformed records are skipped and
    counted. Without a sites config, --all-sites is needed.
    """
    from archiver.warc.importer import import_warcs

    try:
        if config_path.exists() or not all_sites:
            config = load_config(config_path)
        else:
            config = None
        with _bytes_progress(sum(f.stat().st_size for f in files)) as progress:
            summary = import_warcs(list(files), db_path, config, all_sites=all_sites,
                                   warc_dir=warc_dir.resolve() if warc_dir else None,
                                   workers_count=workers or (
                                       config.crawler.extract_workers if config else 1),
                                   progress=progress)
    except ArchiverError as exc:
        raise CliError(exc) from None
    click.echo(summary.render())
    sys.exit(int(summary.exit_code))


@contextmanager
def _bytes_progress(total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr over `total` bytes, showing the read rate; yields the
    callback an importer calls with each count of bytes it has read."""
    started = time.monotonic()
    done = 0

    def rate(_: object) -> str:
        elapsed = max(time.monotonic() - started, 1e-6)
        return f"{done / elapsed / 1e6:.1f} MB/s"

    with click.progressbar(length=total, label="importing", show_eta=True,
                           item_show_func=rate, file=sys.stderr) as bar:
        def progress(n: int) -> None:
            nonlocal done
            done += n
            bar.update(n, done)

        yield progress
