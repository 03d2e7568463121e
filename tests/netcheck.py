"""Which ports a running process listens on, read from /proc (Linux), for the no-server tests.

A socket the process holds appears as `socket:[INODE]` among its /proc/PID/fd links; the
kernel's socket tables (/proc/PID/net/tcp, tcp6, udp, udp6) give each inode's state and local
address. A TCP socket in state LISTEN (0A) or a UDP socket bound with no peer (a UDP server)
is a listening socket. Outgoing connections are not.
"""

from __future__ import annotations

import os
from pathlib import Path

_TCP_LISTEN = "0A"
_UDP_UNCONNECTED = "07"


def socket_inodes(pid: int) -> set[str]:
    """The inodes of the sockets `pid` holds open (empty once it has exited)."""
    inodes = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return inodes
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    return inodes


def _address(hex_address: str) -> tuple[str, int]:
    host, port = hex_address.split(":")
    return host, int(port, 16)


def listening(pid: int) -> list[str]:
    """`proto host:port` for each socket `pid` listens on (host in /proc's hex form)."""
    inodes = socket_inodes(pid)
    found = []
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        try:
            lines = Path(f"/proc/{pid}/net/{proto}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            if inode not in inodes:
                continue
            serving = (state == _TCP_LISTEN if proto.startswith("tcp")
                       else state == _UDP_UNCONNECTED and _address(remote)[1] == 0)
            if serving:
                host, port = _address(local)
                found.append(f"{proto} {host}:{port}")
    return found


def descendants(pid: int) -> list[int]:
    """Every living child, grandchild, ... of `pid` (its extraction workers, say)."""
    out: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                children = Path(f"/proc/{parent}/task/{task}/children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in out:
                    out.append(child)
                    todo.append(child)
    return out
