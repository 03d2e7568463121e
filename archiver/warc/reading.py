"""Reading WARC records back: a capture at the offset the archive's index gives (our own
files, `.open` ones included while a crawl writes them), or every record of a foreign file,
skipping what is malformed. Pure file handling, like `archiver.warc.files` beside it."""

from __future__ import annotations

import io
import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders

from archiver.warc.files import OPEN_SUFFIX, WarcError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Capture:
    """A response read back from a WARC file: headers and the decoded payload."""

    url: str
    status: int
    headers: StatusAndHeaders
    body: bytes  #: Content-Encoding undone (what the crawler's parser saw)
    warc_date: str

    @property
    def content_type(self) -> str | None:
        return self.headers.get_header("content-type")


def resolve(path: Path) -> Path:
    """The file as it is now: `path`, or `path.open` while a crawl is still writing it."""
    if path.exists():
        return path
    open_path = Path(str(path) + OPEN_SUFFIX)
    return open_path if open_path.exists() else path


def read_record(path: Path, offset: int) -> ArcWarcRecord:
    """The WARC record at `offset` of `path`, with its content read into memory."""
    try:
        with open(resolve(path), "rb") as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh)))
            body = record.content_stream().read()
    except (OSError, StopIteration, ArchiveLoadFailed, ValueError, EOFError, zlib.error) as exc:
        raise WarcError(f"{path}@{offset}: cannot read WARC record: {exc or 'no record'}") from None
    record.body = body
    return record


def read_capture(path: Path, offset: int, *, payload_from: tuple[Path, int] | None = None
                 ) -> Capture:
    """A response read back from its WARC record.

    A revisit record has no payload of its own: pass the original's place as `payload_from`.
    """
    record = read_record(path, offset)
    if record.http_headers is None:
        raise WarcError(f"{path}@{offset}: the record has no HTTP response")
    body = record.body
    if record.rec_type == "revisit":
        if payload_from is None:
            raise WarcError(f"{path}@{offset}: a revisit record, and no original to read")
        original = read_record(*payload_from)
        body = original.body
    try:
        status = int(record.http_headers.get_statuscode() or 0)
    except ValueError:
        status = 0
    return Capture(url=record.rec_headers.get_header("WARC-Target-URI"), status=status,
                   headers=record.http_headers, body=body,
                   warc_date=record.rec_headers.get_header("WARC-Date") or "")


@dataclass
class ReadStats:
    """What iterating a foreign WARC file met."""

    records: int = 0
    malformed: int = 0


def _resync(fh: io.BufferedReader, start: int, gzipped: bool) -> int | None:
    """The offset of the next record start after `start`, or None at the end of the file."""
    marker = b"\x1f\x8b\x08" if gzipped else b"WARC/1."
    fh.seek(start)
    carry = b""
    base = start
    while True:
        chunk = fh.read(1 << 20)
        if not chunk:
            return None
        data = carry + chunk
        found = data.find(marker)
        if found >= 0:
            return base - len(carry) + found
        carry = data[-(len(marker) - 1):]
        base += len(chunk)


def iter_records(path: Path, stats: ReadStats | None = None
                 ) -> Iterator[tuple[int, ArcWarcRecord]]:
    """Each record of a WARC file (gzip or plain) with its offset, skipping malformed ones.

    A record that cannot be parsed is counted in `stats.malformed`, and reading goes on at the
    next place a record can start; nothing here raises for bad content. The record's content is
    read into `record.body` (Content-Encoding undone) so the caller never touches the stream.
    """
    stats = stats if stats is not None else ReadStats()
    with open(path, "rb") as fh:
        gzipped = fh.read(2) == b"\x1f\x8b"
        position: int | None = 0
        while position is not None:
            fh.seek(position)
            it = ArchiveIterator(fh)
            offset = position
            try:
                for record in it:
                    offset = it.offset
                    try:
                        record.body = record.content_stream().read()
                    except Exception:  # noqa: BLE001 (untrusted input)
                        stats.malformed += 1
                        logger.info("%s@%d: unreadable record content, skipped", path, offset)
                        continue
                    stats.records += 1
                    yield offset, record
                return
            except Exception as exc:  # noqa: BLE001 (untrusted input: warcio raises many kinds)
                stats.malformed += 1
                logger.info("%s@%d: malformed record skipped: %s", path, offset,
                            str(exc).strip()[:200])
                position = _resync(fh, offset + 1, gzipped)
