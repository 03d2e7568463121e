"""The captures index: where each fetched response lies in the WARC files (issue 5), and
which of them an article came from. The WARC bytes themselves are archiver/warc's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from archiver.store.core import Part, first_dict, marks


class CaptureIndex(Part):
    """`captures`."""

    def _insert(self, values: dict[str, Any]) -> int:
        cols = ", ".join(values)
        cur = self.conn.execute(
            f"INSERT INTO captures ({cols}) VALUES ({', '.join(':' + c for c in values)})",
            values)
        return int(cur.lastrowid or 0)

    def add_capture(self, values: dict[str, Any]) -> int:
        """Index one WARC record (written before this call); return the capture's id."""
        with self.core.writing("index capture"):
            return self._insert(values)

    def add_captures_once(self, rows: list[dict[str, Any]]) -> list[int]:
        """Index WARC records written elsewhere (a worker's), each once; return their ids.

        A record is known by its place (`warc_file`, `warc_offset`): a reference delivered
        twice (Redis delivers at least once) finds the row the first one made.
        """
        ids: list[int] = []
        with self.core.writing("index captures"):
            for values in rows:
                row = self.conn.execute(
                    "SELECT id FROM captures WHERE warc_file = ? AND warc_offset = ?",
                    (values["warc_file"], values["warc_offset"])).fetchone()
                ids.append(int(row[0]) if row is not None else self._insert(values))
        return ids

    def original_capture(self, url: str, digest: str) -> dict[str, Any] | None:
        """The latest full capture of `url` whose payload has this digest (revisit target)."""
        return first_dict(self.conn.execute(
            "SELECT * FROM captures WHERE url = ? AND payload_digest = ? "
            "AND record_type = 'response' ORDER BY fetched_at DESC, id DESC LIMIT 1",
            (url, digest)))

    def capture(self, capture_id: int) -> dict[str, Any] | None:
        """One capture's index row."""
        return first_dict(self.conn.execute("SELECT * FROM captures WHERE id = ?",
                                            (capture_id,)))

    def capture_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM captures").fetchone()[0]

    def count_captures(self, *, site: str | None = None, since: str | None = None) -> int:
        """How many page captures `iter_captures` would stream (a progress bar's total)."""
        sql = ("SELECT count(*) FROM captures WHERE role = 'page' "
               "AND status BETWEEN 200 AND 299")
        params: list[Any] = []
        if site:
            sql += " AND site = ?"
            params.append(site)
        if since:
            sql += " AND fetched_at >= ?"
            params.append(since)
        return int(self.conn.execute(sql, params).fetchone()[0])

    def iter_captures(self, *, site: str | None = None, since: str | None = None,
                      roles: tuple[str, ...] = ("page",)) -> Iterator[dict[str, Any]]:
        """Successful captures of the given roles, streamed in (url, fetched_at) order.

        Each row carries `payload_file`/`payload_offset`: where its payload bytes are (the
        original's, for a revisit).
        """
        where = [f"c.role IN ({marks(roles)})", "c.status BETWEEN 200 AND 299"]
        params: list[Any] = list(roles)
        if site:
            where.append("c.site = ?")
            params.append(site)
        if since:
            where.append("c.fetched_at >= ?")
            params.append(since)
        cur = self.conn.execute(
            "SELECT c.*, coalesce(o.warc_file, c.warc_file) AS payload_file, "
            "coalesce(o.warc_offset, c.warc_offset) AS payload_offset "
            "FROM captures c LEFT JOIN captures o ON o.id = c.refers_to "
            f"WHERE {' AND '.join(where)} ORDER BY c.url, c.fetched_at, c.id", params)
        names = [d[0] for d in cur.description]
        for values in cur:
            yield dict(zip(names, values, strict=True))
