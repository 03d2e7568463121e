"""Commands that look at or tend the archive's cleaning and index: what a page would become,
re-cleaning, the learned template, and compacting the search index."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import click

from archiver.cli.common import DB_OPTION, CliError, existing_archive
from archiver.config import load_config
from archiver.errors import ArchiverError, ExitCode
from archiver.extract.classify import shipped_model
from archiver.extract.page import analyse
from archiver.store.archive import Store


@click.command()
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


@click.command()
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
        from archiver.crawl.progress import task_progress

        with Store(existing_archive(db_path)) as store:
            total = store.count(site)
            with task_progress("re-cleaning articles", total) as advance:
                changed = store.reclean(site, overrides, progress=advance)
            counts = {name: store.count(name) for name in changed}
    except ArchiverError as exc:
        raise CliError(exc) from None
    for name, n in changed.items():
        click.echo(f"{name}: {n} of {counts[name]} articles changed")
    click.echo(f"reclean: {sum(changed.values())} of {total} articles changed")


@click.command()
@DB_OPTION
def optimize(db_path: Path) -> None:
    """Rewrite the full-text index into one segment, so searches read one b-tree.

    Crawls, imports and re-extractions already merge the index at their end (fully after a
    large load, a bounded step after a small one); run this after many small runs, or when
    another tool wrote to the archive (its rows first get their language-aware index forms:
    stems, CJK character pairs). Takes seconds per 100k articles; searches keep working.
    """
    try:
        with Store(existing_archive(db_path)) as store:
            before, after = store.optimize_search_index()
    except ArchiverError as exc:
        raise CliError(exc) from None
    click.echo(f"optimize: search index of {db_path} from {before} segment(s) to {after}")


@click.command(name="boilerplate")
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
    from archiver.analysis.report import render_blocks

    try:
        with Store(db_path, readonly=True) as store:
            total = store.count(site)
            rows = store.template_blocks(site, min_articles=min_articles)
    except ArchiverError as exc:
        raise CliError(exc) from None
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(render_blocks(site, total, rows, min_articles))
