"""Shared fixtures: the seed site on a loopback server, and a demo archive built once.

Only fixtures live here (pytest finds them by name); the plain helpers tests import are in
tests/support.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from archiver.demo.siteserver import SiteServer

from .support import SEED_SITE, run_archiver


@pytest.fixture
def seed_server() -> Iterator[SiteServer]:
    """The seed site on 127.0.0.1, fresh (with an empty request log) for each test."""
    with SiteServer(SEED_SITE) as server:
        yield server


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory) -> Path:
    """An archive made by a real `archiver demo` crawl, built once per test session."""
    db = tmp_path_factory.mktemp("demo") / "archive.db"
    result = run_archiver("demo", "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    return db
