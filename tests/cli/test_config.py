"""sites.toml validation: every kind of mistake is one line naming the file, site and key."""

from __future__ import annotations

import pytest

from archiver.config import load_config, parse_config, selector_to_xpath
from archiver.errors import ConfigError

from ..support import run_archiver

GOOD = """
[crawler]
contact = "https://example.org/about-our-crawler"

[sites.example]
domains = ["news.example.org"]
feeds = ["https://news.example.org/rss.xml"]
sitemaps = ["https://news.example.org/robots.txt"]
start_urls = ["https://news.example.org/"]
allow = ['/\\d{4}/\\d{2}/']
deny = ['/live/']
max_pages = 50
follow_depth = 1

[sites.example.clean]
drop = ["div.promo", "//aside[@id='fund']"]
"""


def test_good_config_parses_into_sites():
    config = parse_config(GOOD, "sites.toml")
    site = config.sites["example"]
    assert site.domains == ("news.example.org",)
    assert site.max_pages == 50 and site.follow_depth == 1
    assert site.clean.drop_xpath[1] == "//aside[@id='fund']"
    assert "promo" in site.clean.drop_xpath[0]
    assert site.allow_re[0].search("https://news.example.org/2023/02/x")
    assert config.crawler.contact == "https://example.org/about-our-crawler"


MISTAKES = {
    "not toml": ("[sites.example\n", "not valid TOML"),
    "unknown top-level key": (GOOD + "\n[crawlr]\nx = 1\n", "unknown top-level key 'crawlr'"),
    "unknown site key": (GOOD.replace("max_pages = 50", "max_page = 50"),
                         "site 'example': unknown key 'max_page'"),
    "wrong type": (GOOD.replace("max_pages = 50", 'max_pages = "50"'),
                   "site 'example': key 'max_pages' must be an integer"),
    "bool for int": (GOOD.replace("max_pages = 50", "max_pages = true"),
                     "key 'max_pages' must be an integer"),
    "list expected": (GOOD.replace('domains = ["news.example.org"]', 'domains = "x.org"'),
                      "site 'example': key 'domains' must be a list"),
    "bad pattern": (GOOD.replace("deny = ['/live/']", "deny = ['/live/(']"),
                    "site 'example': key 'deny': bad pattern '/live/('"),
    "bad css selector": (GOOD.replace('"div.promo"', '"div..promo"'),
                         "site 'example': key 'clean.drop': 'div..promo': bad CSS selector"),
    "bad xpath": (GOOD.replace("//aside[@id='fund']", "//aside[@id="),
                  "site 'example': key 'clean.drop': '//aside[@id=': bad XPath"),
    "unknown clean key": (GOOD.replace("drop = [", "dropp = ["),
                          "site 'example': unknown key 'clean.dropp'"),
    "no domains": (GOOD.replace('domains = ["news.example.org"]', "domains = []"),
                   "site 'example': key 'domains' is required"),
    "domain with scheme": (GOOD.replace('["news.example.org"]', '["https://news.example.org"]'),
                           "must be a host name"),
    "not a url": (GOOD.replace('feeds = ["https://news.example.org/rss.xml"]',
                               'feeds = ["news.example.org/rss.xml"]'),
                  "key 'feeds': 'news.example.org/rss.xml' is not an http(s) URL"),
    "no seeds": ("[sites.x]\ndomains = ['a.org']\n", "give at least one of"),
    "no sites": ("[crawler]\ncontact = 'https://a.org'\n", "no sites"),
    "bad site name": (GOOD.replace("[sites.example]", '[sites."my site"]')
                      .replace("[sites.example.clean]", '[sites."my site".clean]'),
                      "a site name may hold only"),
    "zero budget": (GOOD.replace("max_pages = 50", "max_pages = 0"),
                    "key 'max_pages' must be at least 1"),
    "crawler unknown key": (GOOD.replace('contact = "', 'contacts = "'),
                            "[crawler]: unknown key 'contacts'"),
    "negative delay": (GOOD.replace("[crawler]", "[crawler]\ndownload_delay = -1"),
                       "[crawler]: key 'download_delay' must not be negative"),
    "empty string in list": (GOOD.replace("deny = ['/live/']", "deny = ['']"),
                             "key 'deny' must be a list of non-empty strings"),
}


@pytest.mark.parametrize("kind", sorted(MISTAKES))
def test_each_mistake_is_one_line_naming_file_and_key(kind):
    text, message = MISTAKES[kind]
    with pytest.raises(ConfigError) as info:
        parse_config(text, "conf/sites.toml")
    error = str(info.value)
    assert error.startswith("conf/sites.toml")
    assert message in error
    assert "\n" not in error


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml")


def test_unknown_site_selected():
    config = parse_config(GOOD, "sites.toml")
    with pytest.raises(ConfigError, match="no site named 'other'"):
        config.select(["other"])


def test_selector_to_xpath_accepts_css_and_xpath():
    assert selector_to_xpath("//div[@class='x']") == "//div[@class='x']"
    assert selector_to_xpath("#fund").startswith("//*[@id = 'fund']")
    with pytest.raises(ValueError):
        selector_to_xpath("##")


def test_cli_crawl_with_bad_config_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "sites.toml"
    bad.write_text(MISTAKES["bad pattern"][0])
    result = run_archiver("crawl", "--config", str(bad), "--db", str(tmp_path / "a.db"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad pattern" in lines[0], result.stderr
    assert not (tmp_path / "a.db").exists()


def test_example_config_is_valid():
    from pathlib import Path

    config = load_config(Path(__file__).parents[2] / "sites.example.toml")
    assert len(config.sites) >= 3
    for site in config.sites.values():
        assert site.feeds or site.sitemaps or site.start_urls
