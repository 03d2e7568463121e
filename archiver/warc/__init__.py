"""Raw captures: WARC writing and reading, recovery, import, re-extraction."""
