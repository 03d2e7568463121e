"""Load and validate `sites.toml`: the sites to archive and how to crawl them, as plain data.

Every mistake is reported as one line naming the file, the site and the key, so a cron mail
says exactly what to fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from types import UnionType
from typing import Any, get_args, get_type_hints

from cssselect import GenericTranslator, SelectorError
from lxml import etree

from archiver.errors import ConfigError
from archiver.store.schedule import DEFAULT_SCHEDULE, parse_schedule

DEFAULT_CONTACT = "https://github.com/archiver-news/archiver"


@dataclass(frozen=True)
class CleaningRules:
    """Per-site cleaning: elements dropped before extraction, text blocks kept or dropped after."""

    drop: tuple[str, ...] = ()  #: CSS selectors or XPath expressions, as written in the config
    drop_xpath: tuple[str, ...] = ()  #: the same, all compiled to XPath for trafilatura
    keep_text: tuple[str, ...] = ()  #: text blocks never treated as template (override)
    drop_text: tuple[str, ...] = ()  #: text blocks always removed (override)


@dataclass(frozen=True)
class Site:
    """One site to archive."""

    name: str
    domains: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    max_pages: int = 500
    follow_depth: int = 2
    min_words: int = 40
    #: "auto": the classifier decides; "allow": every page whose URL the `allow` rules accept
    #: (and with at least `min_words` words) is an article
    articles: str = "auto"
    #: the site's own decision threshold (a probability); None: the model's
    article_threshold: float | None = None
    clean: CleaningRules = field(default_factory=CleaningRules)
    #: Revisit an archived article as it passes each of these ages (seconds); then never.
    revisit: tuple[int, ...] = DEFAULT_SCHEDULE

    @property
    def allow_re(self) -> list[re.Pattern[str]]:
        return [re.compile(p) for p in self.allow]

    @property
    def deny_re(self) -> list[re.Pattern[str]]:
        return [re.compile(p) for p in self.deny]


#: The range checks a `[crawler]` option may carry (see `option`), in the order they are made.
NOT_NEGATIVE, POSITIVE, AT_LEAST_1 = "not_negative", "positive", "at_least_1"
_RANGE_ERRORS = {NOT_NEGATIVE: "must not be negative", POSITIVE: "must be more than 0",
                 AT_LEAST_1: "must be at least 1"}


def option(default: Any, reason: str, *, setting: str | None = None,
           check: str | None = None) -> Any:
    """Declare one `[crawler]` option: its default (its type is the field's annotation), why
    it is there, the Scrapy setting it becomes (when it maps to one setting alone:
    archiver.crawl.settings.from_options, crawler_options) and the range the loader checks."""
    return field(default=default, metadata={"reason": reason, "setting": setting,
                                            "check": check})


@dataclass(frozen=True)
class CrawlerOptions:
    """Crawl-wide politeness, identity and limits: the `[crawler]` table, each option declared
    here once and read from here by the loader, the Scrapy settings and the components."""

    contact: str = option(DEFAULT_CONTACT, "a URL about the crawler, in its User-Agent")
    user_agent: str | None = option(None, "a User-Agent of its own, instead of "
                                          "archiver/VERSION (+contact)")
    download_delay: float = option(1.0, "seconds between two requests to one site",
                                   setting="DOWNLOAD_DELAY", check=NOT_NEGATIVE)
    autothrottle: bool = option(True, "slow down further for a site that answers slowly",
                                setting="AUTOTHROTTLE_ENABLED")
    concurrent_per_domain: int = option(2, "requests at once to one site",
                                        setting="CONCURRENT_REQUESTS_PER_DOMAIN",
                                        check=AT_LEAST_1)
    concurrent_requests: int = option(16, "requests at once in all",
                                      setting="CONCURRENT_REQUESTS", check=AT_LEAST_1)
    obey_robots: bool = option(True, "obey robots.txt", setting="ROBOTSTXT_OBEY")
    download_timeout: float = option(30.0, "seconds one download may take",
                                     setting="DOWNLOAD_TIMEOUT", check=NOT_NEGATIVE)
    max_page_bytes: int = option(10 * 1024 * 1024, "a larger response is not fetched "
                                 "(skipped: too_large)", setting="DOWNLOAD_MAXSIZE",
                                 check=AT_LEAST_1)
    extract_workers: int = option(2, "extraction processes beside the crawl (the pool's size)",
                                  setting="ARCHIVE_EXTRACT_WORKERS", check=AT_LEAST_1)
    allow_private_addresses: bool = option(False, "let loopback and private addresses through "
                                           "the address guard (the demo, the tests)",
                                           setting="ARCHIVE_ALLOW_PRIVATE_ADDRESSES")
    extract_timeout: float = option(20.0, "seconds one page's extraction may take in the pool",
                                    setting="ARCHIVE_EXTRACT_TIMEOUT", check=POSITIVE)
    run_timeout: float = option(3600.0, "seconds one crawl run may take before it is closed",
                                setting="CLOSESPIDER_TIMEOUT", check=POSITIVE)
    retry_after_max: float = option(60.0, "longest Retry-After honoured; longer drops the page",
                                    setting="ARCHIVE_RETRY_AFTER_MAX", check=NOT_NEGATIVE)
    warc: bool = option(True, "keep every response in WARC files", setting="ARCHIVE_WARC")
    warc_dir: str = option("", '"" = warc/ beside the database; relative to the database\'s '
                           "folder", setting="ARCHIVE_WARC_DIR")
    warc_max_bytes: int = option(1_000_000_000, "start a new WARC file past this size",
                                 setting="ARCHIVE_WARC_MAX_BYTES", check=AT_LEAST_1)


@cache
def crawler_option_types() -> dict[str, type]:
    """Each `[crawler]` option's value type, from its annotation (`X | None` is X)."""
    hints = get_type_hints(CrawlerOptions)
    out = {}
    for f in fields(CrawlerOptions):
        kind = hints[f.name]
        if isinstance(kind, UnionType):  # `str | None`: the value given is a str
            kind = next(a for a in get_args(kind) if a is not type(None))
        out[f.name] = kind
    return out


@dataclass(frozen=True)
class Config:
    """The whole sites config."""

    path: Path
    crawler: CrawlerOptions
    sites: dict[str, Site]

    def select(self, names: list[str] | tuple[str, ...] | None) -> list[Site]:
        """The sites named (all when none are), or a ConfigError naming the unknown one."""
        if not names:
            return list(self.sites.values())
        unknown = [n for n in names if n not in self.sites]
        if unknown:
            known = ", ".join(self.sites) or "none"
            raise ConfigError(f"{self.path}: no site named {unknown[0]!r} (sites: {known})")
        return [self.sites[n] for n in names]


_SITE_KEYS: dict[str, type | tuple[type, ...]] = {
    "domains": list,
    "feeds": list,
    "sitemaps": list,
    "start_urls": list,
    "allow": list,
    "deny": list,
    "max_pages": int,
    "follow_depth": int,
    "min_words": int,
    "articles": str,
    "article_threshold": (int, float),
    "clean": dict,
    "revisit": list,
}
_CLEAN_KEYS = {"drop": list, "keep_text": list, "drop_text": list}
_DOMAIN_RE = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TYPE_NAMES = {list: "a list", int: "an integer", dict: "a table", str: "a string",
               bool: "true/false"}


def _type_name(t: type | tuple[type, ...]) -> str:
    if isinstance(t, tuple):
        return "a number"
    return _TYPE_NAMES.get(t, t.__name__)


def _check_type(where: str, key: str, value: Any, expected: type | tuple[type, ...]) -> None:
    # bool is an int in Python; a config saying `max_pages = true` is still a mistake.
    if isinstance(value, bool) and expected is not bool:
        ok = False
    else:
        ok = isinstance(value, expected)
    if not ok:
        raise ConfigError(f"{where}: key {key!r} must be {_type_name(expected)}, "
                          f"not {type(value).__name__} {value!r}")


def _str_list(where: str, key: str, value: list[Any]) -> tuple[str, ...]:
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"{where}: key {key!r} must be a list of non-empty strings, "
                              f"found {item!r}")
    return tuple(item.strip() for item in value)


