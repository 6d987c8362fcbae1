"""add-instrumental: a band written for the user's vocal, on the vocal's own clock.

1. **Grid.** The beat tracker's tempo map of the vocal, refitted to the sung onsets
   (:func:`~.grid.fit_grid`: a singer without a click drifts, and the band follows), extended
   :data:`MAX_INTRO_BARS` bars before the first phrase and past the last one.
2. **Form.** The bar the first phrase belongs to (a pickup in the last beat of a bar belongs to the next bar) is
   preceded by an intro of :data:`INTRO_BARS` … :data:`MAX_INTRO_BARS` bars; where the vocal starts too early
   for that, the vocal is delayed by whole bars (``offset_s``; the words move with it). Between the first and
   the last sung bar the analysis's sections give the kinds (verse, chorus, bridge; the arrangement and the
   dynamic arc follow them) and :data:`GAP_BARS` or more bars without voice become an instrumental break; an
   outro of :data:`OUTRO_BARS` bars ends on the tonic after a dominant.
3. **Harmony.** The key is the vocal's; the chords harmonise its notes bar by bar (:func:`~.harmonise.harmonise`;
   the two tracks of a task take different harmonisations, ``variant`` = the track index).
4. **Band.** The composer's arranger writes drums, bass, comping, pad, counter-melody and effects of ``style``
   (the wire ``tags``) over those bars, never an instrument ``negativeTags`` excludes, with the counter-melody
   kept out of the sung sections. The score's ticks are beats of the fitted grid (``Score.beat_times``), so the
   band is rendered on the singer's own clock.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from tunesmith.analysis.types import NoteEvent, SongAnalysis
from tunesmith.engines.base import SongRequest, TrackPlan
from tunesmith.engines.builtin.accompany.grid import extended, fit_grid
from tunesmith.engines.builtin.accompany.harmonise import harmonise
from tunesmith.engines.builtin.composer import band_parts, mood_energy
from tunesmith.engines.builtin.composer.dynamics import SectionDynamics, section_dynamics
from tunesmith.engines.builtin.composer.form import SectionPlan
from tunesmith.engines.builtin.composer.grid import Bar
from tunesmith.engines.builtin.composer.setting import Setting
from tunesmith.music.score import TICKS_PER_BEAT, ChordSymbol, Key, Note, Part, Score, Section
from tunesmith.music.styles import Controls, parse_style
from tunesmith.music.theory import MODE_FAMILY, chord_pitch_classes, roman_to_chord

INTRO_BARS, MAX_INTRO_BARS, OUTRO_BARS = 2, 4, 2
GAP_BARS = 2
"""Bars in a row without voice, between the first and the last phrase, that become an instrumental section."""
VOICED_BEATS = 0.25
"""A bar is sung when voice sounds in it for at least this many beats."""
SUNG_KINDS = frozenset({"verse", "pre_chorus", "chorus", "post_chorus", "bridge"})
LABELS = {"intro": "Intro", "verse": "Verse", "pre_chorus": "Pre-Chorus", "chorus": "Chorus",
          "post_chorus": "Post-Chorus", "bridge": "Bridge", "instrumental": "Instrumental", "outro": "Outro"}
TONIC_QUALITY = {"major": "maj", "minor": "min"}


@dataclass(frozen=True)
class BandScore:
    """The band's score (no vocal part: the user sings) and where the user's vocal starts in the track."""

    score: Score
    offset_s: float


@dataclass(frozen=True)
class _Bars:
    """The fitted grid's bars in the vocal's time: ``starts[i]`` … ``starts[i + 1]``; ``beats`` per bar."""

    beats: npt.NDArray[np.float64]  # every beat's time, extended before and after the vocal
    first_downbeat: int  # index into ``beats`` of a downbeat
    per_bar: int

    def start(self, bar: int) -> float:
        return float(self.beats[self.first_downbeat + bar * self.per_bar])

    def bar_of(self, seconds: float) -> int:
        """The bar (may be negative or past the end of the known beats) that ``seconds`` falls in."""
        downbeats = self.beats[self.first_downbeat :: self.per_bar]
        return int(np.searchsorted(downbeats, seconds, side="right")) - 1

    def period(self, seconds: float) -> float:
        i = int(np.clip(np.searchsorted(self.beats, seconds), 1, len(self.beats) - 1))
        return float(self.beats[i] - self.beats[i - 1])


def band_for_vocal(analysis: SongAnalysis, track: TrackPlan, request: SongRequest) -> BandScore:
    """The band for the analysed vocal (see the module docstring)."""
    style = parse_style(track.tags or request.style, request.negative_tags)
    controls = Controls.of(request.style_weight, request.weirdness)
    rng = random.Random(track.seed)
    bars = _grid(analysis)
    melody = analysis.melody
    first_sung, last_sung = _sung_range(analysis, bars)
    intro = int(np.clip(sum(1 for b in range(first_sung) if bars.start(b) >= 0.0), INTRO_BARS, MAX_INTRO_BARS))
    first, end = first_sung - intro, last_sung + 1 + OUTRO_BARS  # bars [first, end) of the vocal's grid
    offset = max(0.0, -bars.start(first))
    spans = [(bars.start(b), bars.start(b + 1)) for b in range(first, end)]
    voiced = [_voiced(analysis, a, b, bars.period(a)) for a, b in spans]
    kinds = _kinds(analysis, spans, voiced, intro, last_sung + 1 - first)
    form, section_of = _form(kinds)
    sung = frozenset(section_of[i] for i, v in enumerate(voiced) if v and kinds[i] in SUNG_KINDS)
    key = sung_key(analysis.melody, Key(analysis.key.tonic, analysis.key.mode))
    chords = _chords(melody, key, spans, variant=track.index, rng=rng, family=style.genre.name,
                     per_bar=bars.per_bar)
    meter = (bars.per_bar, 4)
    ticks_per_bar = TICKS_PER_BEAT * bars.per_bar
    setting = Setting(analysis.tempo.bpm, meter, key)
    dynamics = section_dynamics(form, mood_energy(style))
    bar_list = _bar_list(chords, kinds, section_of, dynamics, ticks_per_bar)
    parts = _follow_changes(band_parts(bar_list, form, style, controls, setting, rng, sung=sung), chords,
                            ticks_per_bar)
    first_beat = bars.first_downbeat + first * bars.per_bar
    beat_times = tuple(float(t) + offset for t in bars.beats[first_beat : first_beat + len(spans) * bars.per_bar + 1])
    sections, tick = [], 0
    for s in form:
        sections.append(Section(s.kind, s.label, tick, tick + s.bars * ticks_per_bar))
        tick += s.bars * ticks_per_bar
    score = Score(
        tempo_bpm=float(analysis.tempo.bpm), meter=meter, key=key, sections=tuple(sections),
        chords=_symbols(chords, ticks_per_bar), parts=parts, vocal=None, beat_times=beat_times,
        metadata={"genre": style.genre.name, "mix": style.genre.mix, "tags": track.tags, "title": track.title,
                  "seed": str(track.seed), "own_audio": "vocals", "offset_s": f"{offset:.6f}"},
    )  # fmt: skip
    return BandScore(score, offset)


HEARD_KEY_PREFERENCE = 0.03
"""Correlation the analysis's own key is given ahead of the others when the sung notes decide the key."""


