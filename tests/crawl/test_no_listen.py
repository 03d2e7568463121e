"""A crawl opens no listening socket: not the crawl process, not its extraction workers.

Scrapy 2.19 added a remote-control HTTP server, on by default, that runs Python sent to it;
its telnet console does the same. archiver.crawl.settings turns both off. This test watches a real
crawl's processes through /proc while it fetches, so the next Scrapy upgrade that adds a
server fails here instead of opening a port on every cron host. (`archiver worker` and
`archiver writer` are watched in tests/distributed/test_distributed.py, beside their Redis server.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archiver.demo.siteserver import SiteServer

from ..netcheck import descendants, listening
from ..newsgen import make_site, news_config
from ..support import fail_on_scrapy_deprecations

pytestmark = pytest.mark.slow


def watch(proc: subprocess.Popen, started: object, timeout: float = 240) -> dict:
    """Sample the listening sockets of `proc` and its descendants until it exits.

    `started()` says when the crawl is known to be under way (its engine started, so every
    extension that would serve has bound its port); only samples from then on count as
    proof, and at least one must include an extraction worker.
    """
    seen: dict[int, list[str]] = {}
    proof = 0
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the process did not finish")
        running = started()
        children = descendants(proc.pid)
        for pid in [proc.pid, *children]:
            ports = listening(pid)
            if ports:
                seen[pid] = ports
        if running and children and proc.poll() is None:
            proof += 1
        time.sleep(0.05)
    return {"listening": seen, "proof": proof}


def test_the_detector_sees_a_listening_socket():
    """The check below can fail: this process's own site server is found listening."""
    with SiteServer(Path(__file__).parents[1] / "fixtures" / "seed-site") as server:
        ports = listening(os.getpid())
    port = int(server.origin.rsplit(":", 1)[1])
    assert any(p.endswith(f":{port}") for p in ports if p.startswith("tcp")), ports


def test_a_crawl_and_its_workers_listen_on_no_port(tmp_path):
    site = make_site(tmp_path / "site", 20)
    with SiteServer(site) as server:
        config = news_config(tmp_path, server)
        # Polite spacing keeps the crawl fetching for seconds (20 × 0.4 s, at least half of
        # that with Scrapy's jitter), long enough to be watched.
        config.write_text(config.read_text().replace("download_delay = 0",
                                                     "download_delay = 0.4"))
        err = tmp_path / "crawl.err"
        with err.open("w") as stderr:
            proc = subprocess.Popen([sys.executable, "-m", "archiver", "crawl", "--config",
                                     str(config), "--db", str(tmp_path / "archive.db")],
                                    stdout=subprocess.PIPE, stderr=stderr, text=True)
            result = watch(proc, lambda: any(r.path.startswith("/article/")
                                             for r in list(server.log)))
            out = proc.stdout.read()
    log = err.read_text()
    assert proc.returncode == 0, out + log[-3000:]
    assert "20 new" in out
    fail_on_scrapy_deprecations(log)
    assert result["proof"] > 0, "never sampled the crawl while it fetched"
    assert result["listening"] == {}, result["listening"]
    assert "listening on" not in log  # Scrapy's "... server listening on port N" lines
