"""Which callback shape each operation sends: the registry the callback dispatcher renders through."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tunesmith.api.schemas import covers, lyrics, midi, mp4, recovery, separation, sounds, wav
from tunesmith.api.schemas.music import music_callback
from tunesmith.storage.links import LinkSigner
from tunesmith.tasks.service import TaskView

CallbackRenderer = Callable[[TaskView, str, list[str], LinkSigner], dict[str, Any]]

CALLBACKS: dict[str, CallbackRenderer] = {
    "wav": wav.wav_callback,
    "mp4": mp4.mp4_callback,
    "cover_image": covers.cover_callback,
    "recovery": recovery.recovery_callback,
    "sounds": sounds.sounds_callback,
    "separate_vocal": separation.separation_callback,
    "split_stem": separation.separation_callback,
    "midi": midi.midi_callback,
    "lyrics": lyrics.lyrics_callback,
}


def render_callback(view: TaskView, stage: str, track_ids: list[str], signer: LinkSigner) -> dict[str, Any]:
    """The callback body for ``view``'s operation (music tasks by default)."""
    renderer = CALLBACKS.get(view.task.operation, music_callback)
    return renderer(view, stage, track_ids, signer)
