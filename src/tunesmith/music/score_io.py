"""Score ⇄ JSON, stored with each track. The round trip is exact (``score_from_json(score_to_json(s)) == s``).

Notes are written as ``[start, duration, pitch, velocity]`` arrays to keep a 3-minute song small. A tempo
map (``beat_times``, seconds) is written as a list of floats, which JSON keeps exactly; documents written
before tempo maps existed have none and load with the single tempo.
"""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

from tunesmith.music.score import (
    ChordSymbol,
    Key,
    LyricLine,
    LyricWord,
    Note,
    Part,
    Score,
    Section,
    StemFamily,
    SungSyllable,
    VocalLine,
)

FORMAT_VERSION = 1


def _note(n: Note) -> list[int]:
    return [n.start, n.duration, n.pitch, n.velocity]


def _notes(raw: list[list[int]]) -> tuple[Note, ...]:
    return tuple(Note(int(s), int(d), int(p), int(v)) for s, d, p, v in raw)


def _part_dict(p: Part) -> dict[str, Any]:
    return {
        "name": p.name,
        "family": p.family.value,
        "program": p.program,
        "is_drum": p.is_drum,
        "pan": p.pan,
        "gain_db": p.gain_db,
        "notes": [_note(n) for n in p.notes],
    }


def _vocal_dict(v: VocalLine) -> dict[str, Any]:
    return {
        "language": v.language,
        "voice": v.voice,
        "lines": [
            {
                "text": line.text,
                "section": line.section,
                "backing": line.backing,
                "words": [{"text": w.text, "syllables": list(w.syllables)} for w in line.words],
            }
            for line in v.lines
        ],
        "syllables": [
            {
                "line": s.line,
                "word": s.word,
                "syllable": s.syllable,
                "text": s.text,
                "notes": [_note(n) for n in s.notes],
            }
            for s in v.syllables
        ],
    }


def score_to_dict(score: Score) -> dict[str, Any]:
    """The score as plain JSON-ready data (ticks stay integers)."""
    return {
        "version": FORMAT_VERSION,
        "tempo_bpm": score.tempo_bpm,
        "meter": list(score.meter),
        "key": {"tonic": score.key.tonic, "mode": score.key.mode},
        "ticks_per_beat": score.ticks_per_beat,
        "sections": [{"kind": s.kind, "label": s.label, "start": s.start, "end": s.end} for s in score.sections],
        "chords": [[c.start, c.duration, c.root, c.quality] for c in score.chords],
        "parts": [_part_dict(p) for p in score.parts],
        "vocal": _vocal_dict(score.vocal) if score.vocal else None,
        "metadata": dict(score.metadata),
        "beat_times": list(score.beat_times),
    }


def score_to_json(score: Score) -> str:
    """Serialise a score to compact JSON text (UTF-8 characters kept as-is)."""
    return json.dumps(score_to_dict(score), ensure_ascii=False, separators=(",", ":"))


def _part(d: dict[str, Any]) -> Part:
    return Part(
        name=d["name"],
        family=StemFamily(d["family"]),
        program=int(d["program"]),
        notes=_notes(d["notes"]),
        is_drum=bool(d["is_drum"]),
        pan=float(d["pan"]),
        gain_db=float(d["gain_db"]),
    )


def _line(d: dict[str, Any]) -> LyricLine:
    words = tuple(LyricWord(w["text"], tuple(w["syllables"])) for w in d["words"])
    return LyricLine(d["text"], words, int(d["section"]), bool(d["backing"]))


def _vocal(d: dict[str, Any]) -> VocalLine:
    syllables = tuple(
        SungSyllable(int(s["line"]), int(s["word"]), int(s["syllable"]), s["text"], _notes(s["notes"]))
        for s in d["syllables"]
    )
    return VocalLine(d["language"], d["voice"], tuple(_line(x) for x in d["lines"]), syllables)


def _beat_times(raw: list[float]) -> tuple[float, ...]:
    times = tuple(float(t) for t in raw)
    if any(b <= a for a, b in pairwise(times)):
        raise ValueError("beat_times must increase")
    return times


def score_from_dict(d: dict[str, Any]) -> Score:
    """Rebuild a score from :func:`score_to_dict` data; raises ``ValueError`` on a bad document."""
    if d.get("version") != FORMAT_VERSION:
        raise ValueError(f"unsupported score format version {d.get('version')!r}")
    try:
        return Score(
            tempo_bpm=float(d["tempo_bpm"]),
            meter=(int(d["meter"][0]), int(d["meter"][1])),
            key=Key(int(d["key"]["tonic"]), d["key"]["mode"]),
            sections=tuple(Section(s["kind"], s["label"], int(s["start"]), int(s["end"])) for s in d["sections"]),
            chords=tuple(ChordSymbol(int(s), int(n), int(r), q) for s, n, r, q in d["chords"]),
            parts=tuple(_part(p) for p in d["parts"]),
            vocal=_vocal(d["vocal"]) if d["vocal"] else None,
            ticks_per_beat=int(d["ticks_per_beat"]),
            metadata={str(k): str(v) for k, v in d["metadata"].items()},
            beat_times=_beat_times(d.get("beat_times", [])),
        )
    except (KeyError, TypeError, IndexError) as exc:
        raise ValueError(f"malformed score document: {exc!r}") from exc


def score_from_json(text: str) -> Score:
    """Parse :func:`score_to_json` output back into an equal :class:`Score`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"score JSON does not parse: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError("score JSON must be an object")
    return score_from_dict(data)
