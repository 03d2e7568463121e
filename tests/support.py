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
from typing import TYPE_CHECKING, Any

import pytest

from archiver.demo.siteserver import SiteServer
from archiver.extract.page import Article, content_hash

if TYPE_CHECKING:
    from .hostile.server import HostileServer

FIXTURES = Path(__file__).parent / "fixtures"
SEED_SITE = FIXTURES / "seed-site"
SEED_DROP = ["#block-ownedbyourreaders", "#block-fightingfund", ".block-similar", "#top",
             ".skip-link", "#cookie-banner"]


#: The `runs` and `fetch_log` tables with the columns the first archives that had them had, for
#: tests that add them to an archive without its crawl records.
RUN_TABLES = """
        CREATE TABLE runs (id INTEGER PRIMARY KEY, started TEXT, finished TEXT, sites TEXT,
            status TEXT, exit_code INTEGER, pages_fetched INTEGER, new INTEGER, updated INTEGER,
            unchanged INTEGER, skipped TEXT, errors TEXT);
        CREATE TABLE fetch_log (id INTEGER PRIMARY KEY, run_id INTEGER, url TEXT,
            status INTEGER, error TEXT, message TEXT, fetched_at TEXT);
"""


def seed_expected() -> dict:
    return json.loads((SEED_SITE / "expected.json").read_text(encoding="utf-8"))


def toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def urls_list(origin: str, paths) -> str:
    """A TOML list of the server's URLs for these paths."""
    return toml_list([origin + p for p in paths])


def crawler_table(concurrent_per_domain: int, *settings: str) -> str:
    """A [crawler] table with politeness lifted for a loopback server (no delay, no
    autothrottle, one extraction worker), then `settings`, one TOML line each."""
    return "\n".join(["[crawler]", "download_delay = 0", "autothrottle = false",
                      f"concurrent_per_domain = {concurrent_per_domain}", "extract_workers = 1",
                      *settings])


def write_config(path: Path, server: SiteServer, *, name: str = "seed", feeds=(),
                 sitemaps=(), start_urls=(), extra: str = "", drop=SEED_DROP) -> Path:
    """A sites config for one site on the loopback server, with politeness lifted."""
    origin = server.origin
    path.write_text(f"""
{crawler_table(4, "allow_private_addresses = true")}

[sites.{name}]
domains = ["127.0.0.1"]
feeds = {urls_list(origin, feeds)}
sitemaps = {urls_list(origin, sitemaps)}
start_urls = {urls_list(origin, start_urls)}
{extra}

[sites.{name}.clean]
drop = {toml_list(list(drop))}
""", encoding="utf-8")
    return path


def hostile_config(path: Path, server: HostileServer, *, feeds=(), sitemaps=(), start_urls=(),
                   crawler: str = "allow_private_addresses = true") -> Path:
    """A config for the hostile server's one site: traps reachable (private addresses allowed
    unless `crawler` says otherwise), short timeouts, bounded depth and pages."""
    o = server.origin
    timeouts = ("download_timeout = 4", "extract_timeout = 3", "retry_after_max = 30",
                "run_timeout = 240")
    path.write_text(f"""
{crawler_table(8, *timeouts, crawler)}

[sites.hostile]
domains = ["127.0.0.1", "0.0.0.0", "169.254.169.254"]
feeds = {urls_list(o, feeds)}
sitemaps = {urls_list(o, sitemaps)}
start_urls = {urls_list(o, start_urls)}
follow_depth = 3
max_pages = 300
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


def crawl(config: Path, db: Path, *args: str, ok: tuple[int, ...] = (0,)
          ) -> subprocess.CompletedProcess:
    """`archiver crawl` of `config` into `db`; the test fails (showing the output's tail) when
    the exit code is not one of `ok`."""
    result = run_archiver("crawl", "--config", str(config), "--db", str(db), *args,
                          timeout=180)
    assert result.returncode in ok, result.stdout + result.stderr[-3000:]
    return result


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
