"""The `archiver` command line: each command a thin wrapper over one library call."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import click

from archiver import __version__
from archiver.config import load_config
from archiver.errors import ArchiverError, ExitCode, StoreError
from archiver.extract.classify import shipped_model
from archiver.extract.page import analyse
from archiver.store.archive import Store

DB_OPTION = click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
                         default="archive.db", show_default=True,
                         help="The archive database file.")


REDIS_OPTION = click.option("--redis", "redis_url", default=None, metavar="URL",
                            help="Redis server of a distributed crawl, e.g. redis://host:6379/0.")


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


@cli.command()
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


@cli.command()
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


@cli.command()
@click.argument("query")
@DB_OPTION
@click.option("--site", default=None, help="Only articles of this site.")
@click.option("--since", callback=_date, default=None, help="Published on or after (YYYY-MM-DD).")
@click.option("--until", callback=_date, default=None, help="Published on or before (YYYY-MM-DD).")
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
    try:
        with Store(db_path, readonly=True) as store:
            if print_match:
                click.echo(store.match_expression(query, lang))
                return
            hits = store.search(query, site=site, since=since, until=until, limit=limit,
                                lang=lang)
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
    """Print as JSON what the archive would store for a page (FILE, or stdin).

    A page that is not an article prints its reason and, when the classifier judged it, its
    score (the probability that it is an article) and the threshold it missed.
    """
    from archiver.crawl.ingest import process

    chosen = None
    try:
        if config_path or site:
            config = load_config(config_path or Path("sites.toml"))
            (chosen,) = config.select([site] if site else list(config.sites)[:1])
    except ArchiverError as exc:
        raise CliError(exc) from None
    body = file.read()
    result = process(body, url, chosen) if chosen else analyse(body, url)
    if result.article is None:
        out: dict = {"article": None, "reason": result.reason}
        if result.score is not None:
            out["score"] = round(result.score, 4)
            out["threshold"] = (chosen.article_threshold if chosen and chosen.article_threshold
                                else shipped_model().threshold)
        click.echo(json.dumps(out))
        sys.exit(int(ExitCode.PARTIAL))
    click.echo(json.dumps(result.article.to_dict(), ensure_ascii=False, indent=2))


CONFIG_OPTION = click.option("--config", "config_path",
                             type=click.Path(dir_okay=False, path_type=Path),
                             default="sites.toml", show_default=True, help="The sites config.")


@cli.command()
@CONFIG_OPTION
@DB_OPTION
@click.option("--site", default=None, help="Only captures of this site.")
@click.option("--since", callback=_date, default=None,
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


@cli.command()
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True, help="JSON Lines (lists as arrays) or CSV (lists as JSON "
                                      "text, NULL as an empty cell).")
@click.option("--site", default=None, help="Only articles of this site.")
@click.option("--since", callback=_date, default=None, help="Published on or after (YYYY-MM-DD).")
@click.option("--until", callback=_date, default=None, help="Published on or before (YYYY-MM-DD).")
@click.option("--query", default=None, help="Only articles matching this FTS5 search.")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8", lazy=True), default="-",
              help="Write here instead of stdout.")
def export(db_path: Path, fmt: str, site: str | None, since: str | None, until: str | None,
           query: str | None, output: io.TextIOBase) -> None:
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
                count = run(store, output, fmt, site=site, since=since,  # type: ignore[arg-type]
                            until=until, query=query, progress=advance)
    except ArchiverError as exc:
        raise CliError(exc) from None
    output.flush()
    click.echo(f"exported {count} articles", err=True)


@cli.command("import-warc")
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
    import time

    from archiver.warc.importer import import_warcs

    try:
        if config_path.exists() or not all_sites:
            config = load_config(config_path)
        else:
            config = None
        total = sum(f.stat().st_size for f in files)
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

            summary = import_warcs(list(files), db_path, config, all_sites=all_sites,
                                   warc_dir=warc_dir.resolve() if warc_dir else None,
                                   workers_count=workers or (
                                       config.crawler.extract_workers if config else 1),
                                   progress=progress)
    except ArchiverError as exc:
        raise CliError(exc) from None
    click.echo(summary.render())
    sys.exit(int(summary.exit_code))


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
    from archiver.extract.boilerplate import Overrides

    try:
        overrides = None
        if config_path.exists():
            config = load_config(config_path)
            overrides = {s.name: Overrides(s.clean.keep_text, s.clean.drop_text)
                         for s in config.sites.values()}
        if not db_path.exists():
            raise StoreError(f"{db_path}: no such archive (run `archiver crawl` first)")
        from archiver.crawl.progress import task_progress

        with Store(db_path) as store:
            total = store.count(site)
            with task_progress("re-cleaning articles", total) as advance:
                changed = store.reclean(site, overrides, progress=advance)
            counts = {name: store.count(name) for name in changed}
    except ArchiverError as exc:
        raise CliError(exc) from None
    for name, n in changed.items():
        click.echo(f"{name}: {n} of {counts[name]} articles changed")
    click.echo(f"reclean: {sum(changed.values())} of {total} articles changed")


@cli.command()
@DB_OPTION
def optimize(db_path: Path) -> None:
    """Rewrite the full-text index into one segment, so searches read one b-tree.

    Crawls, imports and re-extractions already merge the index at their end (fully after a
    large load, a bounded step after a small one); run this after many small runs, or when
    another tool wrote to the archive (its rows first get their language-aware index forms:
    stems, CJK character pairs). Takes seconds per 100k articles; searches keep working.
    """
    try:
        if not db_path.exists():
            raise StoreError(f"{db_path}: no such archive (run `archiver crawl` first)")
        with Store(db_path) as store:
            before, after = store.optimize_search_index()
    except ArchiverError as exc:
        raise CliError(exc) from None
    click.echo(f"optimize: search index of {db_path} from {before} segment(s) to {after}")


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


@cli.command()
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


@cli.command()
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


@cli.command()
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


@cli.command()
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


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="archiver")
