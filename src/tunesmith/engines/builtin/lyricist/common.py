"""Shared lyric-writing machinery: song structures with rhyme schemes, choosing template lines whose
syllable counts match a per-section target, and making chosen line ends rhyme."""

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


@dataclass(frozen=True, slots=True)
class SectionSpec:
    """One section of a structure: its tag per language, template pool (``verse``/``pre``/``chorus``/
    ``bridge``), rhyme ``scheme`` (one letter per line; equal letters rhyme, ``X`` is free) and whether
    it repeats the first section with the same ``tag_en`` verbatim."""

    tag_en: str
    tag_zh: str
    pool: str
    scheme: str
    repeat: bool = False


def _s(tag_en: str, tag_zh: str, pool: str, scheme: str, repeat: bool = False) -> SectionSpec:
    return SectionSpec(tag_en, tag_zh, pool, scheme, repeat)


STRUCTURES: tuple[tuple[SectionSpec, ...], ...] = (
    (_s("Verse", "主歌", "verse", "AABB"), _s("Chorus", "副歌", "chorus", "AAAA"),
     _s("Verse 2", "主歌2", "verse", "ABAB"), _s("Chorus", "副歌", "chorus", "AAAA", True)),
    (_s("Verse", "主歌", "verse", "XAXA"), _s("Pre-Chorus", "预副歌", "pre", "AA"),
     _s("Chorus", "副歌", "chorus", "AAAA"), _s("Verse 2", "主歌2", "verse", "XAXA"),
     _s("Pre-Chorus", "预副歌", "pre", "AA", True), _s("Chorus", "副歌", "chorus", "AAAA", True),
     _s("Bridge", "桥段", "bridge", "AA"), _s("Chorus", "副歌", "chorus", "AAAA", True)),
    (_s("Verse", "主歌", "verse", "ABAB"), _s("Chorus", "副歌", "chorus", "AABB"),
     _s("Verse 2", "主歌2", "verse", "AABB"), _s("Chorus", "副歌", "chorus", "AABB", True),
     _s("Bridge", "桥段", "bridge", "AA"), _s("Chorus", "副歌", "chorus", "AABB", True)),
)  # fmt: skip
"""Song structures; the seed picks one."""


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


def scheme_ends(scheme: str, groups: dict[str, list[str]], rng: random.Random) -> list[str]:
    """Line-end words for a rhyme ``scheme``: one rhyme group per letter (``X``: any word), no word
    used twice in the section."""
    used: set[str] = set()
    by_letter: dict[str, list[str]] = {}
    for letter in dict.fromkeys(scheme):
        count = max(scheme.count(letter), 1)
        by_letter[letter] = rhyming_ends(groups, count, rng, frozenset(used))
        used.update(by_letter[letter])
    return [by_letter[letter].pop(0) for letter in scheme]


def fill_template(template: str, theme: str, end: str) -> str:
    """A template with its ``{theme}``, ``{Theme}`` and ``{end}`` slots filled."""
    return template.format(theme=theme, Theme=theme[:1].upper() + theme[1:], end=end)


def fit_lines(
    templates: Sequence[str],
    ends: Sequence[str],
    themes: Sequence[str],
    target: int,
    count: Callable[[str], int],
    rng: random.Random,
) -> list[str]:
    """One line per end word from distinct templates, each the (template, theme) whose syllable
    ``count`` is closest to ``target`` (ties broken by the seed); after the first line the target
    becomes that line's count, so a section keeps one length."""
    free = list(templates)
    rng.shuffle(free)
    lines = []
    for end in ends:
        options = [(t, th) for t in free for th in themes]
        rng.shuffle(options)
        template, theme = min(options, key=lambda o: abs(count(fill_template(o[0], o[1], end)) - target))
        free.remove(template)
        lines.append(fill_template(template, theme, end))
        target = count(lines[0])
    return lines


def song_text(sections: Sequence[tuple[str, Sequence[str]]]) -> str:
    """``[(tag, lines)]`` → lyrics text with a blank line between sections."""
    return "\n\n".join(f"[{tag}]\n" + "\n".join(lines) for tag, lines in sections)


def write_sections(
    structure: Sequence[SectionSpec],
    write: Callable[[SectionSpec], list[str]],
    language: str,
) -> list[tuple[str, list[str]]]:
    """Write every section of ``structure`` (repeats copy the earlier section with the same tag)."""
    written: dict[str, list[str]] = {}
    out = []
    for spec in structure:
        tag = spec.tag_zh if language == "zh" else spec.tag_en
        if not (spec.repeat and spec.tag_en in written):
            written[spec.tag_en] = write(spec)
        out.append((tag, written[spec.tag_en]))
    return out
