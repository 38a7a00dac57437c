"""Benchmarks (`askalign bench`): ingest, scale and the reader, kept apart from the product."""
