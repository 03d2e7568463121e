"""Reading the archive for people: Datasette serving and its plugin, stats, the coverage
chart, terminal rendering (history, runs, search hits, template blocks), and export.

May import: archiver.errors, archiver.store (the archive it reads; report.py only for a type),
Datasette, uvicorn, PyYAML, matplotlib; never the crawl, the WARC files or the CLI: every view
is of what the archive already holds.

- serve.py: `archiver serve` (Datasette over a read-only archive, the bundled metadata);
  datasette_plugin.py and datasette/: the plugin, its templates, metadata and canned queries.
- stats.py: the per-site stats (older archives too, from what tables they have); coverage.py: the
  articles-per-day chart; report.py: terminal renderings; export.py: JSON Lines and CSV.
"""
