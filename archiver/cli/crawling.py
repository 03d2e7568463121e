"""Commands that fetch: a local crawl (or seeding a distributed one), the distributed
worker and writer, and the demo (a crawl of the bundled site)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archiver.cli.common import DB_OPTION, REDIS_OPTION, CliError
from archiver.config import load_config
from archiver.errors import ArchiverError


@click.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              default="sites.toml", show_default=True, help="The sites config.")
@DB_OPTION
@click.option("--site", "sites", multiple=True, help="Crawl only this site (repeatable).")
@click.option("--max-pages", type=click.IntRange(min=1), default=None,
              help="Fetch at most N pages per site this run (overrides max_pages).")
@click.option("--max-minutes", type=click.FloatRange(min=0, min_open=True), default=None,
              help="End the run cleanly after N minutes; the rest waits for the next run.")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]),
              default="INFO", show_default=True,
              help="Detail of the crawl log (on a terminal, giving it shows the log).")
@click.option("--quiet", "-q", is_flag=True,
              help="Print only the final summary, and errors on stderr (for cron).")
@click.option("--verbose", "-v", is_flag=True,
              help="On a terminal, show Scrapy's log under the live status (off a terminal "
                   "the log is always shown, unless --quiet).")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Append the full crawl log to this file.")
@click.option("--warc-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the raw WARC captures (default: [crawler] warc_dir, else warc/ "
                   "beside the database).")
@click.option("--distributed", is_flag=True,
              help="Only seed the shared frontier for `archiver worker` processes (needs --redis); "
                   "with an existing --db, also queue its articles due for a revisit.")
@REDIS_OPTION
def crawl(config_path: Path, db_path: Path, sites: tuple[str, ...], max_pages: int | None,
          max_minutes: float | None, log_level: str, quiet: bool, verbose: bool,
          log_file: Path | None, warc_dir: Path | None, distributed: bool,
          redis_url: str | None) -> None:
    """Crawl the configured sites into the archive and print a summary.

    Incremental: archived articles are fetched again only when due for a revisit (or when
    their sitemap or feed date says they changed), and what a killed or bounded run left is
    picked up. One crawl at a time per archive. On a terminal a live status shows progress
    and Scrapy's log is hidden (warnings and errors still show) unless --verbose.

    Exit codes: 0 ok, 1 finished with errors, 2 bad usage or config, 3 failed,
    4 another crawl holds the archive's lock, 130 interrupted.
    """
    from archiver.crawl.progress import on_terminal
    from archiver.crawl.run import run_crawl

    if distributed or redis_url:
        _seed(config_path, sites, distributed, redis_url, max_pages,
              db_path if db_path.exists() else None)
        return
    try:
        config = load_config(config_path)
        extra = {"ARCHIVE_WARC_DIR": str(warc_dir.resolve())} if warc_dir else None
        given_level = (click.get_current_context().get_parameter_source("log_level")
                       is not click.core.ParameterSource.DEFAULT)
        summary = run_crawl(config, db_path, list(sites), max_pages=max_pages,
                            log_level=log_level, extra_settings=extra,
                            max_minutes=max_minutes, quiet=quiet, log_file=log_file,
                            progress=on_terminal() and not quiet,
                            verbose=verbose or given_level)
    except ArchiverError as exc:
        raise CliError(exc) from None
    click.echo(summary.render())
    sys.exit(int(summary.exit_code))


def _seed(config_path: Path, sites: tuple[str, ...], distributed: bool,
          redis_url: str | None, max_pages: int | None, db_path: Path | None) -> None:
    """`crawl --distributed`: queue the seeds (and, with the archive, due revisits)."""
    from archiver.distributed.seed import seed_frontier

    if not (distributed and redis_url):
        raise click.UsageError("--distributed and --redis URL go together")
    try:
        report = seed_frontier(load_config(config_path), redis_url, list(sites),
                               max_pages=max_pages, db_path=db_path)
    except ArchiverError as exc:
        raise CliError(exc) from None
    click.echo(report.render())


@click.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              default="sites.toml", show_default=True, help="The sites config.")
@click.option("--redis", "redis_url", required=True, metavar="URL",
              help="The shared Redis server, e.g. redis://host:6379/0.")
@click.option("--site", "sites", multiple=True, help="Work only this site (repeatable).")
@click.option("--idle-exit", type=click.FloatRange(min=0), default=0, show_default=True,
              help="Stop after this many seconds with nothing queued or in flight anywhere "
                   "(0: keep waiting for new seeds).")
@click.option("--seen-ttl-days", type=click.FloatRange(min=0.00001), default=30,
              show_default=True, help="Forget a URL's fingerprint after this many days "
                                      "(it may then be fetched again).")
@click.option("--max-pages", type=click.IntRange(min=1), default=None,
              help="Request at most N pages per site in this worker (the run's shared budget, "
                   "max_pages or `crawl --distributed --max-pages`, applies as well).")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]),
              default="INFO", show_default=True, help="Detail of the crawl log on stderr.")
@click.option("--warc-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for this worker's WARC files (default: [crawler] warc_dir, else "
                   "warc/, relative to the current folder). Give the writer the folder where "
                   "they can be read (shared storage, or where they are gathered).")
@click.option("--heartbeat-ttl", type=click.FloatRange(min=0.5), default=10, show_default=True,
              help="Seconds after this worker dies (SIGKILL, host lost) that the writer "
                   "records its run as lost.")
def worker(config_path: Path, redis_url: str, sites: tuple[str, ...], idle_exit: float,
           seen_ttl_days: float, max_pages: int | None, log_level: str,
           warc_dir: Path | None, heartbeat_ttl: float) -> None:
    """Fetch and extract from the shared Redis frontier; push articles for the writer.

    Start any number, on any hosts, all with the same sites.toml. Politeness per domain is
    shared through Redis. Exit codes as for `crawl`.
    """
    from archiver.distributed.worker import render, run_worker

    try:
        summary = run_worker(load_config(config_path), redis_url, list(sites),
                             idle_exit=idle_exit, seen_ttl_days=seen_ttl_days,
                             log_level=log_level, max_pages=max_pages, warc_dir=warc_dir,
                             heartbeat_ttl=heartbeat_ttl)
    except ArchiverError as exc:
        raise CliError(exc) from None
    click.echo(render(summary))
    sys.exit(int(summary.exit_code))


@click.command()
@click.option("--redis", "redis_url", required=True, metavar="URL",
              help="The shared Redis server, e.g. redis://host:6379/0.")
@DB_OPTION
@click.option("--batch", type=click.IntRange(min=1), default=500, show_default=True,
              help="Articles per transaction.")
@click.option("--idle-exit", type=click.FloatRange(min=0), default=0, show_default=True,
              help="Stop once nothing arrived, no worker is alive and the frontier is empty "
                   "for this many seconds (0: run until SIGTERM).")
@click.option("--verbose", is_flag=True, help="Print a line per committed batch.")
@click.option("--warc-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the workers' WARC files are, as the capture index should name them "
                   "(default: warc/ beside the database).")
@click.option("--validators-ttl-days", type=click.FloatRange(min=0.00001), default=30,
              show_default=True,
              help="Keep a page's ETag/Last-Modified in Redis for the workers' conditional "
                   "requests this long after it was last fetched or confirmed.")
def writer(redis_url: str, db_path: Path, batch: int, idle_exit: float, verbose: bool,
           warc_dir: Path | None, validators_ttl_days: float) -> None:
    """Drain the workers' articles from Redis into the archive: the one process that writes it.

    SIGTERM or Ctrl-C finish the current batch. Killed, it loses nothing: the batch it held
    is committed again on restart.
    """
    from archiver.distributed.writer import run_writer

    try:
        report = run_writer(db_path, redis_url, batch=batch, idle_exit=idle_exit,
                            echo=click.echo if verbose else None, warc_dir=warc_dir,
                            validators_ttl=validators_ttl_days * 86400)
    except ArchiverError as exc:
        raise CliError(exc) from None
    click.echo(report.render())


@click.command()
@DB_OPTION
@click.option("--query", default="peru", show_default=True, help="The sample search.")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="The demo site's port on 127.0.0.1 (default: 8712; 0: any free port). A "
                   "fixed port keeps the articles' URLs, so a second demo into the same archive "
                   "stores nothing twice.")
def demo(db_path: Path, query: str, port: int | None) -> None:
    """Serve the bundled demo site on 127.0.0.1, crawl it, and show a search."""
    from archiver.demo.run import DEMO_PORT, run_demo

    try:
        code = run_demo(db_path, query=query, port=DEMO_PORT if port is None else port,
                        echo=click.echo)
    except ArchiverError as exc:
        raise CliError(exc) from None
    sys.exit(int(code))
