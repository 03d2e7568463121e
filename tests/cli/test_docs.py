"""Docs that are tested: every CLI command has help text and appears in the README."""

from __future__ import annotations

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
