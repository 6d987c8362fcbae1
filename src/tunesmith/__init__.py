"""Tunesmith: a self-hosted music generation server that speaks the Suno API."""

__version__ = "0.1.0"
