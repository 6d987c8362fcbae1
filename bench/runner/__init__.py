"""Drives a real server: start it (``server``), time songs (``speed``), load it with k6 (``load``),
fetch its audio and stems (``artifacts``) and score them (``quality``)."""
