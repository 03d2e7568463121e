"""Distributed crawling: Redis state, scheduler, shared politeness, worker, writer, seeding."""
