"""The backing-vocal part: parenthesised answers and chorus harmonies, as a score a second voice sings.

The singer sings whatever vocal line a score carries, so the backing part is just another score: the
same lines (indices kept, so word and syllable references stay valid), sung by a partner voice of
the lead's gender with a different timbre. It holds

- every backing line (``LyricLine.backing``, the text written in parentheses), on its own notes;
- in choruses, each lead syllable a diatonic third above the lead — or a sixth below when the third
  would climb out of the partner's range — so the chorus is sung in two parts.
"""

from __future__ import annotations

from dataclasses import replace

from tunesmith.engines.builtin.singer.voices import VOICES, Voice
from tunesmith.music.score import Key, LyricLine, Note, Score, SungSyllable, VocalLine

HARMONY_SECTIONS = frozenset({"chorus"})
_PARENT_SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10)}
_MINOR_MODES = frozenset({"minor", "aeolian", "dorian", "phrygian", "locrian"})


def partner_voice(lead: Voice) -> Voice:
    """The backing voice for ``lead``: another voice of the same gender (the lead itself if none)."""
    others = sorted((v for v in VOICES.values() if v.gender == lead.gender and v.id != lead.id), key=lambda v: v.id)
    return others[0] if others else lead


def scale_of(key: Key) -> tuple[int, ...]:
    """The pitch classes (0–11) of the key's parent major or natural-minor scale, ascending from the tonic."""
    steps = _PARENT_SCALES["minor" if key.mode in _MINOR_MODES else "major"]
    return tuple((key.tonic + s) % 12 for s in steps)


def third_above(pitch: int, key: Key) -> int:
    """The diatonic third above MIDI ``pitch`` in ``key`` (two scale steps up; a major third off-scale)."""
    scale = scale_of(key)
    if pitch % 12 not in scale:
        return pitch + 4
    degree = scale.index(pitch % 12)
    target = scale[(degree + 2) % 7]
    return pitch + (target - pitch % 12) % 12


def harmony_pitch(pitch: int, key: Key, voice: Voice) -> int:
    """The harmony note for lead ``pitch``: a third above, or the sixth below when above ``voice.high``."""
    third = third_above(pitch, key)
    return third if third <= voice.high else third - 12


def _harmonised(syllable: SungSyllable, key: Key, voice: Voice) -> SungSyllable:
    notes = tuple(replace(n, pitch=harmony_pitch(n.pitch, key, voice), velocity=_softer(n)) for n in syllable.notes)
    return replace(syllable, notes=notes)


def _softer(note: Note) -> int:
    return max(1, round(note.velocity * 0.85))


def backing_score(score: Score, *, harmony_sections: frozenset[str] = HARMONY_SECTIONS) -> Score | None:
    """``score`` with its vocal replaced by the backing part, or ``None`` when there is nothing to sing."""
    vocal = score.vocal
    if vocal is None or vocal.voice not in VOICES:
        return None
    voice = partner_voice(VOICES[vocal.voice])
    kinds = [score.sections[line.section].kind if line.section < len(score.sections) else "" for line in vocal.lines]
    syllables: list[SungSyllable] = []
    for syllable in vocal.syllables:
        line = vocal.lines[syllable.line]
        if line.backing:
            syllables.append(syllable)
        elif kinds[syllable.line] in harmony_sections:
            syllables.append(_harmonised(syllable, score.key, voice))
    if not syllables:
        return None
    lines = tuple(_as_lead(line) for line in vocal.lines)
    part = VocalLine(language=vocal.language, voice=voice.id, lines=lines, syllables=tuple(syllables))
    return replace(score, vocal=part)


def _as_lead(line: LyricLine) -> LyricLine:
    """Backing lines are the backing part's own lines: sung like lead lines by its singer."""
    return replace(line, backing=False) if line.backing else line
