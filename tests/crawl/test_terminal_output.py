"""What an operator sees: a live status on a terminal, today's output off one (issue 22).

The terminal is a real pseudo-terminal (the `pty` module): the command's stdout and stderr
are its slave end, as in an interactive shell, and everything drawn is read from the master.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import selectors
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from archiver.demo.siteserver import SiteServer

from ..newsgen import make_site, news_config
from ..support import fail_on_scrapy_deprecations, run_archiver

pytestmark = pytest.mark.slow

PAGES = 8
BANNER = re.compile(r"Scrapy \d+\.\d+\.\d+ started \(bot: archiver\)")
ESCAPE = "\x1b["


def run_in_pty(*args: str, timeout: float = 180, columns: int = 200) -> tuple[int, str]:
    """Run `archiver ARGS` with a terminal as its stdout and stderr; (exit code, output)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "archiver", *args], stdin=subprocess.DEVNULL,
                            stdout=slave, stderr=slave, env={**os.environ, "TERM": "xterm"})
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + timeout
    # a selector, not select.select(): in a long test session descriptors pass 1024
    watch = selectors.DefaultSelector()
    watch.register(master, selectors.EVENT_READ)
    try:
        while time.monotonic() < deadline:
            if watch.select(0.5):
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: every holder of the slave end has closed it
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            elif proc.poll() is not None:
                break
        else:
            proc.kill()
            pytest.fail("the command did not finish")
        code = proc.wait(timeout=30)
    finally:
        watch.close()
        os.close(master)
    output = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    fail_on_scrapy_deprecations(output)
    return code, output


@pytest.fixture
def site(tmp_path):
    """A small site the crawl spends a few seconds on (a polite delay), and its config."""
    root = make_site(tmp_path / "site", PAGES)
    with SiteServer(root) as server:
        config = news_config(tmp_path, server)
        config.write_text(config.read_text().replace("download_delay = 0",
                                                     "download_delay = 0.2"))
        yield config, tmp_path / "archive.db"


