"""Crawl runs and their fetch log: one `runs` row per crawl (local, or a distributed
worker's, recorded by the writer), one `run_sites` row per site of a local run, and one
`fetch_log` line per URL that failed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from archiver.store.clock import now_iso
from archiver.store.core import Part, as_dicts


def _merged(sites: Iterable[dict[str, Any]], key: str) -> str:
    """The sites' counters under `key` ({"reason": n}) added up, as sorted JSON."""
    out: dict[str, int] = {}
    for s in sites:
        for k, v in (s.get(key) or {}).items():
            out[k] = out.get(k, 0) + int(v)
    return json.dumps(dict(sorted(out.items())))


class RunLog(Part):
    """`runs`, `run_sites` and `fetch_log`."""

    def start_run(self, sites: list[str], pid: int, host: str) -> int:
        """Record a crawl as running; runs left `running` by a dead crawl become `abandoned`
        (distributed workers' runs are the writer's to judge, by their heartbeats)."""
        with self.core.writing("record the run"):
            self.conn.execute("UPDATE runs SET status = 'abandoned' "
                              "WHERE status = 'running' AND worker IS NULL")
            cur = self.conn.execute(
                "INSERT INTO runs (started, sites, status, pid, host) "
                "VALUES (?, ?, 'running', ?, ?)", (now_iso(), json.dumps(sites), pid, host))
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, *, status: str, exit_code: int,
                   sites: list[dict[str, Any]]) -> None:
        """Close a run record with its totals and one `run_sites` row per site."""
        def total(key: str) -> int:
            return sum(int(s.get(key, 0)) for s in sites)

        with self.core.writing("record the run"):
            self.conn.execute(
                "UPDATE runs SET finished = ?, status = ?, exit_code = ?, pages_fetched = ?, "
                "new = ?, updated = ?, unchanged = ?, skipped = ?, errors = ? WHERE id = ?",
                (now_iso(), status, exit_code, total("pages_fetched"), total("new"),
                 total("updated"), total("unchanged"), _merged(sites, "skipped"),
                 _merged(sites, "errors"), run_id))
            for s in sites:
                self.conn.execute(
                    "INSERT OR REPLACE INTO run_sites (run_id, site, finish_reason, "
                    "pages_fetched, new, updated, unchanged, "
                    "skipped, errors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (run_id, s["site"], s.get("finish_reason"), s.get("pages_fetched", 0),
                     s.get("new", 0), s.get("updated", 0), s.get("unchanged", 0),
                     json.dumps(dict(sorted((s.get("skipped") or {}).items()))),
                     json.dumps(dict(sorted((s.get("errors") or {}).items())))))

    def record_worker_run(self, run: dict[str, Any]) -> bool | None:
        """Store a distributed worker's finished run in `runs`, once (False: already there).

        `run` is the worker's record (archiver.distributed.worker.run_message) with the
        writer's counts of new / updated / unchanged articles added. None: the archive has no
        `runs` table yet (it comes with the cron schema); the caller keeps the record for
        later.
        """
        columns = self.core.columns("runs") if self.core.has_table("runs") else None
        if not columns:
            return None
        sites = run.get("sites", [])
        values = {
            "started": run["started"], "finished": run.get("finished"),
            "sites": json.dumps([s["site"] for s in sites]),
            "status": run.get("status", "unknown"), "exit_code": run.get("exit_code"),
            "pages_fetched": sum(int(s.get("pages_fetched", 0)) for s in sites),
            "new": run.get("new", 0), "updated": run.get("updated", 0),
            "unchanged": run.get("unchanged", 0), "skipped": _merged(sites, "skipped"),
            "errors": _merged(sites, "errors"), "pid": run.get("pid"), "host": run.get("host"),
            "worker": run["worker"],
        }
        values = {k: v for k, v in values.items() if k in columns}
        cols = ", ".join(values)
        marks = ", ".join(f":{c}" for c in values)
        same = ("worker = :worker" if "worker" in values else
                "host IS :host AND pid IS :pid AND started = :started")
        with self.core.writing("record the run"):
            cur = self.conn.execute(
                f"INSERT INTO runs ({cols}) SELECT {marks} "
                f"WHERE NOT EXISTS (SELECT 1 FROM runs WHERE {same})", values)
            if cur.rowcount == 0 and values["status"] != "running":
                # The run's start was recorded (or it was declared lost before its final
                # record arrived): the final record completes that row.
                sets = ", ".join(f"{c} = :{c}" for c in values if c != "started")
                cur = self.conn.execute(
                    f"UPDATE runs SET {sets} WHERE {same} "
                    "AND status IN ('running', 'lost', 'abandoned')", values)
        return cur.rowcount == 1

    def running_worker_runs(self) -> list[str]:
        """The workers whose run is recorded as running (their start came, no end yet)."""
        if "worker" not in self.core.columns("runs"):
            return []
        return [w for (w,) in self.conn.execute(
            "SELECT worker FROM runs WHERE status = 'running' AND worker IS NOT NULL")]

    def mark_run_lost(self, worker: str, finished: str, counts: dict[str, int]) -> bool:
        """A worker's run ended without its final record (the worker died): status `lost`."""
        cur = self.core.write(
            "record the run",
            "UPDATE runs SET status = 'lost', finished = ?, new = ?, updated = ?, "
            "unchanged = ? WHERE worker = ? AND status = 'running'",
            (finished, counts.get("new", 0), counts.get("updated", 0),
             counts.get("unchanged", 0), worker))
        return cur.rowcount == 1

    def log_failure(self, run_id: int | None, site: str, url: str, error: str,
                    message: str = "", http_status: int | None = None) -> None:
        """One line of `fetch_log`: a URL that failed, and how."""
        self.core.write("write the fetch log",
                        "INSERT INTO fetch_log (run_id, fetched_at, site, url, status, error, "
                        "message) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (run_id, now_iso(), site, url, http_status, error, message[:1000]))

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The most recent runs, newest first."""
        return self.core.dicts("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))

    def fetch_failures(self, run_id: int) -> list[dict[str, Any]]:
        """The failed URLs of one run."""
        return self.core.dicts("SELECT * FROM fetch_log WHERE run_id = ? ORDER BY id",
                               (run_id,))

    def recent_runs(self, limit: int = 200) -> list[dict[str, Any]]:
        """The latest rows of `runs` (when that table exists), newest first, as dicts."""
        if not self.core.has_table("runs"):
            return []
        return as_dicts(self.conn.execute(
            "SELECT * FROM runs ORDER BY started DESC, id DESC LIMIT ?", (limit,)))

    def fetch_failures_since(self, since: str) -> list[dict[str, Any]]:
        """Rows of `fetch_log` (when it exists) fetched after `since`: url, run_id and, when
        the table has one, site."""
        columns = self.core.columns("fetch_log")
        if not columns:
            return []
        site = "site" if "site" in columns else "NULL AS site"
        cur = self.conn.execute(
            f"SELECT url, run_id, {site} FROM fetch_log "
            "WHERE julianday(fetched_at) > julianday(?)", (since,))
        return [{"url": u, "run_id": r, "site": s} for u, r, s in cur]
