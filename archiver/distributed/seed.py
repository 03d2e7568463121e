"""Seed the shared Redis frontier with each site's feeds, sitemaps and start pages.

`archiver crawl --distributed` calls this; the workers do the rest. Seeds bypass the seen-set
(a feed must be polled again on every run), so each seeding fetches each seed once more.

Given the archive (read-only: the writer owns it), seeding also queues the archived articles
due for a revisit by their site's `revisit` schedule, as `archiver crawl` does; the workers ask
for them conditionally (archiver.distributed.redis_destination). Without it, an article is
requested again only when its fingerprint expires from the seen-set.
"""

from __future__ import annotations

import pickle
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archiver.config import Config, Site
from archiver.distributed import redis_state
from archiver.errors import StoreError
from archiver.extract.urls import normalize
from archiver.store.archive import Store

SEED_PRIORITY = 100
REVISIT_PRIORITY = 50  #: after the seeds, before newly discovered pages


def seed_requests(site: Site) -> list[dict[str, Any]]:
    """The site's seed requests, as the dicts Scrapy's `request_from_dict` reads.

    The callback names are NewsSpider's methods, resolved by the worker's spider.
    """
    out = []

    def add(url: str, callback: str, role: str, **meta: Any) -> None:
        out.append({"url": normalize(url) or url, "callback": callback, "errback": "on_error",
                    "method": "GET", "priority": SEED_PRIORITY, "dont_filter": True,
                    "meta": {"role": role, "seed": True, **meta}})

    for url in site.feeds:
        add(url, "parse_feed", "feed")
    for url in site.sitemaps:
        if url.rstrip("/").endswith("/robots.txt"):
            add(url, "parse_robots", "robots")
        else:
            add(url, "parse_sitemap", "sitemap", sitemap_depth=0)
    for url in site.start_urls:
        add(url, "parse_listing", "start", hops=0)
    return out


def revisit_request(url: str) -> dict[str, Any]:
    """A request for an archived article due for a revisit (bypassing the seen-set)."""
    return {"url": url, "callback": "parse_page", "errback": "on_error", "method": "GET",
            "priority": REVISIT_PRIORITY, "dont_filter": True,
            "meta": {"role": "page", "hops": None, "hints": None, "archive_url": url}}


def due_revisits(db_path: Path, site_names: list[str]) -> dict[str, list[str]]:
    """Each site's archived articles due for a revisit, read from the archive without writing."""
    try:
        with Store(db_path, readonly=True) as store:
            return {name: store.due_urls(name) for name in site_names}
    except sqlite3.DatabaseError as exc:  # e.g. an archive from before revisit state was kept
        raise StoreError(f"{db_path}: cannot read revisit state: {exc}") from None


@dataclass
class SeedReport:
    """What seeding did, per site."""

    seeded: dict[str, int]
    status: dict[str, Any]
    revisits: dict[str, int] = field(default_factory=dict)

    def render(self) -> str:
        lines = []
        for site, n in self.seeded.items():
            st = self.status["sites"][site]
            due = (f", {self.revisits[site]} revisits of archived articles"
                   if site in self.revisits else "")
            lines.append(f"site {site}: {n} seeds queued{due} ({st['queued']} requests queued, "
                         f"{st['in_flight']} in flight)")
        workers = self.status["workers"]
        lines.append(f"workers alive: {len(workers)}" + (" (start some with `archiver worker`)"
                                                         if not workers else ""))
        return "\n".join(lines)


def seed_frontier(config: Config, redis_url: str, site_names: list[str] | None = None, *,
                  max_pages: int | None = None, db_path: Path | None = None) -> SeedReport:
    """Queue the seeds of the chosen sites for the workers, and set each site's page budget.

    The budget (`max_pages` of the site, or the override) is shared by all workers: the run
    queues at most that many pages of the site, whichever worker discovers them. With
    `db_path`, the archived articles due for a revisit are queued too, within the budget.
    """
    sites = config.select(site_names)
    client = redis_state.connect(redis_url)
    due = due_revisits(db_path, [s.name for s in sites]) if db_path is not None else {}
    seeded: dict[str, int] = {}
    revisits: dict[str, int] = {}
    for site in sites:
        frontier = redis_state.Frontier(client, site.name, "seeder")
        requests = seed_requests(site)
        frontier.set_budget(max_pages or site.max_pages)
        for request in requests:
            frontier.push(pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL),
                          request["priority"])
        seeded[site.name] = len(requests)
        if db_path is not None:
            revisits[site.name] = 0
            for url in due.get(site.name, []):
                if not frontier.take_budget():
                    break
                frontier.push(pickle.dumps(revisit_request(url),
                                           protocol=pickle.HIGHEST_PROTOCOL), REVISIT_PRIORITY)
                revisits[site.name] += 1
    return SeedReport(seeded, redis_state.frontier_status(client, [s.name for s in sites]),
                      revisits)
