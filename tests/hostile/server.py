"""The hostile web server: one threaded stdlib HTTP server on 127.0.0.1 serving every trap.

It stops by itself after `lifetime` seconds (a forgotten server never outlives a test run),
and logs each request with its time, so tests can prove what was (not) fetched and when.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import pages as p

GOOD = [f"/article/good-{i}" for i in range(1, 7)]
STORY = "/story/big-news"
STORY_VARIANTS = [
    STORY + "?utm_source=twitter&utm_medium=social", STORY + "?fbclid=IwAR0abc",
    STORY + "#comments", STORY + "/", "/amp" + STORY, STORY + "?print=1",
    "/partner/copy-of-big-news",
]
ENCODINGS = ["/enc/cp1252-as-utf8", "/enc/sjis-as-utf8", "/enc/bom-no-charset",
             "/enc/meta-only", "/enc/utf16-bom", "/enc/latin1-header-on-utf8",
             "/enc/unknown-label"]
NOT_HTML = ["/nothtml/pdf", "/nothtml/png", "/nothtml/random", "/nothtml/octet-html",
            "/nothtml/empty", "/nothtml/js-shell", "/nothtml/soft-404"]
HARD = ["/hard/nested", "/hard/table", "/hard/soup", "/hard/truncated"]
BOMBS = ["/bomb/gzip", "/bomb/deflate", "/bomb/stacked", "/bomb/naked-gzip",
         "/big/with-length", "/big/without-length"]
SLOW = ["/slow/drip", "/slow/no-headers"]
REDIRECTS = ["/redirect/loop", "/redirect/chain/0", "/redirect/meta-loop",
             "/redirect/offsite", "/redirect/file", "/redirect/data", "/redirect/javascript",
             "/redirect/metadata", "/redirect/zero", "/redirect/good"]
STATUS = ["/status/404", "/status/500", "/status/429-then-ok", "/status/503-too-long"]
SAME_HEADLINE = ["/story/same-headline-a", "/story/same-headline-b"]
SITEMAP_PAGES = (GOOD[3:] + ENCODINGS + NOT_HTML + HARD + BOMBS + SLOW + REDIRECTS + STATUS
                 + SAME_HEADLINE + ["/article/sql"])


@dataclass(frozen=True)
class Hit:
    """One request the server received."""

    at: float
    path: str
    host: str


class HostileServer:
    """Serve the hostile site; `canary=True` serves only a page that must never be fetched."""

    def __init__(self, host: str = "127.0.0.1", *, lifetime: float = 300,
                 robots: str = "ok", offsite_origin: str = "http://127.0.0.2:9") -> None:
        self.hits: list[Hit] = []
        self.robots = robots  # "ok", "503" or "hang"
        self.offsite_origin = offsite_origin
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self.httpd = ThreadingHTTPServer((host, 0), self._handler())
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda request, address: None  # resets are the point
        self.lifetime = lifetime
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True
        # Built before serving: a bomb that takes seconds to build would test the timeout.
        self.bombs = {"/bomb/gzip": ("gzip", p.gzip_bomb(1024)),
                      "/bomb/deflate": ("deflate", p.deflate_bomb(1024)),
                      "/bomb/stacked": ("gzip, gzip",
                                        gzip.compress(p.gzip_bomb(1024), mtime=0))}
        self.sitemap_bomb = p.sitemap_bomb(64)

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def origin(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def start(self) -> HostileServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self._timer.start()
        return self

    def stop(self) -> None:
        if self.stopping.is_set():
            return
        self.stopping.set()
        self._timer.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what happened -------------------------------------------------------------------

    def paths(self) -> list[str]:
        with self._lock:
            return [h.path for h in self.hits]

    def count(self, path: str) -> int:
        return self.paths().count(path)

    def times(self, path: str) -> list[float]:
        with self._lock:
            return [h.at for h in self.hits if h.path == path]

    # -- routes --------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                path = self.path
                with server._lock:
                    server.hits.append(Hit(time.monotonic(), path,
                                           self.headers.get("Host", "")))
                    server._counts[path] = server._counts.get(path, 0) + 1
                    nth = server._counts[path]
                try:
                    server.route(self, path, nth)
                except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                    pass  # the crawler hung up: that is what a limit looks like

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler

    def route(self, h: BaseHTTPRequestHandler, path: str, nth: int) -> None:
        o = self.origin
        route = urlsplit(path).path
        html = "text/html; charset=utf-8"
        if route == "/robots.txt" and self.robots == "503":
            return self.send(h, 503, "text/plain", b"down for maintenance")
        if route == "/robots.txt" and self.robots == "hang":
            self.stopping.wait(self.lifetime)
            return None
        simple: dict[str, Callable[[], tuple[int, str, bytes]]] = {
            "/": lambda: (200, html, self.front_page()),
            "/robots.txt": lambda: (200, "text/plain",
                                    b"User-agent: *\nDisallow: /private/\n"),
            "/sitemap-index.xml": lambda: (200, "application/xml", p.sitemap_index(o, [
                "/sitemap-good.xml", "/sitemap-404.xml", "/sitemap-bomb.xml.gz",
                "/sitemap-broken.xml"])),
            "/sitemap-good.xml": lambda: (200, "application/xml",
                                          p.sitemap(o, SITEMAP_PAGES)),
            "/sitemap-status.xml": lambda: (200, "application/xml", p.sitemap(o, [
                "/status/500", "/article/good-1"])),
            "/sitemap-bomb.xml.gz": lambda: (200, "application/gzip", self.sitemap_bomb),
            "/sitemap-broken.xml": lambda: (200, "application/xml", p.BROKEN_SITEMAP),
            "/feed-bad.xml": lambda: (200, "application/rss+xml", p.bad_feed(o)),
            "/article/sql": lambda: (200, html, p.sql_article()),
            "/nothtml/pdf": lambda: (200, "text/html", p.PDF),
            "/nothtml/png": lambda: (200, "text/html; charset=utf-8", p.PNG),
            "/nothtml/random": lambda: (200, "text/html", p.RANDOM),
            "/nothtml/octet-html": lambda: (200, "application/octet-stream",
                                            p.simple_article("Octet stream story", 81)),
            "/nothtml/empty": lambda: (200, html, b""),
            "/nothtml/js-shell": lambda: (200, html, p.JS_SHELL),
            "/nothtml/soft-404": lambda: (200, html, p.SOFT_404),
            "/hard/nested": lambda: (200, html, p.nested_divs()),
            "/hard/table": lambda: (200, html, p.big_table()),
            "/hard/soup": lambda: (200, html, p.TAG_SOUP),
            "/hard/truncated": lambda: (200, html, p.truncated()),
            "/bomb/naked-gzip": lambda: (200, "text/html", self.bombs["/bomb/gzip"][1]),
            "/status/404": lambda: (404, html, b"<html><body>Gone</body></html>"),
            "/status/500": lambda: (500, html, b"<html><body>Oops</body></html>"),
            STORY: lambda: (200, html, p.simple_article("Big news", 91)),
            "/amp" + STORY: lambda: (200, html, p.simple_article(
                "Big news", 91, canonical=o + STORY)),
            "/partner/copy-of-big-news": lambda: (200, html, p.simple_article(
                "Big news", 91, canonical=o + STORY)),
            "/story/same-headline-a": lambda: (200, html, p.simple_article("Same headline", 101)),
            "/story/same-headline-b": lambda: (200, html, p.simple_article("Same headline", 111)),
            "/secret": lambda: (200, html, p.simple_article("Secret", 5)),
        }
        if route == STORY and "print=1" in path:
            return self.send(h, 200, html, p.simple_article("Big news", 91, canonical=o + STORY))
        if route in simple:
            return self.send(h, *simple[route]())
        if route.startswith("/article/good-"):
            n = int(route.rsplit("-", 1)[1])
            return self.send(h, 200, html, p.simple_article(f"Good story number {n}", n * 10))
        if route.startswith("/enc/"):
            return self.send(h, *self.encoded(route))
        if route.startswith("/calendar/"):
            return self.send(h, 200, html, self.calendar(route))
        if route.startswith("/redirect/"):
            return self.redirect(h, route)
        if route == "/robots-503/robots.txt":
            return self.send(h, 503, "text/plain", b"busy")
        if route.startswith("/bomb/"):
            encoding, body = self.bombs[route]
            return self.send(h, 200, "text/html", body, {"Content-Encoding": encoding})
        if route.startswith("/big/"):
            return self.big(h, with_length=route == "/big/with-length")
        if route == "/slow/drip":
            return self.drip(h)
        if route == "/slow/no-headers":
            self.stopping.wait(self.lifetime)
            return None
        if route == "/status/429-then-ok":
            if nth == 1:
                return self.send(h, 429, html, b"slow down", {"Retry-After": "2"})
            return self.send(h, 200, html, p.simple_article("Patient story", 121))
        if route == "/status/503-too-long":
            return self.send(h, 503, html, b"maintenance", {"Retry-After": "86400"})
        return self.send(h, 404, html, b"<html><body>Not found</body></html>")

    # -- bodies --------------------------------------------------------------------------

    def front_page(self) -> bytes:
        links = GOOD[:3] + STORY_VARIANTS + [STORY, "/calendar/2024/01"]
        hrefs = [f'<a href="{x}">{x}</a>' for x in links]
        hrefs += ['<a href="file:///etc/passwd">passwd</a>',
                  '<a href="data:text/html,<h1>hi</h1>">data</a>',
                  '<a href="javascript:alert(1)">js</a>',
                  f'<a href="/long/{"x" * 6000}">long</a>',
                  '<a href="/private/hidden">private</a>']
        return (f"<html><head><title>Hostile Gazette</title></head><body>"
                f"{''.join(hrefs)}</body></html>").encode()

    def calendar(self, route: str) -> bytes:
        """An endless calendar: every month links the next and the previous one."""
        _, _, year, month = route.split("/")[:4]
        y, m = int(year), int(month)
        nxt = (y + (m == 12), m % 12 + 1)
        prv = (y - (m == 1), (m - 2) % 12 + 1)
        return (f"<html><body><h1>Events {y}-{m:02}</h1>"
                f'<a href="/calendar/{nxt[0]}/{nxt[1]:02}">next</a>'
                f'<a href="/calendar/{prv[0]}/{prv[1]:02}">previous</a>'
                "</body></html>").encode()

    def encoded(self, route: str) -> tuple[int, str, bytes]:
        fr = p.FRENCH
        cases = {
            "/enc/cp1252-as-utf8": ("text/html; charset=utf-8",
                                    p.encoded_article("Café crème cp1252", fr, "cp1252")),
            "/enc/sjis-as-utf8": ("text/html; charset=utf-8",
                                  p.encoded_article("東京 港湾 ストライキ", p.JAPANESE,
                                                    "shift_jis")),
            "/enc/bom-no-charset": ("text/html", p.encoded_article(
                "Café crème BOM", fr, "utf-8", bom=b"\xef\xbb\xbf")),
            "/enc/meta-only": ("text/html", p.encoded_article(
                "Café crème meta", fr, "cp1252", charset_meta="windows-1252")),
            "/enc/utf16-bom": ("text/html", p.encoded_article(
                "Café crème UTF-16", fr, "utf-16-le", bom=b"\xff\xfe")),
            "/enc/latin1-header-on-utf8": ("text/html; charset=iso-8859-1",
                                           p.encoded_article("Café crème latin1", fr, "utf-8")),
            "/enc/unknown-label": ("text/html; charset=x-klingon-9",
                                   p.encoded_article("Café crème unknown", fr, "cp1252")),
        }
        ctype, body = cases[route]
        return 200, ctype, body

    def redirect(self, h: BaseHTTPRequestHandler, route: str) -> None:
        o = self.origin
        if route.startswith("/redirect/chain/"):
            n = int(route.rsplit("/", 1)[1])
            return self.send(h, 302, "text/html", b"", {"Location": f"/redirect/chain/{n + 1}"})
        if route == "/redirect/meta-loop":
            body = (b'<html><head><meta http-equiv="refresh" content="0; url=/redirect/meta-loop">'
                    b"</head><body>Moving</body></html>")
            return self.send(h, 200, "text/html", body)
        targets = {
            "/redirect/loop": "/redirect/loop",
            "/redirect/offsite": self.offsite_origin + "/canary",
            "/redirect/file": "file:///etc/passwd",
            "/redirect/data": "data:text/html;base64,PGgxPmhpPC9oMT4=",
            "/redirect/javascript": "javascript:alert(1)",
            "/redirect/metadata": "http://169.254.169.254/latest/meta-data/",
            "/redirect/zero": f"http://0.0.0.0:{self.port}/secret",
            "/redirect/good": o + "/article/good-6",
        }
        return self.send(h, 302, "text/html", b"", {"Location": targets[route]})

    # -- senders -------------------------------------------------------------------------

    def send(self, h: BaseHTTPRequestHandler, status: int, ctype: str, body: bytes,
             headers: dict[str, str] | None = None) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.end_headers()
        h.wfile.write(body)

    def big(self, h: BaseHTTPRequestHandler, *, with_length: bool) -> None:
        """50 MB of HTML, announced by Content-Length or not (then ended by closing)."""
        size = 50 * 1024 * 1024
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        if with_length:
            h.send_header("Content-Length", str(size))
        else:
            h.send_header("Connection", "close")
            h.close_connection = True
        h.end_headers()
        chunk = b"<p>" + b"big " * 16383 + b"\n"
        sent = 0
        while sent < size and not self.stopping.is_set():
            h.wfile.write(chunk)
            sent += len(chunk)

    def drip(self, h: BaseHTTPRequestHandler) -> None:
        """Headers at once, then one byte every half second, forever."""
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(10_000_000))
        h.end_headers()
        h.wfile.write(b"<html><body><p>")
        while not self.stopping.wait(0.5):
            h.wfile.write(b"x")
            h.wfile.flush()
