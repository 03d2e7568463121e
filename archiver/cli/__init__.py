"""The `archiver` command line: each command a thin wrapper over one library call.

The commands live by what they do (crawling, captures, reading, upkeep); this module is the
group they join and the console-script entry point (`archiver.cli:main`). The CLI may import
every stage package (most of them lazily, inside the command that needs it); none imports it."""

from __future__ import annotations

import click

from archiver import __version__
from archiver.cli import captures, crawling, reading, upkeep


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archiver")
def cli() -> None:
    """Archive news sites into one SQLite file with full-text search."""


for command in (crawling.crawl, crawling.worker, crawling.writer, crawling.demo,
                captures.reextract, captures.import_warc,
                reading.search, reading.export, reading.runs, reading.history, reading.stats,
                reading.serve,
                upkeep.extract, upkeep.reclean, upkeep.optimize, upkeep.boilerplate_cmd):
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="archiver")
