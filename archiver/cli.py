"""The `archiver` command line: each command a thin wrapper over one library call."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import click

from . import __version__
from .config import load_config
from .errors import ArchiverError, ExitCode, StoreError
from .extract import analyse
from .store import Store

DB_OPTION = click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
                         default="archive.db", show_default=True,
                         help="The archive database file.")


class CliError(click.ClickException):
    """An ArchiverError as one line on stderr, with the error's own exit code."""

    def __init__(self, error: ArchiverError) -> None:
        super().__init__(str(error))
        self.exit_code = int(error.exit_code)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archiver")
def cli() -> None:
    """Archive news sites into one SQLite file with full-text search."""


@cli.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              default="sites.toml", show_default=True, help="The sites config.")
@DB_OPTION
@click.option("--site", "sites", multiple=True, help="Crawl only this site (repeatable).")
@click.option("--max-pages", type=click.IntRange(min=1), default=None,
              help="Fetch at most N pages per site this run (overrides max_pages).")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]),
              default="INFO", show_default=True, help="Detail of the crawl log on stderr.")
def crawl(config_path: Path, db_path: Path, sites: tuple[str, ...], max_pages: int | None,
          log_level: str) -> None:
    """Crawl the configured sites into the archive and print a summary.

    Exit codes: 0 ok, 1 finished with errors, 2 bad usage or config, 3 failed,
    130 interrupted.
    """
    from .crawl import run_crawl

    try:
        config = load_config(config_path)
        summary = run_crawl(config, db_path, list(sites), max_pages=max_pages,
                            log_level=log_level)
    except ArchiverError as exc:
        raise CliError(exc) from None
    click.echo(summary.render())
    sys.exit(int(summary.exit_code))


@cli.command()
@click.argument("query")
@DB_OPTION
@click.option("--site", default=None, help="Only articles of this site.")
@click.option("--since", callback=_date, default=None, help="Published on or after (YYYY-MM-DD).")
@click.option("--until", callback=_date, default=None, help="Published on or before (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
def search(query: str, db_path: Path, site: str | None, since: str | None, until: str | None,
           limit: int, fmt: str) -> None:
    """Ranked full-text search (FTS5 syntax: "phrases", AND/OR/NOT, prefix*)."""
    try:
        with Store(db_path, readonly=True) as store:
            hits = store.search(query, site=site, since=since, until=until, limit=limit)
    except ArchiverError as exc:
        raise CliError(exc) from None
    if fmt == "json":
        click.echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=["url", "site", "title", "author", "published",
                                                 "snippet", "rank"])
        writer.writeheader()
        for hit in hits:
            writer.writerow(hit.to_dict())
        click.echo(out.getvalue(), nl=False)
    else:
        if not hits:
            click.echo("no matches")
        for hit in hits:
            click.echo(f"{(hit.published or '')[:10]:10}  {hit.site}  {hit.title}")
            click.echo(f"            {hit.url}")
            click.echo(f"            {' '.join(hit.snippet.split())}")


@cli.command()
@click.argument("file", type=click.File("rb"), default="-")
@click.option("--url", default="http://example.com/article",
              help="The page's URL (for canonical links and relative URLs).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Apply this sites config's cleaning rules ...")
@click.option("--site", default=None, help="... of this site.")
def extract(file: io.BufferedReader, url: str, config_path: Path | None,
            site: str | None) -> None:
    """Print as JSON what the archive would store for a page (FILE, or stdin)."""
    options: dict = {}
    try:
        if config_path or site:
            config = load_config(config_path or Path("sites.toml"))
            (chosen,) = config.select([site] if site else list(config.sites)[:1])
            options = dict(drop_xpath=chosen.clean.drop_xpath, domains=chosen.domains,
                           min_words=chosen.min_words)
    except ArchiverError as exc:
        raise CliError(exc) from None
    result = analyse(file.read(), url, **options)
    if result.article is None:
        click.echo(json.dumps({"article": None, "reason": result.reason}))
        sys.exit(int(ExitCode.PARTIAL))
    click.echo(json.dumps(result.article.to_dict(), ensure_ascii=False, indent=2))


@cli.command()
@DB_OPTION
@click.option("--site", default=None, help="Only this site (default: every site).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              default="sites.toml", show_default=True,
              help="Take keep_text/drop_text rules from this config when it exists.")
def reclean(db_path: Path, site: str | None, config_path: Path) -> None:
    """Re-apply the current cleaning to stored articles (no refetch) and say how many changed.

    The site's template is relearned from every stored article's pre-cleaning text, then each
    article is cleaned again; full-text search follows.
    """
    from .boilerplate import Overrides

    try:
        overrides = None
        if config_path.exists():
            config = load_config(config_path)
            overrides = {s.name: Overrides(s.clean.keep_text, s.clean.drop_text)
                         for s in config.sites.values()}
        if not db_path.exists():
            raise StoreError(f"{db_path}: no such archive (run `archiver crawl` first)")
        with Store(db_path) as store:
            total = store.count(site)
            changed = store.reclean(site, overrides)
            counts = {name: store.count(name) for name in changed}
    except ArchiverError as exc:
        raise CliError(exc) from None
    for name, n in changed.items():
        click.echo(f"{name}: {n} of {counts[name]} articles changed")
    click.echo(f"reclean: {sum(changed.values())} of {total} articles changed")


@cli.command(name="boilerplate")
@DB_OPTION
@click.option("--site", required=True, help="The site whose learned template to list.")
@click.option("--min-articles", type=click.IntRange(min=1), default=2, show_default=True,
              help="List blocks seen in at least this many articles.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def boilerplate_cmd(db_path: Path, site: str, min_articles: int, fmt: str) -> None:
    """List a site's recurring text blocks, their counts, and which ones cleaning removes.

    Override in sites.toml under [sites.NAME.clean]: keep_text = ["..."] never removes a block
    containing that text, drop_text = ["..."] always does; then run `archiver reclean`.
    """
    try:
        with Store(db_path, readonly=True) as store:
            total = store.count(site)
            rows = store.template_blocks(site, min_articles=min_articles)
    except ArchiverError as exc:
        raise CliError(exc) from None
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(f"site {site}: {total} articles; blocks seen in >= {min_articles} articles")
    click.echo(f"{'articles':>8}  {'removed':7}  text")
    for row in rows:
        mark = "yes" if row["removed"] else "no"
        if row["rule"]:
            mark += f" ({row['rule']})"
        click.echo(f"{row['articles']:>8}  {mark:7}  {row['text'][:100]}")


@cli.command()
@DB_OPTION
@click.option("--query", default="peru", show_default=True, help="The sample search.")
def demo(db_path: Path, query: str) -> None:
    """Serve the bundled demo site on 127.0.0.1, crawl it, and show a search."""
    from .demo import run_demo

    try:
        code = run_demo(db_path, query=query, echo=click.echo)
    except ArchiverError as exc:
        raise CliError(exc) from None
    sys.exit(int(code))


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="archiver")
