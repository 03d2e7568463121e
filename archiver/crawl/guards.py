"""Downloader guards that keep a crawl of the open web from reaching where it must not.

- `AddressGuardMiddleware`: refuses, before connecting, any request (seed, link, redirect,
  robots.txt) whose scheme is not http(s) or whose host is or resolves to a non-public
  address: loopback, private, link-local (169.254.169.254, the cloud metadata service),
  unspecified (0.0.0.0 reaches this machine), multicast, reserved. `[crawler]
  allow_private_addresses = true` lets loopback and private networks through (the demo and
  the tests crawl 127.0.0.1); link-local, unspecified, multicast and reserved never are.
- `GuardedResolver`: the same check where the connection is made, so a DNS answer that
  changes between the check and the connect (DNS rebinding) is refused too.
- `FailClosedRobotsTxtMiddleware`: Scrapy treats an unreachable robots.txt as "allow all";
  a 5xx answer, a timeout or any download error here means "disallowed for this run"
  (RFC 9309 §2.3.1.4). A 4xx still means "no rules", as the RFC says.
- `RetryAfterMiddleware`: a 429/503 with `Retry-After` holds every request to that host for
  the time asked (at most `ARCHIVE_RETRY_AFTER_MAX` seconds); longer asks drop the page for
  this run instead of stalling it.

Every refusal is one log line naming the URL and the reason, and a stats counter
`archive/skipped/<reason>`; the spider reads `request.meta["archive_skip"]` to count it once.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from archiver.crawl.settings import crawler_options

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("http", "https")


def use_bundled_suffix_list() -> None:
    """Make Scrapy's tldextract use the public suffix list snapshot shipped with tldextract.

    Its default fetches the list from the internet on first use (cookie handling): offline,
    behind a firewall or in CI that stalls a crawl. The snapshot is never fetched again.
    """
    import scrapy.downloadermiddlewares.cookies as cookies
    from tldextract import TLDExtract

    cookies._split_domain = TLDExtract(suffix_list_urls=(), cache_dir=None,
                                       include_psl_private_domains=True)


use_bundled_suffix_list()
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_refusal(address: str, allow_private: bool = False) -> str | None:
    """Why a connection to this IP address is refused, or None when it is allowed."""
    try:
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "unparsable address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            ip = embedded
    if ip.is_unspecified:
        return "unspecified address"
    if ip.is_link_local:
        return "link-local address"
    if ip.is_multicast:
        return "multicast address"
    if ip.is_global:
        return None
    if ip.is_loopback:
        return None if allow_private else "loopback address"
    if ip.is_private and not ip.is_reserved:
        return None if allow_private else "private address"
    return "non-public address"


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def _refuse(crawler: Crawler, request: Request, reason: str, message: str) -> IgnoreRequest:
    """Count and log one refusal; the exception to raise for it."""
    request.meta["archive_skip"] = reason
    crawler.stats.inc_value(f"archive/skipped/{reason}")
    logger.warning("refused (%s): %s: %s", reason, request.url[:500], message)
    return IgnoreRequest(f"{reason}: {message}")


class AddressGuardMiddleware:
    """Refuse non-http(s) schemes and non-public hosts before any connection is made."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.allow_private = crawler_options(crawler.settings).allow_private_addresses
        # The resolver is built from process-wide settings before the sites config is read;
        # the crawler's settings (which include it) reach it from here.
        GuardedResolver.allow_private = self.allow_private
        self._resolved: dict[str, tuple[str, ...] | str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        return cls(crawler)

    async def _addresses(self, host: str, port: int) -> tuple[str, ...] | str:
        """The host's addresses (cached per run), or an error message."""
        if host not in self._resolved:
            loop = asyncio.get_running_loop()
            try:
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
                self._resolved[host] = tuple(sorted({str(i[4][0]) for i in infos}))
            except (OSError, UnicodeError) as exc:
                self._resolved[host] = f"cannot resolve: {exc}"
        return self._resolved[host]

    async def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        scheme = (parts.scheme or "").lower()
        if scheme not in ALLOWED_SCHEMES:
            raise _refuse(self.crawler, request, "bad_scheme", f"scheme {scheme!r} not crawled")
        host = (parts.hostname or "").lower()
        if not host:
            raise _refuse(self.crawler, request, "bad_url", "no host")
        if is_ip_literal(host):
            addresses: tuple[str, ...] | str = (host,)
        else:
            addresses = await self._addresses(host, parts.port or 80)
        if isinstance(addresses, str):
            raise _refuse(self.crawler, request, "unresolvable_host", f"{host}: {addresses}")
        for address in addresses:
            why = address_refusal(address, self.allow_private)
            if why:
                raise _refuse(self.crawler, request, "non_public_address",
                              f"{host} is {address}, a {why}")
        return None


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's resolver, refusing names that resolve to non-public addresses at connect time.

    The address guard checks before a request is sent; this closes the gap where a second
    DNS answer (rebinding) would send the connection somewhere else.
    """

    #: Set by AddressGuardMiddleware from the crawler's settings (one config per process).
    allow_private = False

    def getHostByName(self, name: str, timeout: Any = ()) -> Deferred[str]:  # noqa: N802
        def check(address: str) -> str:
            why = address_refusal(address, self.allow_private)
            if why:
                raise DNSLookupError(f"{name} resolves to {address}, a {why}: refused")
            return address

        return super().getHostByName(name, timeout).addCallback(check)


DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class FailClosedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """robots.txt obeyed, and an unreachable or failing robots.txt disallows the host."""

    def _closed(self, netloc: str, why: str) -> Any:
        self._stats.inc_value("archive/robots_unavailable")
        logger.warning("robots.txt unavailable for %s (%s): host disallowed for this run",
                       netloc, why)
        return build_from_crawler(self._parserimpl, self.crawler, DISALLOW_ALL)

    async def robot_parser(self, request: Request) -> Any:
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            waiting: Deferred[Any] = Deferred()
            self._parsers[netloc] = waiting
            robots = Request(f"{url.scheme}://{netloc}/robots.txt",
                             priority=self.DOWNLOAD_PRIORITY,
                             meta={"dont_obey_robotstxt": True}, callback=NO_CALLBACK)
            parser = None
            try:
                response: Response = await self.crawler.engine.download_async(robots)
            except Exception as exc:  # timeout, refused, DNS, too large: fail closed
                parser = self._closed(netloc, f"{type(exc).__name__}: {str(exc)[:200]}")
            else:
                self._stats.inc_value("robotstxt/response_count")
                self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
                if response.status >= 500:
                    parser = self._closed(netloc, f"HTTP {response.status}")
                else:
                    body = response.body if response.status < 400 else b""
                    parser = build_from_crawler(self._parserimpl, self.crawler, body)
            self._stats.inc_value("robotstxt/request_count")
            self._parsers[netloc] = parser
            waiting.callback(parser)
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
        return parser


def parse_retry_after(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (seconds or an HTTP date); None if unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RetryAfterMiddleware:
    """Honour `Retry-After` on 429/503 per host (capped); never hammer a host that asked."""

    STATUSES = (429, 503)

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.cap = crawler_options(crawler.settings).retry_after_max
        self.not_before: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        wait = self.not_before.get(urlparse_cached(request).netloc, 0.0) - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in self.STATUSES:
            return response
        delay = parse_retry_after(response.headers.get(b"Retry-After"))
        if delay is None:
            return response
        netloc = urlsplit(request.url).netloc
        if delay > self.cap:
            raise _refuse(self.crawler, request, "retry_after_too_long",
                          f"HTTP {response.status} asks to wait {delay:.0f}s "
                          f"(more than {self.cap:.0f}s): not fetched this run")
        until = time.monotonic() + delay
        self.not_before[netloc] = max(self.not_before.get(netloc, 0.0), until)
        self.crawler.stats.inc_value("archive/retry_after_waits")
        logger.info("HTTP %s with Retry-After %.0fs: holding %s", response.status, delay, netloc)
        return response
