"""The fixed evaluation sets in ``bench/sets/*.json``: generate requests plus what each should yield."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

SETS_DIR = Path(__file__).resolve().parents[1] / "sets"
Kind = Literal["custom", "non_custom", "instrumental"]


@dataclass(frozen=True)
class EvalItem:
    """One request of a set.

    ``target_s`` is the intended song length in seconds (None where the server chooses: non-custom ideas);
    ``expect`` may name ``tempo_bpm`` and ``key`` (e.g. "A minor") that the style text asks for;
    ``request`` is the POST /api/v1/generate body without ``callBackUrl``.
    """

    id: str
    kind: Kind
    language: Literal["en", "zh"] | None
    target_s: float | None
    request: dict[str, Any]
    expect: dict[str, Any] = field(default_factory=dict)

    @property
    def lyrics(self) -> str | None:
        """The lyrics the song should sing (custom, non-instrumental requests only)."""
        if self.kind != "custom":
            return None
        return self.request.get("lyrics") or self.request.get("prompt")

    def body(self, callback_url: str) -> dict[str, Any]:
        return {**self.request, "callBackUrl": callback_url}


def load_set(name: str) -> list[EvalItem]:
    """Items of ``bench/sets/<name>.json``."""
    raw = json.loads((SETS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return [EvalItem(**item) for item in raw]


def load_all() -> dict[str, list[EvalItem]]:
    """Every set, by file stem."""
    return {path.stem: load_set(path.stem) for path in sorted(SETS_DIR.glob("*.json"))}


def find(item_id: str) -> EvalItem:
    for items in load_all().values():
        for item in items:
            if item.id == item_id:
                return item
    raise KeyError(item_id)
