"""Distributed crawling: Redis state, scheduler, shared politeness, the worker's Redis
destination and messages, worker, writer, seeding."""
