"""Docs that are tested: every CLI command has help text and appears in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from archiver.cli import cli

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_and_is_in_the_readme(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) > 3
    assert f"`archiver {name}" in README, f"README does not show `archiver {name}`"


def test_readme_shows_the_two_commands_and_a_cron_line():
    assert "make demo" in README and "make test" in README
    assert "archiver crawl --quiet" in README and "* * *" in README


ROOT = Path(__file__).parents[2]
#: A repository path as the docs write it: a top-level folder of ours, then path parts (not a
#: version, `archiver/0.1.0`; a glob such as `tmpl-*` counts up to its folder).
DOC_PATH = re.compile(
    r"\b((?:archiver|spiders|tests|tools|bench|evaluation|docs)/(?!\d)[\w./-]*\w)(?![\w*-])")


def doc_paths() -> list[tuple[str, str]]:
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    found = []
    for doc in docs:
        for path in sorted(set(DOC_PATH.findall(doc.read_text(encoding="utf-8")))):
            if "*" not in path and not path.startswith("tests/fixtures/wcxb"):
                found.append((doc.name, path))
    return found


def test_every_path_the_docs_name_exists():
    """The docs point readers at files; after a move they must still point at something."""
    missing = [f"{doc}: {path}" for doc, path in doc_paths() if not (ROOT / path).exists()]
    assert len(doc_paths()) > 40
    assert not missing, "docs name paths that do not exist:\n" + "\n".join(missing)
