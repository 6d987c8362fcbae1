"""Drives a real server: start it (``server``), time songs (``speed``), load it with k6 (``load``), score its audio (``quality``)."""
