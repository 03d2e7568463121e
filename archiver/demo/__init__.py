"""The demo: the bundled news site, its config, the loopback server, `archiver demo`.

May import: archiver.errors, archiver.config, archiver.crawl (one real crawl of the site),
archiver.store (the sample search), and the standard library; the tests use its server too.

- run.py: serve the site, crawl it into an archive, print a summary and a search;
  siteserver.py: a threaded HTTP server over a folder (ETag, Last-Modified, request log);
  demo.toml and demo_site/: the site's config and pages.
"""
