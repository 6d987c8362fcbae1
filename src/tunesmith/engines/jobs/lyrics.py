"""Lyrics job (hosted API §3.15): two alternative songs for a theme, in the theme's language.

The optional LLM writes first when configured; whatever it does not deliver (an error, a timeout, junk, a
single usable song) is written by the built-in lyricist, and the reason is kept with the task's result.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunesmith.engines.builtin.lyricist import Draft, write_lyrics
from tunesmith.engines.jobs import JobOutput
from tunesmith.engines.llm import LLMConfig, LLMError, LLMLyricist
from tunesmith.music.lyrics import detect_language

log = logging.getLogger(__name__)

ALTERNATIVES = 2
"""Songs per task, as the hosted service returns."""
SEED_TRIES = 8
"""Seeds tried per built-in alternative before accepting a repeat (the word banks make repeats rare)."""


@dataclass(frozen=True, slots=True)
class Written:
    """The alternatives, which writer made each (``llm``/``builtin``), and why the LLM fell short."""

    drafts: list[Draft]
    writers: list[str]
    fallback_reason: str | None


def builtin_alternatives(idea: str, seed: int, count: int, language: str,
                         avoid: Iterable[str] = ()) -> list[Draft]:
    """``count`` built-in songs from consecutive seeds, skipping any whose lyrics repeat another's."""
    seen = set(avoid)
    drafts: list[Draft] = []
    for _ in range(count):
        draft = write_lyrics(idea, seed, language)
        for _ in range(SEED_TRIES - 1):
            if draft.lyrics not in seen:
                break
            seed += 1
            draft = write_lyrics(idea, seed, language)
        seed += 1
        seen.add(draft.lyrics)
        drafts.append(draft)
    return drafts


def _from_llm(config: LLMConfig, idea: str, language: str, count: int) -> tuple[list[Draft], str | None]:
    try:
        answer = LLMLyricist(config).write(idea, language, count)
    except LLMError as exc:
        return [], exc.message
    except Exception as exc:  # the LLM is optional: no failure of it may cost the user their lyrics
        log.exception("LLM lyricist crashed")
        return [], f"LLM writer crashed: {type(exc).__name__}: {exc}"
    return answer.drafts, "; ".join(answer.rejected) or None


def write_alternatives(idea: str, seed: int, llm: LLMConfig | None, count: int = ALTERNATIVES) -> Written:
    """``count`` different songs about ``idea``: the LLM's usable ones first, the built-in writer's after."""
    language = detect_language(idea)
    drafts, reason = _from_llm(llm, idea, language, count) if llm is not None else ([], None)
    if reason is not None:
        log.warning("LLM lyricist: %s; the built-in writer fills in", reason)
    filled = builtin_alternatives(idea, seed, count - len(drafts), language, avoid=[d.lyrics for d in drafts])
    writers = ["llm"] * len(drafts) + ["builtin"] * len(filled)
    return Written(drafts + filled, writers, reason)


def write_lyrics_job(payload: dict[str, Any], workdir: Path) -> JobOutput:
    """``payload``: ``prompt`` (the theme), ``seed`` (int) and ``llm`` (an ``LLMConfig`` payload or null).
    The result data lists the songs as ``{title, text, language, writer}``; no files are written."""
    configured = payload.get("context", {}).get("llm")
    llm = LLMConfig.from_payload(configured) if configured else None
    written = write_alternatives(str(payload["prompt"]), int(payload["seed"]), llm)
    songs = [{"title": d.title, "text": d.lyrics, "language": d.language, "writer": w}
             for d, w in zip(written.drafts, written.writers, strict=True)]
    return JobOutput(data={"lyrics": songs, "fallbackReason": written.fallback_reason})
