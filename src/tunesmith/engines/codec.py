"""JSON round trips for the engine request/plan, so a task can resume after a restart."""

from __future__ import annotations

import json
from dataclasses import asdict

from tunesmith.engines.base import SongPlan, SongRequest, TrackPlan, WordTiming


def request_to_json(request: SongRequest) -> str:
    return json.dumps(asdict(request), ensure_ascii=False)


def request_from_json(text: str) -> SongRequest:
    return SongRequest(**json.loads(text))


def plan_to_json(plan: SongPlan) -> str:
    return json.dumps({"request": asdict(plan.request), "tracks": [asdict(t) for t in plan.tracks]},
                      ensure_ascii=False)


def plan_from_json(text: str) -> SongPlan:
    raw = json.loads(text)
    return SongPlan(SongRequest(**raw["request"]), tuple(TrackPlan(**t) for t in raw["tracks"]))


def words_to_json(words: list[WordTiming]) -> str:
    return json.dumps([asdict(w) for w in words], ensure_ascii=False)


def words_from_json(text: str) -> list[WordTiming]:
    out = []
    for w in json.loads(text):
        w["syllables"] = tuple(tuple(s) for s in w.get("syllables", ()))
        out.append(WordTiming(**w))
    return out