def _check_urls(where: str, key: str, urls: tuple[str, ...]) -> None:
    for url in urls:
        if not re.match(r"^https?://[^/\s]+", url):
            raise ConfigError(f"{where}: key {key!r}: {url!r} is not an http(s) URL")


def _compile_patterns(where: str, key: str, patterns: tuple[str, ...]) -> None:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{where}: key {key!r}: bad pattern {pattern!r}: {exc}") from None


def selector_to_xpath(selector: str) -> str:
    """Turn a CSS selector or an XPath expression into XPath; raise ValueError when neither."""
    text = selector.strip()
    if text.startswith(("/", "(", "./")):
        try:
            etree.XPath(text)
        except etree.XPathSyntaxError as exc:
            raise ValueError(f"bad XPath: {exc}") from None
        return text
    try:
        return GenericTranslator().css_to_xpath(text, prefix="//")
    except SelectorError as exc:
        raise ValueError(f"bad CSS selector: {exc}") from None


def _parse_clean(where: str, raw: dict[str, Any]) -> CleaningRules:
    for key, value in raw.items():
        if key not in _CLEAN_KEYS:
            raise ConfigError(f"{where}: unknown key 'clean.{key}' "
                              f"(known: {', '.join(_CLEAN_KEYS)})")
        _check_type(where, f"clean.{key}", value, _CLEAN_KEYS[key])
    drop = _str_list(where, "clean.drop", raw.get("drop", []))
    xpaths = []
    for selector in drop:
        try:
            xpaths.append(selector_to_xpath(selector))
        except ValueError as exc:
            raise ConfigError(f"{where}: key 'clean.drop': {selector!r}: {exc}") from None
    return CleaningRules(
        drop=drop,
        drop_xpath=tuple(xpaths),
        keep_text=_str_list(where, "clean.keep_text", raw.get("keep_text", [])),
        drop_text=_str_list(where, "clean.drop_text", raw.get("drop_text", [])),
    )


