"""Scrapy spiders of archiver (one generic spider, driven by sites.toml)."""
