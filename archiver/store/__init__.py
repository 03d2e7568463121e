"""The archive database: connection, schema migrations, and one module per thing kept.

May import: archiver.errors, archiver.extract (the Article it keeps, and the cleaning
decisions of archiver/extract/template.py), the standard library, sqlite-utils (through
lean_imports) and PyStemmer; never the crawl, WARC, analysis or distributed packages.

- core.py: connection, busy timeout, migrations on open, transactions, SQLite errors as
  StoreError; clock.py: the one "now".
- articles.py, batch.py: articles and revisions; templates.py: site templates, keep/drop
  rules; captures.py: the WARC captures index; runs.py: runs and the fetch log;
  crawl_state.py: revisit state, revisits, the local frontier; skipped.py: skipped pages;
  search.py: search, export streams, index upkeep; summaries.py: analysts' summaries.
- search_text.py (with search_forms.py, search_query.py, search_snippets.py): what the index
  holds and what a query becomes; search_index.py: FTS triggers and index forms upkeep.
- migrations.py: the schema; schedule.py: the revisit schedule (pure); lean_imports.py:
  sqlite-utils without pandas and numpy.
- archive.py: `Store`, the facade over all of them.
"""