def _parse_site(path: Path, name: str, raw: Any) -> Site:
    where = f"{path}: site {name!r}"
    if not _NAME_RE.match(name):
        raise ConfigError(f"{where}: a site name may hold only letters, digits, '_', '.', '-'")
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table ([sites.{name}])")
    for key, value in raw.items():
        if key not in _SITE_KEYS:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(_SITE_KEYS)})")
        _check_type(where, key, value, _SITE_KEYS[key])
    domains = _str_list(where, "domains", raw.get("domains", []))
    if not domains:
        raise ConfigError(f"{where}: key 'domains' is required (the site's host names)")
    for domain in domains:
        if not _DOMAIN_RE.match(domain):
            raise ConfigError(f"{where}: key 'domains': {domain!r} must be a host name, "
                              "without scheme, port or path")
    urls = {k: _str_list(where, k, raw.get(k, [])) for k in ("feeds", "sitemaps", "start_urls")}
    for key, values in urls.items():
        _check_urls(where, key, values)
    if not any(urls.values()):
        raise ConfigError(f"{where}: give at least one of 'feeds', 'sitemaps', 'start_urls'")
    patterns = {k: _str_list(where, k, raw.get(k, [])) for k in ("allow", "deny")}
    for key, values in patterns.items():
        _compile_patterns(where, key, values)
    numbers = {}
    for key, default, low in (("max_pages", 500, 1), ("follow_depth", 2, 0), ("min_words", 40, 1)):
        value = raw.get(key, default)
        if value < low:
            raise ConfigError(f"{where}: key {key!r} must be at least {low}, not {value}")
        numbers[key] = value
    articles = raw.get("articles", "auto")
    if articles not in ("auto", "allow"):
        raise ConfigError(f"{where}: key 'articles' must be \"auto\" or \"allow\", "
                          f"not {articles!r}")
    if articles == "allow" and not patterns["allow"]:
        raise ConfigError(f"{where}: key 'articles' = \"allow\" needs 'allow' patterns")
    threshold = raw.get("article_threshold")
    if threshold is not None and not 0 < threshold < 1:
        raise ConfigError(f"{where}: key 'article_threshold' must be between 0 and 1 "
                          f"(a probability), not {threshold}")
    try:
        revisit = parse_schedule(raw.get("revisit", list(DEFAULT_SCHEDULE)))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: key 'revisit': {exc}") from None
    return Site(
        name=name,
        revisit=revisit,
        domains=tuple(d.lower() for d in domains),
        allow=patterns["allow"],
        deny=patterns["deny"],
        clean=_parse_clean(where, raw.get("clean", {})),
        articles=articles,
        article_threshold=float(threshold) if threshold is not None else None,
        feeds=urls["feeds"], sitemaps=urls["sitemaps"], start_urls=urls["start_urls"],
        max_pages=numbers["max_pages"], follow_depth=numbers["follow_depth"],
        min_words=numbers["min_words"],
    )


def _accepted(kind: type) -> type | tuple[type, ...]:
    """What a TOML value of an option of this type may be (a float option takes 3 too)."""
    return (int, float) if kind is float else kind


def _in_range(check: str, value: Any) -> bool:
    if check == NOT_NEGATIVE:
        return value >= 0
    if check == POSITIVE:
        return value > 0
    return value >= 1


def _parse_crawler(path: Path, raw: Any) -> CrawlerOptions:
    where = f"{path}: [crawler]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table")
    types = crawler_option_types()
    for key, value in raw.items():
        if key not in types:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(types)})")
        _check_type(where, key, value, _accepted(types[key]))
    for check, error in _RANGE_ERRORS.items():
        for f in fields(CrawlerOptions):
            if f.metadata["check"] == check and f.name in raw and not _in_range(check,
                                                                               raw[f.name]):
                raise ConfigError(f"{where}: key {f.name!r} {error}")
    return CrawlerOptions(**raw)


def parse_config(text: str, path: Path | str = "sites.toml") -> Config:
    """Parse and validate config text; `path` is only used in error messages."""
    path = Path(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    for key in data:
        if key not in ("crawler", "sites"):
            raise ConfigError(f"{path}: unknown top-level key {key!r} (known: crawler, sites)")
    crawler = _parse_crawler(path, data.get("crawler", {}))
    raw_sites = data.get("sites", {})
    if not isinstance(raw_sites, dict) or not raw_sites:
        raise ConfigError(f"{path}: no sites: add at least one [sites.NAME] table")
    sites = {name: _parse_site(path, name, raw) for name, raw in raw_sites.items()}
    return Config(path=path, crawler=crawler, sites=sites)


def load_config(path: Path | str) -> Config:
    """Read and validate a sites config file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file "
                          "(copy sites.example.toml to start)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return parse_config(text, path)
