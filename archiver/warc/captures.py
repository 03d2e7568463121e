"""Keep each fetched response: write it to WARC and index it in the archive, deduplicating revisits.

Order matters for crash safety: the record reaches the file before its index row is committed,
so the index never points at bytes that are not on disk.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from archiver.extract.page import Hints
from archiver.store.archive import Store
from archiver.warc.files import Exchange, WarcWriter, payload_digest, warc_date
from archiver.warc.reading import resolve

DEFAULT_WARC_DIR = "warc"


def warc_dir_for(db_path: Path | str, configured: str | Path | None = None) -> Path:
    """Where an archive's WARC files go: `configured` (relative to the database's folder) or
    `warc/` beside the database."""
    base = Path(db_path).parent
    return base / Path(configured or DEFAULT_WARC_DIR)


def file_ref(path: Path, db_path: Path | str) -> str:
    """A WARC file's name as the index keeps it: relative to the database's folder when inside
    it (so the archive folder can move), absolute otherwise."""
    base = Path(db_path).resolve().parent
    full = path.resolve()
    return os.path.relpath(full, base) if full.is_relative_to(base) else str(full)


def file_path(ref: str, db_path: Path | str) -> Path:
    """The file an index reference names."""
    return Path(db_path).parent / ref


def iso_seconds(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


class CaptureRecorder:
    """Writes captures through a WarcWriter and indexes them in a Store."""

    def __init__(self, store: Store, writer: WarcWriter) -> None:
        self.store = store
        self.writer = writer

    def record(self, ex: Exchange, *, site: str | None, role: str | None,
               hints: Hints | None = None, source: str = "crawl",
               extra_headers: dict[str, str] | None = None) -> tuple[int, str]:
        """Write and index one response; return (capture id, "response" or "revisit")."""
        ex = Exchange(**{**ex.__dict__, "fetched_at": ex.fetched_at.replace(microsecond=0)})
        digest = payload_digest(ex.body)
        original = self.store.original_capture(ex.url, digest) if ex.body else None
        if original is not None and not resolve(
                file_path(original["warc_file"], self.store.path)).exists():
            original = None  # its file is gone: keep the payload again
        revisit_of = None
        if original is not None:
            revisit_of = (original["url"],
                          warc_date(datetime.fromisoformat(original["fetched_at"])))
        written = self.writer.write(ex, revisit_of=revisit_of, extra_headers=extra_headers)
        hint_values = {k: v for k, v in asdict(hints).items() if v} if hints else {}
        capture_id = self.store.add_capture({
            "url": ex.url,
            "fetched_at": iso_seconds(ex.fetched_at),
            "status": ex.status,
            "content_type": ex.header("content-type"),
            "payload_digest": digest,
            "record_type": written.record_type,
            "refers_to": original["id"] if original else None,
            "warc_file": file_ref(written.path, self.store.path),
            "warc_offset": written.offset,
            "warc_length": written.length,
            "site": site,
            "role": role,
            "hints": json.dumps(hint_values, ensure_ascii=False) if hint_values else None,
            "source": source,
        })
        return capture_id, written.record_type
