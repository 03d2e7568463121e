"""Seed the shared Redis frontier with each site's feeds, sitemaps and start pages.

`archiver crawl --distributed` calls this; the workers do the rest. Seeds bypass the seen-set
(a feed must be polled again on every run), so each seeding fetches each seed once more.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import Any

from . import frontier as shared
from .config import Config, Site
from .urls import normalize

SEED_PRIORITY = 100


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


@dataclass
class SeedReport:
    """What seeding did, per site."""

    seeded: dict[str, int]
    status: dict[str, Any]

    def render(self) -> str:
        lines = []
        for site, n in self.seeded.items():
            st = self.status["sites"][site]
            lines.append(f"site {site}: {n} seeds queued ({st['queued']} requests queued, "
                         f"{st['in_flight']} in flight)")
        workers = self.status["workers"]
        lines.append(f"workers alive: {len(workers)}" + (" (start some with `archiver worker`)"
                                                         if not workers else ""))
        return "\n".join(lines)


def seed_frontier(config: Config, redis_url: str, site_names: list[str] | None = None, *,
                  max_pages: int | None = None) -> SeedReport:
    """Queue the seeds of the chosen sites for the workers, and set each site's page budget.

    The budget (`max_pages` of the site, or the override) is shared by all workers: the run
    queues at most that many pages of the site, whichever worker discovers them.
    """
    sites = config.select(site_names)
    client = shared.connect(redis_url)
    seeded = {}
    for site in sites:
        frontier = shared.Frontier(client, site.name, "seeder")
        requests = seed_requests(site)
        frontier.set_budget(max_pages or site.max_pages)
        for request in requests:
            frontier.push(pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL),
                          request["priority"])
        seeded[site.name] = len(requests)
    return SeedReport(seeded, shared.frontier_status(client, [s.name for s in sites]))
