"""Run news-please, from its own venv, as a peer crawler over the bench's loopback site.

news-please pins its own Scrapy, newspaper4k, readability and database clients, so it lives in
a venv of its own (`.bench-venvs/` at the repo root, git-ignored), never beside the project.
The bench writes it a config folder (`config.cfg` from news-please's own default with the
politeness lifted for loopback, and a `sitelist.hjson` listing the pages) and measures one
`news-please -c <folder>` run like every other command: wall time, CPU, peak RSS of its tree.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from archiver.demo.siteserver import FIXTURE_ORIGIN

from . import procs

#: The release measured; the newest on PyPI when this was written, installing cleanly on 3.11.
VERSION = "1.6.16"
ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".bench-venvs" / f"news-please-{VERSION}"
MARKER = VENV / ".installed"  #: written only once pip has finished without error
NOT_INSTALLED = "not installed (run make bench once to install it into its own venv)"

#: news-please's default config.cfg, key by key: what the bench sets and why.
SETTINGS = {
    # one crawler given the page URLs, like trafilatura's --input-file: its SitemapCrawler
    # would follow robots.txt's Sitemap line, which lists every page of the site, not N
    "default": "Download",
    "number_of_parallel_crawlers": "1",  # one site, one crawler process
    "LOG_LEVEL": "WARNING",  # INFO logs two lines per page; archiver's bench runs at WARNING
    "ROBOTSTXT_OBEY": "False\nDOWNLOAD_DELAY = 0\nAUTOTHROTTLE_ENABLED = False",
    "CONCURRENT_REQUESTS": "32",  # as archiver's bench config
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
}


class Unavailable(Exception):
    """news-please cannot run here; the message (one line) goes into the table instead."""


@dataclass
class PeerRun:
    """One measured news-please run."""

    run: procs.Run
    articles: int  #: JSON article files it wrote
    last_write: float  #: seconds from start to its last article file


def _bin(name: str) -> Path:
    return VENV / "bin" / name


def installed() -> bool:
    """True when the venv holds a finished install of news-please `VERSION`."""
    return MARKER.exists() and _bin("news-please").exists()


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR")]
    line = (errors or lines or ["no output"])[-1]
    return line[:160]


def ensure_installed(install: bool = True) -> Path:
    """The `news-please` executable of its own venv, created with this Python when missing
    and `install` is true; raises `Unavailable` with a one-line reason otherwise."""
    if installed():
        return _bin("news-please")
    if not install:
        raise Unavailable(NOT_INSTALLED)
    print(f"installing news-please {VERSION} into {os.path.relpath(VENV, ROOT)} ...",
          file=sys.stderr, flush=True)
    steps = [[sys.executable, "-m", "venv", str(VENV)],
             [str(_bin("python")), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              f"news-please=={VERSION}"]]
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=1200,
                                  stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise Unavailable(f"could not install news-please {VERSION}: {exc}") from None
        if done.returncode != 0:
            raise Unavailable(f"could not install news-please {VERSION} "
                              f"(pip exit {done.returncode}): {_last_line(done.stderr)}")
    MARKER.write_text(VERSION + "\n", encoding="utf-8")
    return _bin("news-please")


def _default_config() -> str:
    found = sorted(VENV.glob("lib/python*/site-packages/newsplease/config/config.cfg"))
    if not found:
        raise Unavailable(f"news-please {VERSION} venv has no default config.cfg")
    return found[0].read_text(encoding="utf-8")


def write_config(folder: Path, work: Path, urls: list[str]) -> Path:
    """news-please's default `config.cfg` with `SETTINGS` and its working path `work` (its
    files land in `work/data`, its Scrapy job folder in `work/.resume_jobdir`), and a
    `sitelist.hjson` giving the Download crawler every URL; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    text = _default_config()
    for key, value in {**SETTINGS, "working_path": str(work) + "/"}.items():
        text, count = re.subn(rf"(?m)^{key}\s*=.*$", lambda _m, k=key, v=value: f"{k} = {v}",
                              text)
        if count != 1:
            raise RuntimeError(f"news-please's default config.cfg has {count} '{key}' keys")
    (folder / "config.cfg").write_text(text, encoding="utf-8")
    sites = {"base_urls": [{"url": urls, "crawler": "Download"}]}  # JSON is valid hjson
    (folder / "sitelist.hjson").write_text(json.dumps(sites, indent=1), encoding="utf-8")
    return folder


def _leftovers(marker: str) -> list[int]:
    """Pids of live processes whose command line mentions `marker` (our config folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def run(origin: str, urls: list[str], work: Path, install: bool = True) -> PeerRun:
    """`news-please -c <config folder>` over `urls` (served at `origin`), output as JSON (and
    raw HTML) files under `work`; raises `Unavailable` when it is not installed, RuntimeError
    when it wrote fewer than 95% of the pages."""
    exe = ensure_installed(install)
    shutil.rmtree(work, ignore_errors=True)
    data = work / "data"
    config = write_config(work / "config", work,
                          [u.replace(FIXTURE_ORIGIN, origin) for u in urls])
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PYTHONWARNINGS"] = "ignore"
    started = time.time()
    result = procs.run([str(exe), "-c", str(config), "-no-confirm"], cwd=work, env=env,
                       timeout=max(300, 2 * len(urls)), own_group=True)
    stray = _leftovers(str(config))
    for pid in stray:  # a crawler that left its process group; procs.run killed the rest
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    # one <page>.html (raw) and one <page>.html.json (extracted) per article
    files = list(data.rglob("*.html.json")) if data.exists() else []
    if len(files) < len(urls) * 0.95 or stray:
        raise RuntimeError(f"news-please wrote {len(files)} of {len(urls)} pages (exit "
                           f"{result.returncode}, {len(stray)} stray processes killed): "
                           f"{result.stdout[-500:]} {result.stderr[-1500:]}")
    last = max(p.stat().st_mtime for p in files) - started
    return PeerRun(result, len(files), last)
