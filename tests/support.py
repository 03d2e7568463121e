"""Plain helpers the tests share (no fixtures: those live in conftest.py, which pytest loads
by itself and which no test should import): the fixture sites, configs for a loopback site,
running the real CLI, reading an archive, a free port, and an `Article` factory."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archiver.demo.siteserver import SiteServer
from archiver.extract.page import Article, content_hash

FIXTURES = Path(__file__).parent / "fixtures"
SEED_SITE = FIXTURES / "seed-site"
SEED_DROP = ["#block-ownedbyourreaders", "#block-fightingfund", ".block-similar", "#top",
             ".skip-link", "#cookie-banner"]


def seed_expected() -> dict:
    return json.loads((SEED_SITE / "expected.json").read_text(encoding="utf-8"))


def toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def write_config(path: Path, server: SiteServer, *, name: str = "seed", feeds=(),
                 sitemaps=(), start_urls=(), extra: str = "", drop=SEED_DROP) -> Path:
    """A sites config for one site on the loopback server, with politeness lifted."""
    origin = server.origin
    path.write_text(f"""
[crawler]
download_delay = 0
autothrottle = false
concurrent_per_domain = 4
extract_workers = 1
allow_private_addresses = true

[sites.{name}]
domains = ["127.0.0.1"]
feeds = {toml_list([origin + f for f in feeds])}
sitemaps = {toml_list([origin + s for s in sitemaps])}
start_urls = {toml_list([origin + s for s in start_urls])}
{extra}

[sites.{name}.clean]
drop = {toml_list(list(drop))}
""", encoding="utf-8")
    return path


def query(db: Path, sql: str, *params: object) -> list[dict]:
    """The rows of a query on an archive file, as dicts (a plain sqlite3 connection, closed)."""
    conn = sqlite3.connect(db)
    try:
        cur = conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur]
    finally:
        conn.close()


def run_archiver(*args: str, cwd: Path | None = None, timeout: float = 120,
                 input: str | bytes | None = None,
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the real `archiver` command in a subprocess (Scrapy's reactor cannot restart);
    `env` adds variables to this process's environment."""
    text = not isinstance(input, bytes)
    full_env = {**os.environ, **env} if env else None
    done = subprocess.run([sys.executable, "-m", "archiver", *args], cwd=cwd, timeout=timeout,
                          capture_output=True, text=text, input=input, env=full_env)
    fail_on_scrapy_deprecations(done.stderr)
    return done


def fail_on_scrapy_deprecations(stderr: str | bytes | None) -> None:
    """Fail the test when a subprocess crawl logged a Scrapy deprecation.

    pyproject's filterwarnings turns them into errors only in the pytest process; a crawl runs
    in a subprocess, where Scrapy logs them (py.warnings) and goes on. They subclass Warning,
    not DeprecationWarning, so `error::DeprecationWarning` never caught them (issue 22).
    """
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr or ""
    if "ScrapyDeprecationWarning" in text:
        lines = [line for line in text.splitlines() if "ScrapyDeprecationWarning" in line]
        pytest.fail("Scrapy deprecation in a subprocess:\n" + "\n".join(lines[:10]))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (the OS's pick, released at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def article(url: str, title: str | None, text: str, **fields: Any) -> Article:
    """An `Article` as the extractor hands it over: `fetched_url` the URL unless given, the
    word count and content hash computed from the text; `fields` sets any other field."""
    fields.setdefault("fetched_url", url)
    return Article(url=url, title=title, text=text, word_count=len(text.split()),
                   content_hash=content_hash(title, text), **fields)
