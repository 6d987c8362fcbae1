"""Timestamped lyrics shapes (``suno-api.md`` §3.12, synchronous).

``alignedWords`` are the words as the singer sang them, with the engine's own start/end seconds (not
an alignment estimate). As on the hosted service, a word carries the lyric layout: the first word of
a section starts with its tag (``"[Chorus]\\n"``), the first word of a later line with ``"\\n"``, and
Latin-script words are followed by a space unless they end their line, so concatenating the words
gives back the lyrics. ``palign`` is always 0.

``hootCer`` is documented as the lyrics alignment accuracy score. Here it is the share of the
track's sung words that carry real timings: 1.0 for every song this engine sings (times are exact),
0.0 for an instrumental, which returns no words.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from tunesmith.api.schemas.declared import one_of
from tunesmith.engines.base import WordTiming
from tunesmith.music.score import Score

TIME_DECIMALS = 3
MUSIC_INDEXES = (0, 1)


class TimestampsBody(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    taskId: str
    audioId: str | None = None
    musicIndex: Annotated[int, one_of(MUSIC_INDEXES)] | None = Field(
        None, description="The track of the task when no audioId is sent: 0 (default) or 1.")


def _label(word: WordTiming, score: Score | None) -> str:
    """The section tag text of the line ``word`` is sung in ("" when unknown)."""
    if score is None or score.vocal is None or not 0 <= word.line < len(score.vocal.lines):
        return ""
    section = score.vocal.lines[word.line].section
    return score.sections[section].label if 0 <= section < len(score.sections) else ""


def _layout(word: WordTiming, previous: WordTiming | None, score: Score | None) -> str:
    """What goes before ``word``: a line break at a new line, and the section's tag at a new section."""
    if previous is not None and previous.line == word.line:
        return ""
    prefix = "" if previous is None else "\n"
    label = _label(word, score)
    if label and (previous is None or _section(previous, score) != _section(word, score)):
        prefix += f"[{label}]\n"
    return prefix


def _section(word: WordTiming, score: Score | None) -> int:
    if score is None or score.vocal is None or not 0 <= word.line < len(score.vocal.lines):
        return -1
    return score.vocal.lines[word.line].section


def aligned_words(words: list[WordTiming], score: Score | None) -> list[dict[str, Any]]:
    spaced = score is None or score.vocal is None or score.vocal.language != "zh"
    out = []
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else None
        gap = " " if spaced and following is not None and following.line == word.line else ""
        text = _layout(word, words[i - 1] if i else None, score) + word.word + gap
        out.append({"word": text, "success": True, "startS": round(word.start_s, TIME_DECIMALS),
                    "endS": round(word.end_s, TIME_DECIMALS), "palign": 0})
    return out


def timestamped_lyrics(words: list[WordTiming], score: Score | None, waveform: list[float]) -> dict[str, Any]:
    return {
        "alignedWords": aligned_words(words, score),
        "waveformData": waveform,
        "hootCer": 1.0 if words else 0.0,
        "isStreamed": False,
    }