def sung_key(melody: Sequence[NoteEvent], heard: Key) -> Key:
    """The key the sung notes fit best: their time per pitch class against the major and minor key profiles in
    all 24 keys, ``heard`` (the analysis's key of the whole recording, read from its chroma) winning near-ties.

    On an a-cappella take the notes know more than the chroma: on seven engine vocals (35 s each, the tuning set
    of this rule) the chroma key was right 2 times, the notes 4 times, and 6 times the key or its relative
    (a short line often cannot tell the two apart: both share every pitch, so a band in either fits it)."""
    from tunesmith.analysis.tonal import MAJOR_PROFILE, MINOR_PROFILE

    if not melody:
        return heard
    weights = np.zeros(12)
    for note in melody:
        weights[int(round(note.pitch)) % 12] += max(note.offset_s - note.onset_s, 0.0)
    if not np.any(weights):
        return heard

    def fit(key: Key) -> float:
        profile = MAJOR_PROFILE if key.mode == "major" else MINOR_PROFILE
        return float(np.corrcoef(weights, np.roll(profile, key.tonic))[0, 1]) + (HEARD_KEY_PREFERENCE
                                                                                 if key == heard else 0.0)

    return max((Key(tonic, mode) for mode in ("major", "minor") for tonic in range(12)), key=fit)


