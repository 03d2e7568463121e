"""The SSRF guard and fail-closed robots.txt, in real crawls and on the address policy."""

from __future__ import annotations

import pytest

from archiver.crawl.guards import address_refusal, parse_retry_after
from archiver.store.archive import Store

from ..hostile.server import HostileServer
from ..support import hostile_config, run_archiver


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "::1", "10.0.0.1", "172.16.3.4", "192.168.1.1", "fd00::1",
    "169.254.169.254", "fe80::1", "0.0.0.0", "::", "224.0.0.1", "100.64.0.1", "240.0.0.1",
    "::ffff:127.0.0.1", "::ffff:169.254.169.254", "2002:7f00:1::", "192.0.2.1", "198.18.0.1",
])
def test_non_public_addresses_are_refused_by_default(address):
    assert address_refusal(address) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    assert address_refusal(address) is None
    assert address_refusal(address, allow_private=True) is None


def test_opting_in_allows_loopback_and_private_but_never_metadata_or_unspecified():
    for address in ("127.0.0.1", "::1", "10.1.2.3", "192.168.0.10"):
        assert address_refusal(address, allow_private=True) is None
    for address in ("169.254.169.254", "fe80::1", "0.0.0.0", "::", "224.0.0.1"):
        assert address_refusal(address, allow_private=True) is not None


def test_retry_after_reads_seconds_and_dates():
    assert parse_retry_after(b"120") == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 60) == 60
    assert parse_retry_after(b"soon") is None and parse_retry_after(None) is None


@pytest.mark.slow
def test_default_config_never_connects_to_loopback(tmp_path):
    """Without `allow_private_addresses`, a site on 127.0.0.1 or localhost is refused."""
    with HostileServer(lifetime=120) as server:
        config = hostile_config(tmp_path / "sites.toml", server, start_urls=["/"],
                                sitemaps=["/sitemap-good.xml"], crawler="")
        text = config.read_text().replace('domains = [', 'domains = ["localhost", ')
        text = text.replace('start_urls = [', f'start_urls = ["http://localhost:{server.port}/", ')
        config.write_text(text)
        db = tmp_path / "archive.db"
        result = run_archiver("crawl", "--config", str(config), "--db", str(db))
        assert server.hits == []  # refused before connecting: not even robots.txt
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert "seed_refused" in result.stdout
    assert "loopback address" in result.stderr
    assert f"refused (non_public_address): http://localhost:{server.port}/" in result.stderr
    assert "Traceback" not in result.stderr
    assert Store(db, readonly=True).count() == 0


@pytest.mark.slow
@pytest.mark.parametrize("robots", ["503", "hang"])
def test_robots_txt_failing_means_disallowed_for_this_run(tmp_path, robots):
    with HostileServer(lifetime=120, robots=robots) as server:
        config = hostile_config(tmp_path / "sites.toml", server, start_urls=["/"],
                                sitemaps=["/sitemap-good.xml"])
        db = tmp_path / "archive.db"
        result = run_archiver("crawl", "--config", str(config), "--db", str(db))
        fetched = [p for p in server.paths() if p != "/robots.txt"
                   and not p.startswith("/sitemap")]
    assert fetched == [], fetched
    assert 1 <= server.count("/robots.txt") <= 3  # tried, retried a bounded number of times
    assert "robots.txt unavailable for 127.0.0.1" in result.stderr
    assert "host disallowed for this run" in result.stderr
    assert "robots_txt" in result.stdout
    assert "Traceback" not in result.stderr
    assert Store(db, readonly=True).count() == 0
