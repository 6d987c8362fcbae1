"""The song form: sections and lyric lines with bar counts, fitted to the allowed duration."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from tunesmith.engines.base import Syllabifier
from tunesmith.engines.builtin.composer.arrangement import (
    EMPTY_SECTION_BARS,
    INSTRUMENTAL_BARS,
    INSTRUMENTAL_LABELS,
    SECTION_BARS,
)
from tunesmith.music.lyrics import ParsedLyrics
from tunesmith.music.score import LyricWord

MIN_SONG_S = 30.0
"""Shortest song the composer writes (unless ``max_duration_s`` is shorter)."""
LINE_BAR_CHOICES = (1, 2, 4, 8)
"""Bars a lyric line may take; phrases stay 1, 2 or 4 bars long."""
LINE_STRETCH = 1.35
"""How far a line may exceed its bars' relaxed capacity before it gets the next bar count."""
BREATH_STEPS = 2
"""16th steps of breath left at the end of each sung line."""
PREFERRED_MIN_S = 90.0
"""Below this, a song with a chorus repeats its last chorus once (room permitting)."""
INTERLUDE_BARS = 4
EXTENSION_BARS = 8


@dataclass(frozen=True, slots=True)
class LinePlan:
    """A lyric line to sing: its words/syllables and how many bars it spans."""

    text: str
    backing: bool
    words: tuple[LyricWord, ...]
    bars: int

    @property
    def syllables(self) -> int:
        return sum(len(w.syllables) for w in self.words)


@dataclass(frozen=True, slots=True)
class SectionPlan:
    """A section in the form; ``bars`` is the sum of its lines' bars, or its own length if it has none."""

    kind: str
    label: str
    bars: int
    lines: tuple[LinePlan, ...] = ()


def line_bars(syllables: int, steps_per_bar: int, density: float) -> int:
    """Bars for a line of ``syllables`` at ``density`` syllables per quarter beat; room for ≥1 16th each."""
    need = syllables * 4 / density + BREATH_STEPS
    ratio = need / steps_per_bar
    bars = next((b for b in LINE_BAR_CHOICES if ratio <= b * LINE_STRETCH), LINE_BAR_CHOICES[-1])
    while bars * steps_per_bar < syllables + BREATH_STEPS:
        bars *= 2
    return bars


def plan_lines(
    texts: Sequence[tuple[str, bool]], language: str, syllabifier: Syllabifier, steps: int, density: float
) -> tuple[LinePlan, ...]:
    """Syllabify each (text, backing) line and size it in bars; lines with no syllables are skipped."""
    plans = []
    for text, backing in texts:
        words = tuple(syllabifier.syllabify(text, language))
        count = sum(len(w.syllables) for w in words)
        if count:
            plans.append(LinePlan(text, backing, words, line_bars(count, steps, density)))
    return tuple(plans)


def vocal_form(
    lyrics: ParsedLyrics,
    syllabifier: Syllabifier,
    *,
    steps: int,
    density: float,
    backing: bool = True,
) -> list[SectionPlan]:
    """Sections from parsed lyrics, plus an intro/outro when the lyrics have none."""
    form = []
    for section in lyrics.sections:
        texts = [(line.text, line.backing) for line in section.lines if backing or not line.backing]
        lines = plan_lines(texts, lyrics.language, syllabifier, steps, density)
        bars = sum(line.bars for line in lines) or SECTION_BARS.get(section.kind, EMPTY_SECTION_BARS)
        form.append(SectionPlan(section.kind, section.label, bars, lines))
    return _with_interlude(_framed(form))


def instrumental_form(kinds: Sequence[str]) -> list[SectionPlan]:
    """A genre's instrumental form (e.g. intro-A-B-A-B-outro) with default bar counts."""
    return [SectionPlan(k, INSTRUMENTAL_LABELS.get(k, k.title()), INSTRUMENTAL_BARS.get(k, 8)) for k in kinds]


def _framed(form: list[SectionPlan]) -> list[SectionPlan]:
    if not form or form[0].kind != "intro":
        form.insert(0, SectionPlan("intro", "Intro", SECTION_BARS["intro"]))
    if form[-1].kind != "outro":
        form.append(SectionPlan("outro", "Outro", SECTION_BARS["outro"]))
    return form


def _with_interlude(form: list[SectionPlan]) -> list[SectionPlan]:
    """An instrumental breather after the first chorus when a sung section follows it."""
    for i, section in enumerate(form[:-1]):
        if section.kind == "chorus":
            if form[i + 1].lines:
                form.insert(i + 1, SectionPlan("instrumental", "Interlude", INTERLUDE_BARS))
            break
    return form


def total_bars(form: Sequence[SectionPlan]) -> int:
    return sum(s.bars for s in form)


Reduction = Callable[[list[SectionPlan]], list[SectionPlan] | None]


