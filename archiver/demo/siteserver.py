"""Serve a folder as a small news site on 127.0.0.1, for the demo and for tests.

Fixture sites write their absolute URLs with the origin `http://news.example.test`; the server
rewrites it to its own origin in every body it sends. `/a/b` is served from `a/b.html` when no
file `a/b` exists, `/` from `index.html`. Every request is logged with the status it got, so
tests can prove what the crawler did and did not fetch. Files are served with an ETag (a hash
of the body) and a Last-Modified (the file's mtime), and conditional requests get 304, like a
real news site's server; either validator can be switched off.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import socket
import threading
import time
from dataclasses import dataclass, replace
from email.message import Message
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

FIXTURE_ORIGIN = "http://news.example.test"


@dataclass(frozen=True)
class LoggedRequest:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    status: int = 0
    at: float = 0.0  #: time.time() when the request arrived
    done: float = 0.0  #: time.time() when the response was sent


class SiteServer:
    """A threaded HTTP server over a folder; use as a context manager."""

    def __init__(self, root: Path | str, host: str = "127.0.0.1", port: int = 0, *,
                 etag: bool = True, last_modified: bool = True, delay: float = 0.0) -> None:
        self.root = Path(root).resolve()
        self.etag = etag
        self.last_modified = last_modified
        self.delay = delay  #: seconds each response takes, like a real server's think time
        self.log: list[LoggedRequest] = []
        self._lock = threading.Lock()
        handler = self._handler()
        self.httpd = _Server((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None
        # The bound address (server_address is set from it), kept: it stays the origin after
        # the server is shut and its socket closed.
        bound_host, bound_port = self.httpd.socket.getsockname()[:2]
        self._origin = f"http://{bound_host}:{bound_port}"

    @property
    def origin(self) -> str:
        return self._origin

    def url(self, path: str) -> str:
        return self.origin + path

    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        with self._lock:
            return [r.path for r in self.log]

    def start(self) -> SiteServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def resolve(self, path: str) -> Path | None:
        """The file that serves a URL path, or None."""
        rel = unquote(urlsplit(path).path).lstrip("/")
        candidates = [rel or "index.html"]
        if rel:
            candidates += [rel + ".html", rel.rstrip("/") + "/index.html"]
        for candidate in candidates:
            file = (self.root / candidate).resolve()
            if file.is_file() and file.is_relative_to(self.root):
                return file
        return None

    def body_for(self, file: Path) -> bytes:
        data = file.read_bytes()
        origin = self.origin.encode()
        if file.suffix == ".gz":
            return gzip.compress(gzip.decompress(data).replace(FIXTURE_ORIGIN.encode(), origin),
                                 mtime=0)
        return data.replace(FIXTURE_ORIGIN.encode(), origin)

    def validators(self, file: Path, body: bytes) -> dict[str, str]:
        """The ETag and Last-Modified headers the server sends for a file."""
        out = {}
        if self.etag:
            out["ETag"] = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.last_modified:
            out["Last-Modified"] = formatdate(int(file.stat().st_mtime), usegmt=True)
        return out

    def not_modified(self, headers: Message, validators: dict[str, str], file: Path) -> bool:
        """Whether a conditional request's validators still match (RFC 9110 §13.2.2 order)."""
        match = headers.get("If-None-Match")
        if match is not None:
            return "ETag" in validators and validators["ETag"] in [
                t.strip() for t in match.split(",")]
        since = headers.get("If-Modified-Since")
        if since and "Last-Modified" in validators:
            try:
                return int(file.stat().st_mtime) <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                with server._lock:
                    index = len(server.log)
                    server.log.append(LoggedRequest("GET", self.path, dict(self.headers),
                                                    at=time.time()))
                if server.delay:
                    time.sleep(server.delay)
                file = server.resolve(self.path)
                validators: dict[str, str] = {}
                if file is None:
                    body, ctype, status = b"<html><body>Not found</body></html>", "text/html", 404
                else:
                    body, status = server.body_for(file), 200
                    ctype = _content_type(file)
                    validators = server.validators(file, body)
                    if server.not_modified(self.headers, validators, file):
                        status, body = 304, b""
                with server._lock:
                    server.log[index] = replace(server.log[index], status=status)
                self.send_response(status)
                for name, value in validators.items():
                    self.send_header(name, value)
                if status != 304:
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                with server._lock:
                    server.log[index] = replace(server.log[index], done=time.time())

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler


class _Server(ThreadingHTTPServer):
    """Quiet about clients that hang up mid-response (a crawl killed on purpose, in tests)."""

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket],
                     client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _content_type(file: Path) -> str:
    if file.suffix == ".gz":
        return "application/gzip"
    if file.name == "robots.txt":
        return "text/plain; charset=utf-8"
    if file.suffix == ".xml":
        return "application/xml; charset=utf-8"
    guessed = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return guessed + ("; charset=utf-8" if guessed.startswith("text/") else "")
