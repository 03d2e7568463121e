"""Serve a generated site with SiteServer in its own process, so it never shares the GIL."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path

from archiver.demo.siteserver import SiteServer


class Served:
    """`with Served(root) as origin:` — a SiteServer subprocess on 127.0.0.1."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> str:
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.serve", str(self.root)],
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    @property
    def pid(self) -> int:
        """The server's process id (to read its CPU time)."""
        assert self.proc is not None
        return self.proc.pid

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(timeout=10)


def main() -> None:
    server = SiteServer(Path(sys.argv[1]))  # its request log stays in this process only
    server.start()
    print(server.origin, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    done.wait()
    server.stop()


if __name__ == "__main__":
    main()
