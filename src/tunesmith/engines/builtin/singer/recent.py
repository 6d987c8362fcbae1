"""The bounded least-recently-used tables the singer keeps of lines it has spoken or analysed."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def remember(recent: OrderedDict[K, V], key: K, value: V, most: int) -> None:
    """Keep ``value`` under ``key`` as the most recent of at most ``most`` entries (the oldest dropped).
    The caller holds the table's lock."""
    recent[key] = value
    recent.move_to_end(key)
    while len(recent) > most:
        recent.popitem(last=False)
