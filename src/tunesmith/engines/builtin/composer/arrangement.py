"""How full each kind of section is: which drum lanes play, which roles play, how loud. Pure data.

Arrangements build up: roles in :data:`LATE_ROLES` join a section kind only from its second
occurrence on (the second verse gains pad and percussion, the second chorus a counter-melody), and the
last chorus always has everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from tunesmith.music.styles import TRIPLE_DEFAULT, Genre, RhythmPatterns


@dataclass(frozen=True, slots=True)
class SectionArrangement:
    """Per-section-kind arrangement: drum ``lanes`` that play, ``energy`` velocity scale (0.5–1.1),
    which accompaniment roles sound, crash on the first bar, drum fill on the last bar, and a riser
    (fx role) into the next section."""

    lanes: tuple[str, ...]
    energy: float
    bass: bool = True
    comp: bool = True
    pad: bool = True
    crash: bool = True
    fill: bool = False
    lead: bool = False
    perc: bool = True
    riser: bool = False

    def plays(self, role: str) -> bool:
        """Whether pitched/percussion ``role`` sounds in this kind of section (drums: see ``lanes``)."""
        return bool(getattr(self, role, True))


ALL_LANES = ("kick", "snare", "hat")

ARRANGEMENTS: dict[str, SectionArrangement] = {
    "intro": SectionArrangement(("hat",), 0.7, bass=False, crash=False, fill=True, lead=True, perc=False),
    "verse": SectionArrangement(ALL_LANES, 0.85, pad=True),
    "pre_chorus": SectionArrangement(("kick", "hat"), 0.9, fill=True, riser=True),
    "chorus": SectionArrangement(ALL_LANES, 1.0, fill=True, lead=True),
    "post_chorus": SectionArrangement(ALL_LANES, 0.95, lead=True),
    "bridge": SectionArrangement(("kick", "hat"), 0.8, fill=True, perc=False, riser=True),
    "instrumental": SectionArrangement(ALL_LANES, 0.95, fill=True, lead=True),
    "break": SectionArrangement(ALL_LANES, 1.0, bass=False, comp=False, pad=False, crash=False, riser=True),
    "outro": SectionArrangement(("kick", "hat"), 0.75, lead=True, perc=False),
}
LATE_ROLES: dict[str, frozenset[str]] = {
    "verse": frozenset({"pad", "perc"}),
    "chorus": frozenset({"lead"}),
    "pre_chorus": frozenset({"perc"}),
}
"""Section kind → roles that only join from the kind's second occurrence on."""
DEFAULT_ARRANGEMENT = ARRANGEMENTS["verse"]

REGISTER: dict[str, float] = {
    "verse": 0.36, "pre_chorus": 0.5, "chorus": 0.68, "post_chorus": 0.6, "bridge": 0.55,
    "intro": 0.45, "outro": 0.45, "instrumental": 0.5, "break": 0.5,
}  # fmt: skip
"""Section kind → centre of the vocal melody as a fraction of the voice range (0 = low … 1 = high)."""

HARMONY_SOURCE: dict[str, str] = {
    "intro": "verse", "outro": "chorus", "instrumental": "chorus", "break": "verse", "post_chorus": "chorus",
}  # fmt: skip
"""Section kinds that borrow another kind's chord loop."""

SECTION_BARS: dict[str, int] = {"intro": 4, "outro": 4, "instrumental": 8, "break": 2}
"""Bars of a section that has no lyric lines (other kinds: :data:`EMPTY_SECTION_BARS`)."""
EMPTY_SECTION_BARS = 8

INSTRUMENTAL_BARS: dict[str, int] = {"intro": 4, "outro": 4, "pre_chorus": 4, "break": 4}
"""Bars per section of an instrumental song's form (other kinds: 8)."""

INSTRUMENTAL_LABELS: dict[str, str] = {
    "intro": "Intro", "verse": "A", "pre_chorus": "A'", "chorus": "B", "bridge": "C",
    "break": "Break", "outro": "Outro", "instrumental": "Solo",
}  # fmt: skip


def arrangement_for(kind: str) -> SectionArrangement:
    return ARRANGEMENTS.get(kind, DEFAULT_ARRANGEMENT)


def role_plays(role: str, kind: str, occurrence: int, last_of_kind: bool) -> bool:
    """Whether ``role`` sounds in the ``occurrence``-th (0-based) section of ``kind``; the last chorus
    of the song plays every role its arrangement allows, even a late one."""
    if not arrangement_for(kind).plays(role):
        return False
    late = role in LATE_ROLES.get(kind, frozenset())
    return not late or occurrence > 0 or (last_of_kind and kind == "chorus")


def generic_patterns(steps: int) -> RhythmPatterns:
    """A plain groove for any bar length: kick on 1, snare half-way, 8th hats, root/fifth bass."""
    half = steps // 2
    return RhythmPatterns(
        kick="x" + "." * (steps - 1),
        snare="." * half + "x" + "." * (steps - half - 1),
        hat="".join("x" if i % 2 == 0 else "." for i in range(steps)),
        bass="R" + "-" * (half - 1) + "5" + "-" * (steps - half - 1),
        comp="X" + "-" * (half - 1) + "X" + "-" * (steps - half - 1),
    )


def patterns_for(genre: Genre, steps: int) -> RhythmPatterns:
    """The genre's own groove for this bar length, else the shared triple groove, else a generic one."""
    own = genre.patterns_for(steps)
    if own is not None:
        return own
    return TRIPLE_DEFAULT if TRIPLE_DEFAULT.steps == steps else generic_patterns(steps)