def _symbols(chords: Sequence[Sequence[Change]], ticks_per_bar: int) -> tuple[ChordSymbol, ...]:
    """Every chord of the band as the score's chord track (a bar's second chord from its change on)."""
    out = []
    for i, bar in enumerate(chords):
        for k, (root, quality, at) in enumerate(bar):
            start = i * ticks_per_bar + round(at * ticks_per_bar)
            end = i * ticks_per_bar + (round(bar[k + 1][2] * ticks_per_bar) if k + 1 < len(bar) else ticks_per_bar)
            out.append(ChordSymbol(start, end - start, root, quality))
    return tuple(out)


def _grid(analysis: SongAnalysis) -> _Bars:
    """The tempo map refitted to the sung onsets, with whole bars of beats added on both sides."""
    onsets = [n.onset_s for n in analysis.melody]
    meter = (3, 4) if analysis.tempo.meter[0] == 3 else (4, 4)
    fitted = fit_grid(analysis.tempo, onsets, start_s=0.0, end_s=analysis.duration_s, meter=meter)
    per_bar = meter[0]
    beats = np.asarray(fitted.beats, dtype=np.float64)
    before = (MAX_INTRO_BARS + 2) * per_bar
    after = (OUTRO_BARS + 3) * per_bar
    phase = (fitted.downbeats[0] if fitted.downbeats else 0) % per_bar
    return _Bars(extended(beats, before, after), (before + phase) % per_bar, per_bar)


def _sung_range(analysis: SongAnalysis, bars: _Bars) -> tuple[int, int]:
    """The first bar with a phrase (a pickup in a bar's last beat counts for the next bar) and the last one."""
    starts = [n.onset_s for n in analysis.melody] + [a for a, _ in analysis.vocal_spans]
    ends = [n.offset_s for n in analysis.melody] + [b for _, b in analysis.vocal_spans]
    t0, t1 = min(starts), max(ends)
    first = bars.bar_of(t0 + bars.period(t0) * 0.99)
    last = max(bars.bar_of(t1 - 0.05), first)
    return first, last


def _voiced(analysis: SongAnalysis, start: float, stop: float, beat: float) -> bool:
    overlap = sum(max(0.0, min(stop, n.offset_s) - max(start, n.onset_s)) for n in analysis.melody)
    return overlap >= VOICED_BEATS * beat


def _kinds(analysis: SongAnalysis, spans: Sequence[tuple[float, float]], voiced: Sequence[bool],
           intro: int, outro_from: int) -> list[str]:
    """A section kind per bar: intro, the analysis's kinds over the sung bars (gaps → instrumental), outro."""
    kinds = []
    for i, (a, b) in enumerate(spans):
        if i < intro:
            kinds.append("intro")
        elif i >= outro_from:
            kinds.append("outro")
        else:
            middle = (a + b) / 2
            kind = next((s.kind for s in analysis.sections if s.start_s <= middle < s.end_s), "verse")
            kinds.append(kind if kind in SUNG_KINDS else "verse")
    run = 0
    for i in range(intro, outro_from + 1):
        if i < outro_from and not voiced[i]:
            run += 1
            continue
        if run >= GAP_BARS:
            kinds[i - run : i] = ["instrumental"] * run
        run = 0
    return kinds


def _form(kinds: Sequence[str]) -> tuple[list[SectionPlan], list[int]]:
    """Runs of one kind as sections; the section index of every bar."""
    form: list[SectionPlan] = []
    section_of: list[int] = []
    for kind in kinds:
        if form and form[-1].kind == kind:
            form[-1] = SectionPlan(kind, form[-1].label, form[-1].bars + 1)
        else:
            form.append(SectionPlan(kind, LABELS.get(kind, kind.title()), 1))
        section_of.append(len(form) - 1)
    return form, section_of


Change = tuple[int, str, float]
"""A chord inside a bar: root pitch class, quality, and where it starts as a fraction of the bar (0 or 0.5)."""


