"""Raw captures: WARC writing and reading, recovery, import, re-extraction.

May import: archiver.errors, archiver.config, archiver.extract, archiver.store (the capture
index), archiver.crawl (ingest and the extraction pool, shared with the crawl), warcio;
files.py and reading.py are pure file handling and import none of them.

- files.py: write gzipped WARC/1.1 records, one gzip member each, and recover files a killed
  crawl left `.open`; reading.py: read a record back at its offset, or every record of a
  foreign file, skipping what is malformed.
- captures.py: write and index a capture, and where the WARC files of an archive live;
  importer.py: `archiver import-warc`; reextract.py: `archiver reextract`.
"""
