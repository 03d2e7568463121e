"""Commands that read the archive: search, export, the runs, an article's history, the
stats, and Datasette."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from archiver.cli.common import DB_OPTION, SINCE_OPTION, UNTIL_OPTION, CliError
from archiver.errors import ArchiverError
from archiver.store.archive import Store

if TYPE_CHECKING:
    from archiver.analysis.export import Format


@click.command()
@click.argument("query")
@DB_OPTION
@click.option("--site", default=None, help="Only articles of this site.")
@SINCE_OPTION
@UNTIL_OPTION
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@click.option("--lang", default=None, metavar="CODE",
              help="Stem the query in this language only (ISO 639-1, e.g. de); default: in "
                   "every language the archive holds.")
@click.option("--print-match", is_flag=True,
              help="Print the FTS5 MATCH expression the query becomes (for sqlite3) and exit.")
def search(query: str, db_path: Path, site: str | None, since: str | None, until: str | None,
           limit: int, fmt: str, lang: str | None, print_match: bool) -> None:
    """Ranked full-text search in every language (FTS5 syntax: "phrases", AND/OR/NOT,
    prefix*, column:word); words match their inflected forms, CJK words their characters."""
    from archiver.analysis.report import render_hits

    try:
        with Store(db_path, readonly=True) as store:
            if print_match:
                click.echo(store.match_expression(query, lang))
                return
            hits = store.search(query, site=site, since=since, until=until, limit=limit,
                                lang=lang)
    except ArchiverError as exc:
        raise CliError(exc) from None
    click.echo(render_hits(hits, fmt), nl=False)


@click.command()
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True, help="JSON Lines (lists as arrays) or CSV (lists as JSON "
                                      "text, NULL as an empty cell).")
@click.option("--site", default=None, help="Only articles of this site.")
@SINCE_OPTION
@UNTIL_OPTION
@click.option("--query", default=None, help="Only articles matching this FTS5 search.")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8", lazy=True), default="-",
              help="Write here instead of stdout.")
def export(db_path: Path, fmt: Format, site: str | None, since: str | None, until: str | None,
           query: str | None, output: TextIO) -> None:
    """Stream articles with all their metadata as JSON Lines or CSV, in constant memory."""
    from archiver.analysis.export import export as run
    from archiver.crawl.progress import on_terminal, task_progress

    to_file = getattr(output, "name", "-") not in ("-", "<stdout>")
    try:
        with Store(db_path, readonly=True) as store:
            shown = to_file and on_terminal()  # never drawn into the exported stream
            total = store.count_articles(site=site, since=since, until=until,
                                         query=query) if shown else None
            with task_progress("exporting articles", total, enabled=shown) as advance:
                count = run(store, output, fmt, site=site, since=since,
                            until=until, query=query, progress=advance)
    except ArchiverError as exc:
        raise CliError(exc) from None
    output.flush()
    click.echo(f"exported {count} articles", err=True)


@click.command()
@DB_OPTION
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many of the most recent runs.")
def runs(db_path: Path, limit: int) -> None:
    """List recent crawl runs, newest first (the `runs` table; failures are in `fetch_log`)."""
    from archiver.analysis.report import render_runs

    try:
        with Store(db_path, readonly=True) as store:
            click.echo(render_runs(store.runs(limit)))
    except ArchiverError as exc:
        raise CliError(exc) from None


@click.command()
@click.argument("url")
@DB_OPTION
def history(url: str, db_path: Path) -> None:
    """Show every stored version of an article and a unified diff between consecutive ones."""
    from archiver.analysis.report import render_history
    from archiver.extract.urls import normalize

    try:
        with Store(db_path, readonly=True) as store:
            versions = store.versions(url) or store.versions(normalize(url) or url)
            revisits = store.revisits(versions[-1]["url"]) if versions else []
    except ArchiverError as exc:
        raise CliError(exc) from None
    if not versions:
        raise click.ClickException(f"{url}: not in the archive")
    click.echo(render_history(versions, revisits))


@click.command()
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="json is one document for scripts and monitoring.")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write a chart of articles per day per site to FILE.png or FILE.svg.")
def stats(db_path: Path, fmt: str, plot: Path | None) -> None:
    """Per site: articles, first/last published, last 24 h and 7 days, last run, errors,
    pages skipped as no article (by reason)."""
    from archiver.analysis.stats import articles_per_day, collect

    try:
        if plot is not None:
            from archiver.analysis.coverage import plot_format, write_plot

            plot_format(plot)  # a wrong suffix fails before any work
        report = collect(db_path)
        if plot is not None:
            write_plot(articles_per_day(db_path), plot)
    except ArchiverError as exc:
        raise CliError(exc) from None
    click.echo(report.to_json() if fmt == "json" else report.render())
    if plot is not None:
        click.echo(f"chart written to {plot}", err=True)


@click.command()
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on (loopback by default; 0.0.0.0 exposes the archive).")
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True,
              help="Port to listen on.")
def serve(db_path: Path, host: str, port: int) -> None:
    """Browse and query the archive in Datasette, read-only (safe during a crawl)."""
    from archiver.analysis.serve import serve as run_server

    try:
        run_server(db_path, host=host, port=port, announce=lambda line: click.echo(line, err=True))
    except ArchiverError as exc:
        raise CliError(exc) from None
