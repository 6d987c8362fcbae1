"""Shared lyric-writing machinery: filling line templates so that chosen line ends rhyme."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Draft:
    """A written song: ``lyrics`` carries ``[Section]`` tags; ``language`` is ``"en"``/``"zh"``."""

    title: str
    lyrics: str
    language: str


def rhyme_groups(words: Sequence[str], key: Callable[[str], str | None]) -> dict[str, list[str]]:
    """Group ``words`` by rhyme ``key`` (words without a key are left out)."""
    groups: dict[str, list[str]] = {}
    for word in words:
        rhyme = key(word)
        if rhyme is not None and word not in groups.setdefault(rhyme, []):
            groups[rhyme].append(word)
    return groups


def rhyming_ends(
    groups: dict[str, list[str]], count: int, rng: random.Random, avoid: frozenset[str] = frozenset()
) -> list[str]:
    """``count`` distinct words from one rhyme group with enough members (largest pool if none has)."""
    usable = {k: [w for w in v if w not in avoid] for k, v in groups.items()}
    big = sorted(k for k, v in usable.items() if len(v) >= count)
    rhyme = rng.choice(big) if big else max(usable, key=lambda k: len(usable[k]))
    pool = usable[rhyme]
    picked = rng.sample(pool, min(count, len(pool)))
    return picked + [rng.choice(pool) for _ in range(count - len(picked))]


def fill_lines(
    templates: Sequence[str], ends: Sequence[str], themes: Sequence[str], rng: random.Random
) -> list[str]:
    """One line per end word from distinct templates with ``{theme}``, ``{Theme}`` and ``{end}`` slots."""
    chosen = rng.sample(list(templates), len(ends))
    lines = []
    for template, end in zip(chosen, ends, strict=True):
        theme = rng.choice(list(themes))
        lines.append(template.format(theme=theme, Theme=theme[:1].upper() + theme[1:], end=end))
    return lines


def song_text(sections: Sequence[tuple[str, Sequence[str]]]) -> str:
    """``[(tag, lines)]`` → lyrics text with a blank line between sections."""
    return "\n\n".join(f"[{tag}]\n" + "\n".join(lines) for tag, lines in sections)
