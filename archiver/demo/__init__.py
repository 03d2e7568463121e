"""The demo: the bundled news site, its config, the loopback server, `archiver demo`."""
