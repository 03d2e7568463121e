"""Crawl benchmarks on a generated loopback site: Scrapy alone, the extraction ceiling,
`archiver crawl` end to end, and trafilatura's own crawler as the peer."""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from archiver.demo.siteserver import FIXTURE_ORIGIN
from archiver.extract.page import analyse

from . import procs

# The other peer, news-please, runs from bench/newsplease_peer.py: 1.6.16 in its own venv under
# `.bench-venvs/` (installed by the first full `make bench`), its Download crawler given the
# same page URLs as trafilatura below, politeness lifted as in `write_config`, JSON files out.

ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


def _analyse(args: tuple[bytes, str]) -> bool:
    body, url = args
    return analyse(body, url, content_type="text/html; charset=utf-8",
                   domains=("127.0.0.1",)).article is not None


def _warm(_: int) -> bool:
    return _analyse((b"<html><body><p>warm</p></body></html>", "http://127.0.0.1/warm"))


@dataclass
class Rate:
    """Pages per second, and the CPU seconds a page took (all processes involved)."""

    pages_per_s: float
    cpu_per_page: float


def ceiling(root: Path, urls: list[str], origin: str, workers: int = 2) -> Rate:
    """Pages/s of `extract.analyse` alone over the same pages in a `workers`-process pool
    (spawned and warmed before the clock starts; bodies already in memory), and the CPU the
    pool's workers spent a page while the clock ran."""
    jobs = []
    for url in urls:
        path = root / (url.removeprefix(FIXTURE_ORIGIN + "/") + ".html")
        body = path.read_bytes().replace(FIXTURE_ORIGIN.encode(), origin.encode())
        jobs.append((body, url.replace(FIXTURE_ORIGIN, origin)))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_warm, range(workers * 2)))
        pids = list(pool._processes)  # the bench's own pool: its worker pids, for their CPU
        cpu = sum(map(procs.cpu_seconds, pids))
        start = time.perf_counter()
        found = sum(pool.map(_analyse, jobs, chunksize=4))
        seconds = time.perf_counter() - start
        cpu = sum(map(procs.cpu_seconds, pids)) - cpu
    if found != len(jobs):
        raise RuntimeError(f"ceiling: only {found} of {len(jobs)} pages were articles")
    return Rate(len(jobs) / seconds, cpu / len(jobs))


def scrapy_alone(origin: str, n_pages: int, server_pid: int) -> Rate:
    """Pages/s of a Scrapy spider that fetches every page and does nothing with it, and the
    CPU a page took in the spider's process and in the site's server (pid `server_pid`)."""
    served = procs.cpu_seconds(server_pid)
    result = procs.run([sys.executable, "-m", "bench.fetch_only",
                        f"{origin}/sitemap-{n_pages}.xml"],
                       env=ENV)
    served = procs.cpu_seconds(server_pid) - served
    if result.returncode != 0:
        raise RuntimeError("fetch-only crawl failed: " + result.stderr[-2000:])
    return Rate(n_pages / result.seconds, (sum(result.cpu.values()) + served) / n_pages)


def cpu_bound(ceiling: Rate, fetch: Rate) -> float:
    """The most of the ceiling any crawl that fetches with Scrapy and extracts with
    `extract.py` can reach on the same cores: the ceiling keeps every core busy extracting, so
    a crawl that spends nothing beyond the ceiling's extraction and the bare fetch (spider and
    server) a page reaches this fraction of it. What a crawl loses against this fraction is its
    own overhead; the rest of the gap to 1.0 is fetching, which needs CPU too."""
    return ceiling.cpu_per_page / (ceiling.cpu_per_page + fetch.cpu_per_page)


def write_config(path: Path, origin: str, n_pages: int) -> Path:
    """Politeness lifted for loopback: no delay, no AutoThrottle, many requests at once.

    Discovery through the site's feed and its sitemap of the first `n_pages` pages."""
    path.write_text(f"""
[crawler]
download_delay = 0
autothrottle = false
concurrent_per_domain = 16
concurrent_requests = 32
extract_workers = 2
allow_private_addresses = true

[sites.bench]
domains = ["127.0.0.1"]
feeds = ["{origin}/feed.xml"]
sitemaps = ["{origin}/sitemap-{n_pages}.xml"]
max_pages = {n_pages + 100}
""", encoding="utf-8")
    return path


