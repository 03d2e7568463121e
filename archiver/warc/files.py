"""WARC files the archive writes: captures as gzipped WARC/1.1 records with warcio, and the
recovery of a file a killed crawl left open. Reading them back is `archiver.warc.reading`.

Pure file handling: no Scrapy, no SQL. Each record is its own gzip member, so any record can be
read by seeking to its offset, and a file cut short by a crash loses at most its last record.
A file being written carries the suffix `.open` (the Heritrix convention); `recover` trims a
torn last record from such a file and gives it its final name.
"""

from __future__ import annotations

import fcntl
import io
import logging
import os
import socket
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import responses as REASONS
from pathlib import Path

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

WARC_SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".open"
DEFAULT_MAX_BYTES = 1_000_000_000  #: rotate at about 1 GB, as Heritrix and wget's default do
#: Hop-by-hop framing already undone by the HTTP client: stored bodies are de-chunked, so the
#: header is kept under another name and Content-Length is made to match the stored bytes.
_REWRITTEN = ("transfer-encoding",)


class WarcError(Exception):
    """A WARC record that cannot be read where the index says it is."""


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and its response, as the crawler saw them."""

    url: str
    fetched_at: datetime  #: timezone-aware, UTC
    status: int
    headers: list[tuple[str, str]]  #: response headers, in order, duplicates kept
    body: bytes  #: the payload as received (Content-Encoding not undone, framing undone)
    protocol: str = "HTTP/1.1"
    reason: str | None = None
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    ip_address: str | None = None
    decoded: bool = False  #: the body has had its Content-Encoding undone already


    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


@dataclass(frozen=True)
class Written:
    """Where a record went: enough to index it and read it back."""

    record_type: str  #: "response" or "revisit"
    path: Path  #: the final file name (without `.open`)
    offset: int
    length: int
    payload_digest: str


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest of a payload (`sha1:` + base32), as warcio computes it."""
    digester = Digester("sha1")
    digester.update(body)
    return str(digester)


def warc_date(moment: datetime) -> str:
    """A WARC date: UTC, to the second (microseconds too when the moment has them)."""
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if moment.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return moment.astimezone(UTC).strftime(fmt)


def _http_headers(ex: Exchange) -> StatusAndHeaders:
    headers: list[tuple[str, str]] = []
    for name, value in ex.headers:
        lower = name.lower()
        if lower in _REWRITTEN or (ex.decoded and lower == "content-encoding"):
            headers.append((f"X-Archive-Orig-{name}", value))
        elif lower == "content-length" and value.strip() != str(len(ex.body)):
            headers.append((f"X-Archive-Orig-{name}", value))
        else:
            headers.append((name, value))
    if ex.header("content-length") is None or any(
            k.startswith("X-Archive-Orig-") and k.lower().endswith("content-length")
            for k, _ in headers):
        headers.append(("Content-Length", str(len(ex.body))))
    reason = ex.reason or REASONS.get(ex.status, "")
    return StatusAndHeaders(f"{ex.status} {reason}".strip(), headers, protocol=ex.protocol)


