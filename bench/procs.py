"""Run a command and measure its wall time and the peak RSS of its whole process tree."""

from __future__ import annotations

import os
import signal
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


def _pss(pid: int) -> int:
    """Proportional set size of one process in bytes: each shared page divided among the
    processes sharing it, so a tree's sum counts shared library pages once (Linux >= 4.14)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds one process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def tree_rss(pid: int, cpu: dict[int, tuple[str, float]] | None = None,
             pss: list[int] | None = None) -> int:
    """Resident bytes of `pid` and all its descendants (Linux /proc); when `cpu` is given,
    record each process's role and CPU seconds so far in it; when `pss` is given, append the
    tree's summed PSS to it."""
    total, pss_total, stack = 0, 0, [pid]
    while stack:
        p = stack.pop()
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * PAGE
            if pss is not None:
                pss_total += _pss(p)
            if cpu is not None:
                fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
                cmd = Path(f"/proc/{p}/cmdline").read_bytes()
                role = ("main" if p == pid else "helper" if b"resource_tracker" in cmd
                        else "worker")
                cpu[p] = (role, (int(fields[11]) + int(fields[12])) / TICK)
        except (OSError, IndexError, ValueError):
            continue
        stack.extend(_children(p))
    if pss is not None:
        pss.append(pss_total)
    return total


@dataclass
class Run:
    """One finished command."""

    seconds: float
    peak_rss: int  #: the issue's measure: shared pages count once per process
    returncode: int
    stdout: str
    stderr: str
    cpu: dict[str, float]  #: CPU seconds by role: main process, pool workers, helpers
    peak_pss: int = 0  #: peak of the tree's summed PSS: shared pages counted once in all

    def cpu_summary(self) -> str:
        return ", ".join(f"{role} {sec:.1f}s" for role, sec in sorted(self.cpu.items()))


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = 3600, interval: float = 0.1, own_group: bool = False) -> Run:
    """Run `cmd`, sampling the RSS of its process tree every `interval` seconds.

    With `own_group`, the command starts in a new session and, once it has exited (or timed
    out), whatever is left of its process group is killed: tools that spawn their own crawler
    processes leave no orphans behind."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                            start_new_session=own_group)
    peak = peak_pss = 0
    stop = threading.Event()
    cpu: dict[int, tuple[str, float]] = {}

    def sample() -> None:
        nonlocal peak, peak_pss
        while not stop.is_set():
            pss: list[int] = []
            peak = max(peak, tree_rss(proc.pid, cpu, pss))
            peak_pss = max(peak_pss, *pss)
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if own_group:
            _kill_group(proc.pid)
        proc.kill()
        out, err = proc.communicate()
    seconds = time.perf_counter() - start
    if own_group:
        _kill_group(proc.pid)
    stop.set()
    sampler.join()
    by_role: dict[str, float] = {}
    for role, seconds_used in cpu.values():
        by_role[role] = by_role.get(role, 0.0) + seconds_used
    return Run(seconds, peak, proc.returncode, out, err, by_role, peak_pss)