def last_line(out: str) -> str:
    """The last line printed, once the terminal's control sequences are taken out."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out).rstrip().splitlines()[-1]


def summary(db: Path, run: int = 1) -> str:
    """The end-of-run summary, exactly as the crawl prints it (and printed before issue 22)."""
    return (f"run {run}: archive: {db} ({PAGES} articles)\n"
            f"site seed: {PAGES + 1} pages fetched, {PAGES} new, 0 updated, 0 unchanged "
            "articles [finished]\n"
            "result: ok (exit 0)\n")


def test_a_crawl_on_a_terminal_shows_live_progress_and_no_scrapy_banner(site):
    config, db = site
    code, out = run_in_pty("crawl", "--config", str(config), "--db", str(db))
    assert code == 0, out[-3000:]
    assert re.search(r"seed\S*\s+pages \d+ fetched / \d+ queued\s+[\d.]+ pages/s\s+"
                     r"\d+:\d\d:\d\d\s+articles \d+ new / \d+ updated / \d+ unchanged\s+"
                     r"\d+ skipped\s+\d+ errors", out), out[-3000:]
    assert f"pages {PAGES + 1} fetched / 0 queued" in out  # the last status, left on screen
    assert "\r" in out  # redrawn in place
    assert not BANNER.search(out) and "Overridden settings" not in out
    assert "Dumping Scrapy stats" not in out and "[scrapy." not in out
    assert out.endswith(summary(db)), out[-3000:]


def test_the_status_fits_an_80_column_terminal(site):
    """Each status row keeps its counters whole at the classic terminal width (one row of
    every counter wrapped there cell by cell: "pages 9" / "fetched / 0" / "queued")."""
    config, db = site
    code, out = run_in_pty("crawl", "--config", str(config), "--db", str(db), columns=80)
    assert code == 0, out[-3000:]
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out)
    assert f"pages {PAGES + 1} fetched / 0 queued" in plain, plain[-3000:]
    assert re.search(r"articles \d+ new / \d+ updated / \d+ unchanged\s+\d+ skipped\s+\d+ "
                     r"errors", plain), plain[-3000:]


def test_warnings_and_errors_still_reach_the_terminal(site, tmp_path):
    config, db = site
    config.write_text(config.read_text().replace("feeds = []",
                                                 'feeds = ["' + _origin(config) + '/no-feed"]'))
    log = tmp_path / "crawl.log"
    code, out = run_in_pty("crawl", "--config", str(config), "--db", str(db),
                           "--log-file", str(log))
    assert code == 1, out[-3000:]
    assert re.search(r"ERROR: seed_http_404: \S+/no-feed: HTTP 404", out), out[-3000:]
    assert "pages/s" in out and not BANNER.search(out)
    assert "result: partial (exit 1)" in out
    full = log.read_text()  # the log file still has the whole log
    assert BANNER.search(full) and "Dumping Scrapy stats" in full and "seed_http_404" in full
    assert ESCAPE not in full


def _origin(config: Path) -> str:
    return re.search(r'"(http://127\.0\.0\.1:\d+)/sitemap\.xml"', config.read_text()).group(1)


def test_verbose_shows_scrapys_log_under_the_status(site):
    config, db = site
    code, out = run_in_pty("crawl", "--config", str(config), "--db", str(db), "--verbose")
    assert code == 0, out[-3000:]
    assert BANNER.search(out) and "[scrapy.core.engine] INFO: Spider opened" in out
    assert "pages/s" in out


def test_quiet_on_a_terminal_prints_only_the_summary(site):
    config, db = site
    code, out = run_in_pty("crawl", "--config", str(config), "--db", str(db), "--quiet")
    assert code == 0, out
    assert out == summary(db)


def test_off_a_terminal_the_output_is_as_before(site):
    config, db = site
    piped = run_archiver("crawl", "--config", str(config), "--db", str(db), timeout=180)
    assert piped.returncode == 0, piped.stderr[-3000:]
    assert piped.stdout == summary(db)  # exactly today's summary
    assert BANNER.search(piped.stderr)  # Scrapy's log on stderr, as for cron mail today
    assert "Dumping Scrapy stats" in piped.stderr
    assert ESCAPE not in piped.stdout + piped.stderr and "pages/s" not in piped.stderr
    quiet = run_archiver("crawl", "--config", str(config), "--db", str(db), "--quiet",
                         timeout=180)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == (f"run 2: archive: {db} ({PAGES} articles)\n"
                            "site seed: 0 pages fetched, 0 new, 0 updated, 0 unchanged "
                            "articles [finished]\n"
                            "  skipped: sitemap_not_modified 1\n"
                            "result: ok (exit 0)\n")
    assert quiet.stderr == ""


def test_reextract_reclean_and_export_show_progress_on_a_terminal(site, tmp_path):
    config, db = site
    assert run_archiver("crawl", "--config", str(config), "--db", str(db),
                        "--quiet").returncode == 0
    code, out = run_in_pty("reextract", "--config", str(config), "--db", str(db))
    assert code == 0, out
    assert re.search(rf"re-extracting captures.*{PAGES}/{PAGES}", out), out
    assert last_line(out).startswith(f"re-extracted {PAGES} captures")

    code, out = run_in_pty("reclean", "--config", str(config), "--db", str(db))
    assert code == 0, out
    assert re.search(rf"re-cleaning articles.*{PAGES}/{PAGES}", out), out
    assert last_line(out) == f"reclean: 0 of {PAGES} articles changed"

    exported = tmp_path / "out.jsonl"
    code, out = run_in_pty("export", "--db", str(db), "-o", str(exported))
    assert code == 0, out
    assert re.search(rf"exporting articles.*{PAGES}/{PAGES}", out), out
    assert last_line(out) == f"exported {PAGES} articles"
    assert len(exported.read_text().splitlines()) == PAGES
    assert ESCAPE not in exported.read_text()

    # To stdout, the export stays a clean stream: no bar is drawn into it.
    code, out = run_in_pty("export", "--db", str(db))
    assert code == 0 and "exporting articles" not in out
