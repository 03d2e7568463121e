"""The bench's news-please peer: never installs in quick mode, leaves no process behind.

news-please itself runs in `make bench` (and in the quick bench of test_bench.py once its venv
exists); these tests pin the two properties a test run must keep without network: the quick
table says why the row is empty instead of installing, and a measured command's whole process
group is gone once it has been measured.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bench import newsplease_peer, procs


def test_missing_venv_is_reported_not_installed(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    venv = tmp_path / "venvs" / "news-please"
    monkeypatch.setattr(newsplease_peer, "VENV", venv)
    monkeypatch.setattr(newsplease_peer, "MARKER", venv / ".installed")
    with pytest.raises(newsplease_peer.Unavailable) as caught:
        newsplease_peer.run("http://127.0.0.1:9", ["http://127.0.0.1:9/a"], tmp_path / "work",
                            install=False)
    assert str(caught.value) == newsplease_peer.NOT_INSTALLED
    assert not venv.exists()  # nothing was created, nothing was fetched


def test_half_installed_venv_is_not_used(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    venv = tmp_path / "news-please"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "news-please").write_text("#!/bin/sh\n")  # pip never finished: no marker
    monkeypatch.setattr(newsplease_peer, "VENV", venv)
    monkeypatch.setattr(newsplease_peer, "MARKER", venv / ".installed")
    assert not newsplease_peer.installed()
    with pytest.raises(newsplease_peer.Unavailable):
        newsplease_peer.ensure_installed(install=False)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_own_group_kills_what_the_command_left_running() -> None:
    # the shell exits at once and leaves a background sleep in its process group, as
    # news-please's launcher would leave a crawler process if it died first
    result = procs.run(["sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $!"], own_group=True,
                       timeout=30)
    pid = int(result.stdout.strip())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def test_without_own_group_the_leftover_would_survive() -> None:
    # the control: the test above fails if `own_group` stops doing the killing
    result = procs.run(["sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $!"], timeout=30)
    pid = int(result.stdout.strip())
    try:
        time.sleep(0.2)
        assert _alive(pid)
    finally:
        os.kill(pid, 9)