def _request_headers(ex: Exchange) -> StatusAndHeaders:
    from urllib.parse import urlsplit

    parts = urlsplit(ex.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = list(ex.request_headers)
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    return StatusAndHeaders(f"{ex.method} {target} {ex.protocol}", headers,
                            protocol=ex.protocol, is_http_request=True)


class WarcWriter:
    """Appends captures to rotating WARC files in one folder.

    A new file is started on first use in each run (so each run has its own files) and whenever
    the current one reaches `max_bytes`. Every record is flushed to the operating system before
    `write` returns, so the caller may index it at once.
    """

    def __init__(self, directory: Path | str, *, prefix: str = "archiver",
                 max_bytes: int = DEFAULT_MAX_BYTES, software: str = "archiver") -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.software = software
        self._run = datetime.now(UTC).strftime("%Y%m%d%H%M%S") + f"-{uuid.uuid4().hex[:6]}"
        self._serial = 0
        self._file: io.BufferedWriter | None = None
        self._path: Path | None = None
        self._writer: WARCWriter | None = None
        self.files: list[Path] = []

    # -- files -----------------------------------------------------------------------------

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._serial += 1
        name = f"{self.prefix}-{self._run}-{self._serial:05d}{WARC_SUFFIX}"
        self._path = self.directory / name
        self._file = open(str(self._path) + OPEN_SUFFIX, "xb")  # noqa: SIM115 (kept open)
        # Held while writing, so `recover` in another process never touches a live file.
        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._writer = _MemberWriter(self._file)
        info = self._writer.create_warcinfo_record(name, {
            "software": self.software,
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
                          "warc-format/warc-1.1/",
            "hostname": socket.gethostname(),
        })
        self._writer.write_record(info)
        self._file.flush()
        self.files.append(self._path)

    def _finish(self) -> None:
        if self._file is None or self._path is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(str(self._path) + OPEN_SUFFIX, self._path)
        self._file = self._writer = self._path = None

    def close(self) -> None:
        """Finish the current file: flush, sync, and drop the `.open` suffix."""
        self._finish()

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- records ---------------------------------------------------------------------------

    def write(self, ex: Exchange, *, revisit_of: tuple[str, str] | None = None,
              extra_headers: dict[str, str] | None = None) -> Written:
        """Write a response (or, with `revisit_of=(uri, warc_date)`, a revisit) and its request.

        Returns where the response or revisit record is; the request record follows it.
        """
        if self._file is None or (self._file.tell() >= self.max_bytes):
            self._finish()
            self._open()
        assert self._writer is not None and self._file is not None and self._path is not None
        digest = payload_digest(ex.body)
        warc_headers = {"WARC-Date": warc_date(ex.fetched_at), **(extra_headers or {})}
        if ex.ip_address:
            warc_headers["WARC-IP-Address"] = ex.ip_address
        http = _http_headers(ex)
        if revisit_of is not None:
            record = self._writer.create_revisit_record(
                ex.url, digest, revisit_of[0], revisit_of[1], http_headers=http,
                warc_headers_dict=warc_headers)
            kind = "revisit"
        else:
            record = self._writer.create_warc_record(
                ex.url, "response", payload=io.BytesIO(ex.body), length=len(ex.body),
                http_headers=http, warc_headers_dict={**warc_headers,
                                                      "WARC-Payload-Digest": digest})
            kind = "response"
        request = self._writer.create_warc_record(
            ex.url, "request", http_headers=_request_headers(ex),
            warc_headers_dict={"WARC-Date": warc_headers["WARC-Date"]})
        # Both records go to memory first and reach the file in one write: a crash leaves the
        # file either without the pair or with it whole (`recover` trims anything torn).
        buffer = io.BytesIO()
        pair = _MemberWriter(buffer)
        pair.write_request_response_pair(request, record)
        data = buffer.getvalue()
        offset = self._file.tell()
        self._file.write(data)
        self._file.flush()
        return Written(kind, self._path, offset, pair.lengths[0], digest)


#: zlib level of each record's gzip member. warcio compresses at 9, which on news pages costs
#: about 2.7× the CPU of level 6 (gzip's own default) for about 3% smaller files; the crawl
#: writes on its reactor thread, so this CPU is taken from fetching (bench/, issue 8).
GZIP_LEVEL = 6


class _MemberWriter(WARCWriter):
    """warcio's writer, with each record gzipped as its own member at `GZIP_LEVEL`, and each
    member's compressed length noted in `lengths` (what the index needs, without reading the
    record back)."""

    def __init__(self, out: io.IOBase) -> None:
        super().__init__(out, gzip=False, warc_version="1.1")
        self.lengths: list[int] = []

    def _write_warc_record(self, out: io.IOBase, record: ArcWarcRecord) -> None:
        plain = io.BytesIO()
        super()._write_warc_record(plain, record)
        compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        member = compressor.compress(plain.getbuffer()) + compressor.flush()
        out.write(member)
        out.flush()
        self.lengths.append(len(member))


# -- recovery -----------------------------------------------------------------------------

def _complete_members(fh: io.BufferedIOBase) -> int:
    """The length of the file's prefix made of complete gzip members."""
    good = position = 0
    decomp = zlib.decompressobj(zlib.MAX_WBITS + 16)
    fh.seek(0)
    while chunk := fh.read(1 << 20):
        while chunk:
            try:
                decomp.decompress(chunk)
            except zlib.error:
                return good
            if decomp.eof:
                position += len(chunk) - len(decomp.unused_data)
                good = position
                chunk = decomp.unused_data
                decomp = zlib.decompressobj(zlib.MAX_WBITS + 16)
            else:
                position += len(chunk)
                chunk = b""
    return good


def recover(directory: Path | str) -> list[Path]:
    """Finish files a killed crawl left `.open`: trim a torn last record, drop the suffix.

    Every complete record stays; what follows the last complete one is cut off, so standard
    tools read the file whole. Returns the files recovered.
    """
    directory = Path(directory)
    done: list[Path] = []
    if not directory.is_dir():
        return done
    for open_path in sorted(directory.glob(f"*{WARC_SUFFIX}{OPEN_SUFFIX}")):
        with open(open_path, "r+b") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a running crawl is writing it
            good_end = _complete_members(fh)
            fh.truncate(good_end)
        final = Path(str(open_path)[: -len(OPEN_SUFFIX)])
        os.replace(open_path, final)
        logger.warning("recovered %s: kept %d bytes of complete records", final.name, good_end)
        done.append(final)
    return done
