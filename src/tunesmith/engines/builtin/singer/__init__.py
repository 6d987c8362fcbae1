"""The built-in singer: espeak-ng speech re-timed and re-pitched with WORLD."""
