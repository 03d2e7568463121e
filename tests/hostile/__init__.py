"""A hostile web server for tests: bombs, drips, traps, bad encodings, all on 127.0.0.1."""
