"""Offline start: a crawl of a loopback site in a network namespace with no other route.

Nothing may reach for the internet at run time (the public suffix list included): an audit
hook in every Python process of the crawl records each connect and name lookup that is not
loopback, and the crawl must finish with all articles and an empty record.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ..support import SEED_SITE

pytestmark = pytest.mark.slow

AUDIT = textwrap.dedent("""
    import os, sys
    _LOG = os.environ["ARCHIVER_NET_AUDIT"]
    _LOCAL = ("127.", "::1", "localhost", "0:0:0:0:0:0:0:1")
    # Proof the hook is live: each process says it loaded it, and each loopback connect is
    # counted, so an empty record means "nothing reached out", not "nothing was watched".
    with open(_LOG + ".loaded", "a") as log:
        log.write(f"{os.getpid()} {' '.join(sys.argv)}\\n")

    def _hook(event, args):
        if event == "socket.connect":
            address = args[1]
            if isinstance(address, tuple) and not str(address[0]).startswith(_LOCAL):
                with open(_LOG, "a") as log:
                    log.write(f"connect {address!r}\\n")
            elif isinstance(address, tuple):
                with open(_LOG + ".local", "a") as log:
                    log.write(f"{os.getpid()} {address[0]}\\n")
        elif event == "socket.getaddrinfo":
            host = args[0]
            host = host.decode() if isinstance(host, bytes) else str(host)
            if host and host != "None" and not host.startswith(_LOCAL):
                with open(_LOG, "a") as log:
                    log.write(f"getaddrinfo {host!r}\\n")

    sys.addaudithook(_hook)
""")

DRIVER = textwrap.dedent("""
    import json, subprocess, sys, time
    from pathlib import Path
    from archiver.demo.siteserver import SiteServer
    from tests.support import write_config
    tmp, site = Path(sys.argv[1]), Path(sys.argv[2])
    with SiteServer(site) as server:
        config = write_config(tmp / "sites.toml", server, feeds=["/rss.xml"],
                              sitemaps=["/robots.txt"], start_urls=["/"])
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "archiver", "crawl", "--config",
                               str(config), "--db", str(tmp / "archive.db")],
                              capture_output=True, text=True, timeout=120)
        print(json.dumps({"rc": done.returncode, "out": done.stdout, "err": done.stderr[-3000:],
                          "seconds": time.monotonic() - started}))
""")


def test_crawl_starts_and_finishes_without_any_route_out(tmp_path):
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.fail("offline drill needs `unshare` and `ip` (apt-get install util-linux iproute2)")
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.fail(f"offline drill needs network namespaces: {probe.stderr.strip()}")
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(AUDIT)
    audit = tmp_path / "net-audit.log"
    root = Path(__file__).parents[2]
    script = (f"ip link set lo up && cd {root} && PYTHONPATH={hook}:{root} "
              f"ARCHIVER_NET_AUDIT={audit} {sys.executable} -c '{DRIVER}' {tmp_path} {SEED_SITE}")
    done = subprocess.run(["unshare", "-rn", "bash", "-c", script], capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["rc"] == 0, result["out"] + result["err"]
    assert "4 new" in result["out"]
    loaded = Path(f"{audit}.loaded").read_text()
    # The hook ran in the crawl process (sys.argv is ["-m", "crawl", ...] when it loads) and
    # in its extraction workers.
    crawl_pids = {line.split()[0] for line in loaded.splitlines() if " crawl --config" in line}
    assert crawl_pids, loaded
    assert "--multiprocessing-fork" in loaded, loaded
    local = Path(f"{audit}.local").read_text()
    assert crawl_pids & {line.split()[0] for line in local.splitlines()}, local  # and saw it
    assert not audit.exists() or audit.read_text() == "", audit.read_text()
    assert "Traceback" not in result["err"]