def _shrink_frames(form: list[SectionPlan]) -> list[SectionPlan] | None:
    """Halve the longest section without lyrics (intro, outro, interlude), down to 1 bar."""
    empty = [i for i, s in enumerate(form) if not s.lines and s.bars > 1]
    if not empty:
        return None
    i = max(empty, key=lambda j: form[j].bars)
    return form[:i] + [replace(form[i], bars=form[i].bars // 2)] + form[i + 1 :]


def _drop_interludes(form: list[SectionPlan]) -> list[SectionPlan] | None:
    """Remove a lyric-less section that is neither the first nor the last."""
    inner = [i for i, s in enumerate(form[1:-1], start=1) if not s.lines]
    return form[: inner[-1]] + form[inner[-1] + 1 :] if inner else None


def _drop_repeat(form: list[SectionPlan]) -> list[SectionPlan] | None:
    """Remove the last sung section whose kind already appeared earlier."""
    seen: set[str] = set()
    repeats = []
    for i, s in enumerate(form):
        if s.lines and s.kind in seen:
            repeats.append(i)
        seen.add(s.kind)
    return form[: repeats[-1]] + form[repeats[-1] + 1 :] if repeats else None


def _drop_last_line(form: list[SectionPlan]) -> list[SectionPlan] | None:
    """Remove the last line of the last sung section (whole section when it is its only line)."""
    sung = [i for i, s in enumerate(form) if s.lines]
    if not sung or (len(sung) == 1 and len(form[sung[0]].lines) == 1):
        return None
    i = sung[-1]
    lines = form[i].lines[:-1]
    if not lines:
        return form[:i] + form[i + 1 :]
    return form[:i] + [replace(form[i], lines=lines, bars=sum(x.bars for x in lines))] + form[i + 1 :]


def _drop_frame(form: list[SectionPlan]) -> list[SectionPlan] | None:
    """Remove a 1-bar intro or outro when something else remains."""
    for i in (len(form) - 1, 0):
        if len(form) > 1 and not form[i].lines:
            return form[:i] + form[i + 1 :]
    return None


REDUCTIONS: tuple[Reduction, ...] = (
    _drop_interludes,
    _shrink_frames,
    _drop_repeat,
    _drop_last_line,
    _drop_frame,
)
"""Ways to shorten a form, gentlest first; the first that applies is used, then the length re-checked."""


def shortened(form: list[SectionPlan], max_bars: int) -> list[SectionPlan]:
    """Apply :data:`REDUCTIONS` until the form has at most ``max_bars`` bars (or nothing applies)."""
    while total_bars(form) > max_bars:
        smaller = next((r for r in (f(form) for f in REDUCTIONS) if r is not None), None)
        if smaller is None:
            break
        form = smaller
    return form


def lengthened(form: list[SectionPlan], min_bars: int, max_bars: int) -> list[SectionPlan]:
    """Add instrumental sections before the outro until ``min_bars`` (never past ``max_bars``)."""
    while total_bars(form) < min_bars:
        room = max_bars - total_bars(form)
        bars = min(EXTENSION_BARS, room, max(min_bars - total_bars(form), 1))
        if bars <= 0:
            break
        at = len(form) - 1 if form and form[-1].kind == "outro" else len(form)
        form = form[:at] + [SectionPlan("instrumental", "Instrumental", bars)] + form[at:]
    return form


def with_final_chorus(form: list[SectionPlan], max_bars: int) -> list[SectionPlan]:
    """The form with its last chorus sung once more before the outro, if that fits in ``max_bars``."""
    chorus = next((s for s in reversed(form) if s.kind == "chorus" and s.lines), None)
    if chorus is None or total_bars(form) + chorus.bars > max_bars:
        return form
    at = len(form) - 1 if form[-1].kind == "outro" else len(form)
    return form[:at] + [chorus] + form[at:]


def fitted(form: list[SectionPlan], bar_seconds: float, *, max_s: float, target_s: float | None) -> list[SectionPlan]:
    """Fit the form between ~30 s (or the target) and ``max_s``/``target_s`` seconds."""
    limit_s = min(max_s, target_s) if target_s else max_s
    max_bars = max(int(limit_s / bar_seconds), 1)
    wanted_s = max(MIN_SONG_S, 0.85 * target_s) if target_s else MIN_SONG_S
    min_bars = min(int(-(-wanted_s // bar_seconds)), max_bars)
    form = shortened(form, max_bars)
    if target_s is None and total_bars(form) * bar_seconds < PREFERRED_MIN_S:
        form = with_final_chorus(form, max_bars)
    return lengthened(form, min_bars, max_bars)


BREAK_BARS = 2
"""Bars of the break that a high weirdness inserts before the last chorus."""


def with_break(form: list[SectionPlan]) -> list[SectionPlan]:
    """The form with a :data:`BREAK_BARS`-bar break before its last chorus (unchanged without one)."""
    last = next((i for i in range(len(form) - 1, -1, -1) if form[i].kind == "chorus"), None)
    if last is None or (last > 0 and form[last - 1].kind == "break"):
        return form
    return form[:last] + [SectionPlan("break", "Break", BREAK_BARS)] + form[last:]


def with_bridge(form: list[SectionPlan]) -> list[SectionPlan]:
    """An instrumental form with a bridge before its last section (unchanged if it has one)."""
    if any(s.kind == "bridge" for s in form) or len(form) < 2:
        return form
    bridge = SectionPlan("bridge", INSTRUMENTAL_LABELS["bridge"], INSTRUMENTAL_BARS.get("bridge", 8))
    return form[:-1] + [bridge] + form[-1:]