def _chords(melody: Sequence[NoteEvent], key: Key, spans: Sequence[tuple[float, float]], *, variant: int,
            rng: random.Random, family: str, per_bar: int) -> list[list[Change]]:
    """The chords of every bar (one, or two when the melody changes harmony at the half bar), the song closing
    on dominant → tonic."""
    harmony = harmonise(melody, key, spans, variant=variant, rng=rng, style_family=family, beats_per_bar=per_bar)
    out: list[list[Change]] = []
    for (a, b), bar in zip(spans, harmony, strict=True):
        out.append([(c.root, c.quality, round((c.start_s - a) / (b - a) * 2) / 2 if i else 0.0)
                    for i, c in enumerate(bar)])
    out[-1] = [(key.tonic, TONIC_QUALITY[MODE_FAMILY[key.mode]], 0.0)]
    if len(out) > 2:
        out[-2] = [(*roman_to_chord("V7", key), 0.0)]
    return out


HARMONIC_FAMILIES = frozenset({"bass", "guitar", "keyboard", "strings", "synth", "brass", "woodwinds"})
"""Families whose notes follow the chords (drums, percussion and effects do not)."""


def _follow_changes(parts: tuple[Part, ...], chords: Sequence[Sequence[Change]],
                    ticks_per_bar: int) -> tuple[Part, ...]:
    """The parts, written one chord per bar, made to follow the chord changes inside bars: a note that sounds in
    the second half of such a bar is split at the change and moved to the nearest tone of the new chord (the
    bass to its root when it played the old root)."""
    changes = {i: bar[1] for i, bar in enumerate(chords) if len(bar) > 1}
    if not changes:
        return parts
    out = []
    for part in parts:
        if part.is_drum or part.family.value not in HARMONIC_FAMILIES:
            out.append(part)
            continue
        notes: list[Note] = []
        for note in part.notes:
            bar = note.start // ticks_per_bar
            change = changes.get(bar)
            if change is None:
                notes.append(note)
                continue
            split = bar * ticks_per_bar + round(change[2] * ticks_per_bar)
            if note.end <= split:
                notes.append(note)
                continue
            first_root, first_quality, _ = chords[bar][0]
            pitch = _moved(note.pitch, first_root, change[0], change[1], bass=part.family.value == "bass")
            if note.start >= split:
                notes.append(Note(note.start, note.duration, pitch, note.velocity))
            elif split - note.start >= MIN_SPLIT_TICKS and note.end - split >= MIN_SPLIT_TICKS:
                notes.append(Note(note.start, split - note.start, note.pitch, note.velocity))
                notes.append(Note(split, note.end - split, pitch, max(1, note.velocity - 8)))
            else:
                notes.append(note)
        out.append(replace(part, notes=tuple(notes)))
    return tuple(out)


MIN_SPLIT_TICKS = TICKS_PER_BEAT // 4
"""A note held across a chord change is split only when both halves are at least a 16th long."""


def _moved(pitch: int, old_root: int, root: int, quality: str, *, bass: bool) -> int:
    """``pitch`` moved to the nearest tone of the chord (``root``, ``quality``); a bass on the old root goes to
    the new root."""
    tones = chord_pitch_classes(root, quality)
    if pitch % 12 in tones and not (bass and pitch % 12 == old_root % 12):
        return pitch
    targets = [root % 12] if bass else list(tones)
    candidates = [p for p in range(pitch - 6, pitch + 7) if p % 12 in targets and 0 <= p <= 127]
    return min(candidates, key=lambda p: (abs(p - pitch), p)) if candidates else pitch


def _bar_list(chords: Sequence[Sequence[Change]], kinds: Sequence[str], section_of: Sequence[int],
              dynamics: Sequence[SectionDynamics], ticks_per_bar: int) -> list[Bar]:
    symbols = [ChordSymbol(i * ticks_per_bar, ticks_per_bar, bar[0][0], bar[0][1]) for i, bar in enumerate(chords)]
    bars = []
    for i, chord in enumerate(symbols):
        s = section_of[i]
        d = dynamics[s]
        first = i == 0 or section_of[i - 1] != s
        last = i == len(symbols) - 1 or section_of[i + 1] != s
        bars.append(Bar(i, chord.start, chord, symbols[min(i + 1, len(symbols) - 1)], s, kinds[i], first, last,
                        i == len(symbols) - 1, d.occurrence, d.last_of_kind, d.energy, d.next_kind))
    return bars