def archiver_crawl(origin: str, n_pages: int, work: Path) -> procs.Run:
    """`archiver crawl` of the whole site into a fresh archive; checks every page was stored."""
    work.mkdir(parents=True, exist_ok=True)
    db = work / "archive.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    shutil.rmtree(work / "warc", ignore_errors=True)  # raw captures land beside the archive
    config = write_config(work / "sites.toml", origin, n_pages)
    result = procs.run([sys.executable, "-m", "archiver", "crawl", "--config", str(config),
                        "--db", str(db), "--log-level", "WARNING"], env=ENV)
    if result.returncode != 0:
        raise RuntimeError(f"archiver crawl exit {result.returncode}: "
                           f"{result.stdout[-1500:]} {result.stderr[-1500:]}")
    import sqlite3

    stored = sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0]
    if stored != n_pages:
        raise RuntimeError(f"archiver crawl stored {stored} of {n_pages} articles")
    return result


def archiver_reextract(n_pages: int, work: Path) -> procs.Run:
    """`archiver reextract` of the archive `archiver_crawl` left in `work` (its WARC files)."""
    result = procs.run([sys.executable, "-m", "archiver", "reextract", "--config",
                        str(work / "sites.toml"), "--db", str(work / "archive.db")], env=ENV)
    if result.returncode != 0:
        raise RuntimeError(f"archiver reextract exit {result.returncode}: "
                           f"{result.stdout[-1500:]} {result.stderr[-1500:]}")
    return result


def archiver_export(db: Path) -> procs.Run:
    """`archiver export --format jsonl` of an archive to /dev/null."""
    result = procs.run([sys.executable, "-m", "archiver", "export", "--db", str(db),
                        "--format", "jsonl", "-o", os.devnull], env=ENV)
    if result.returncode != 0:
        raise RuntimeError(f"archiver export exit {result.returncode}: {result.stderr[-1500:]}")
    return result


def trafilatura_peer(origin: str, urls: list[str], work: Path) -> procs.Run:
    """trafilatura's command-line tool over the site's sitemap URLs: `--parallel 2
    --with-metadata --json`, per-host sleep 0 (its settings file), one JSON file per page.

    It gets the sitemap's URLs as `--input-file`: with `--sitemap`, trafilatura 2.3.1 rejects
    an IP address with a port (courlan) and, on port 80, finds the 2,000 links and then
    re-fetches the sitemap URL itself in an endless loop.
    """
    work.mkdir(parents=True, exist_ok=True)
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    import trafilatura

    settings = (Path(trafilatura.__file__).parent / "settings.cfg").read_text()
    settings = re.sub(r"(?m)^SLEEP_TIME = .*$", "SLEEP_TIME = 0", settings)
    settings = re.sub(r"(?m)^SSRF_PROTECTION = .*$", "SSRF_PROTECTION = off", settings)
    config = work / "trafilatura.cfg"
    config.write_text(settings, encoding="utf-8")
    listing = work / "urls.txt"
    listing.write_text("\n".join(u.replace(FIXTURE_ORIGIN, origin) for u in urls) + "\n")
    exe = Path(sys.executable).parent / "trafilatura"
    result = procs.run([str(exe), "--input-file", str(listing), "--parallel", "2",
                        "--with-metadata", "--json", "--config-file", str(config),
                        "-o", str(out)], env=ENV, timeout=max(300, len(urls)))
    written = sum(1 for p in out.rglob("*") if p.is_file()) if out.exists() else 0
    if written < len(urls) * 0.95:
        raise RuntimeError(f"trafilatura wrote {written} of {len(urls)} pages "
                           f"(exit {result.returncode}): {result.stderr[-1500:]}")
    return result
