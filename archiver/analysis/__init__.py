"""Reading the archive: Datasette, stats, the coverage chart, reports, export."""
