"""Run a command and measure its wall time and the peak RSS of its whole process tree."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            out.extend(int(p) for p in text.split())
    except OSError:
        pass
    return out


TICK = os.sysconf("SC_CLK_TCK")


def tree_rss(pid: int, cpu: dict[int, tuple[str, float]] | None = None) -> int:
    """Resident bytes of `pid` and all its descendants (Linux /proc); when `cpu` is given,
    record each process's role and CPU seconds so far in it."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * PAGE
            if cpu is not None:
                fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
                cmd = Path(f"/proc/{p}/cmdline").read_bytes()
                role = ("main" if p == pid else "helper" if b"resource_tracker" in cmd
                        else "worker")
                cpu[p] = (role, (int(fields[11]) + int(fields[12])) / TICK)
        except (OSError, IndexError, ValueError):
            continue
        stack.extend(_children(p))
    return total


@dataclass
class Run:
    """One finished command."""

    seconds: float
    peak_rss: int
    returncode: int
    stdout: str
    stderr: str
    cpu: dict[str, float]  #: CPU seconds by role: main process, pool workers, helpers

    def cpu_summary(self) -> str:
        return ", ".join(f"{role} {sec:.1f}s" for role, sec in sorted(self.cpu.items()))


def run(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = 3600, interval: float = 0.1) -> Run:
    """Run `cmd`, sampling the RSS of its process tree every `interval` seconds."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()
    cpu: dict[int, tuple[str, float]] = {}

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(proc.pid, cpu))
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    by_role: dict[str, float] = {}
    for role, seconds_used in cpu.values():
        by_role[role] = by_role.get(role, 0.0) + seconds_used
    return Run(seconds, peak, proc.returncode, out, err, by_role)
