"""Tunesmith's benchmark and quality harness.

``python -m bench run --suite smoke|full`` starts a real server on loopback, measures speed, API load
and output quality, writes ``bench/results/<timestamp>.json`` and updates the table in
``BENCHMARKS.md``. ``metrics`` holds the pure measurement functions (each unit-tested on synthetic
audio with a known answer); ``runner`` drives the server; ``report`` writes the results.
"""
