"""The genre library: one module per family of genres, all plain data (see :mod:`..model`)."""
