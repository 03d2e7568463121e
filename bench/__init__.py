"""Benchmarks for archiver: every figure a ratio against a reference measured in the same run.

Run with `make bench` (or `python -m bench --quick` for a 1–2 minute smoke run).
"""
