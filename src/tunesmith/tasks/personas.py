"""Personas (hosted API §3.11): remember a finished track's voice and style so later songs match it.

A persona stores the singer voice id of the track's score (``VocalLine.voice``) and a *style
fingerprint*: style text the style parser reads back to the same genre, moods, tempo and key.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tunesmith.db.models import Persona
from tunesmith.db.session import Database, utcnow
from tunesmith.errors import Conflict, NotFound
from tunesmith.music.score import Score
from tunesmith.music.theory import PITCH_CLASS_SPELLING


@dataclass(frozen=True)
class NewPersona:
    """What the persona route asks to store; ``vocal_start``/``vocal_end`` in seconds."""

    key_id: int
    track_id: str
    task_id: str
    name: str
    description: str
    style_label: str
    voice: str | None
    fingerprint: str
    vocal_start: float
    vocal_end: float


def fingerprint(score: Score, tags: str) -> str:
    """The style fingerprint of ``score``: its tags, genre, tempo, meter and key as style text."""
    beats, unit = score.meter
    parts = [tags.strip(), score.metadata.get("genre", ""), f"{score.tempo_bpm:g} bpm",
             f"in {PITCH_CLASS_SPELLING[score.key.tonic]} {score.key.mode}", f"{beats}/{unit}"]
    return ", ".join(dict.fromkeys(p for p in parts if p))


def find_by_track(db: Database, track_id: str) -> Persona | None:
    with db.read() as s:
        return s.scalars(select(Persona).where(Persona.track_id == track_id)).first()


def create(db: Database, new: NewPersona) -> Persona:
    """Store a persona; a second persona for the same track is a :class:`Conflict` (409)."""
    persona = Persona(id=uuid.uuid4().hex, created_at=utcnow(), **vars(new))
    try:
        with db.write() as s:
            s.add(persona)
    except IntegrityError as exc:
        raise Conflict(f"A persona already exists for audioId {new.track_id}") from exc
    return persona


def get(db: Database, key_id: int, persona_id: str) -> Persona:
    """This key's persona ``persona_id``; another key's persona is reported as not found."""
    with db.read() as s:
        persona = s.get(Persona, persona_id) if persona_id else None
        if persona is None or persona.key_id != key_id:
            raise NotFound(f"Persona not found: {persona_id!r}")
        return persona
