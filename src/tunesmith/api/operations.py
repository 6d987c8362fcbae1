"""The operation registry: every kind of task the API accepts, as one typed entry each.

An entry names everything an operation needs — its default cost, the wire request schema, the work that runs
it (the song engine, or a job function in the engine pool), the details renderer of its record-info endpoint
and the renderer of its callback body. Nothing else in the code keeps a list of operations: adding an
endpoint means one entry here, a schema and a route. ``tests/api/test_operations.py`` checks every entry is
complete (and that each is reachable through a route).

Costs are defaults; ``TUNESMITH_CREDITS__COSTS`` overrides them by name (:func:`cost_of`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel

from tunesmith.api.schemas import (
    audio_in,
    covers,
    extend,
    generate,
    lyrics,
    midi,
    mp4,
    music,
    recovery,
    replace_section,
    separation,
    sounds,
    style,
    wav,
)
from tunesmith.config import Settings
from tunesmith.storage.links import LinkSigner
from tunesmith.tasks.service import TaskView
from tunesmith.tasks.worker import MUSIC

DetailsRenderer = Callable[[TaskView, LinkSigner], dict[str, Any]]
"""(task, signer) → the ``data`` of its record-info answer (recovery: the whole answer)."""
CallbackRenderer = Callable[[TaskView, str, list[str], LinkSigner], dict[str, Any]]
"""(task, stage, finished track ids, signer) → the callback JSON body."""


class Kind(str, Enum):
    MUSIC = "music"  # the song engine makes tracks: staged callbacks text → first → complete
    JOB = "job"  # a job function in the engine pool works on stored files
    INSTANT = "instant"  # answered synchronously, stored as a finished task (no worker, no callback)


@dataclass(frozen=True)
class Operation:
    name: str  # stored as ``Task.operation`` and shown as ``operationType``
    kind: Kind
    cost: int  # default credits debited when accepted, refunded if it fails
    body: type[BaseModel]  # the wire request schema
    work: str  # ``module:function`` of a job; MUSIC for the song engine; "" for instant operations
    details: DetailsRenderer | None  # None only for instant operations (no record-info)
    callback: CallbackRenderer | None  # None only for instant operations (no callback)
    polled_at: str  # the record-info family that serves its details, e.g. "generate", "wav"
    label: str  # how messages name it: "task X is not a <label> task"


def _lyrics_details(view: TaskView, _signer: LinkSigner) -> dict[str, Any]:
    return lyrics.lyrics_details(view)


def _music(name: str, body: type[BaseModel], cost: int,
           callback: CallbackRenderer = music.music_callback) -> Operation:
    return Operation(name, Kind.MUSIC, cost, body, MUSIC, music.record_info, callback, "generate", "music")


def _job(name: str, cost: int, body: type[BaseModel], work: str, details: DetailsRenderer,
         callback: CallbackRenderer, polled_at: str, label: str) -> Operation:
    return Operation(name, Kind.JOB, cost, body, f"tunesmith.engines.jobs.{work}", details, callback, polled_at,
                     label)


OPERATIONS: dict[str, Operation] = {op.name: op for op in (
    _music("generate", generate.GenerateBody, 12),
    _music("extend", extend.ExtendBody, 12),
    _music("replace_section", replace_section.ReplaceSectionBody, 12),
    _music("add_instrumental", audio_in.AddInstrumentalBody, 12, music.audio_in_callback),
    _music("add_vocals", audio_in.AddVocalsBody, 12, music.audio_in_callback),
    _job("wav", 1, wav.WavBody, "wav:export_wav", wav.wav_details, wav.wav_callback, "wav", "WAV conversion"),
    _job("separate_vocal", 10, separation.SeparationBody, "stems:separate", separation.separation_details,
         separation.separation_callback, "vocal-removal", "vocal separation"),
    _job("split_stem", 50, separation.SeparationBody, "stems:separate", separation.separation_details,
         separation.separation_callback, "vocal-removal", "vocal separation"),
    _job("midi", 5, midi.MidiBody, "midi:export_midi", midi.midi_details, midi.midi_callback, "midi", "MIDI"),
    _job("mp4", 2, mp4.Mp4Body, "video:make_video", mp4.mp4_details, mp4.mp4_callback, "mp4", "music video"),
    _job("cover_image", 1, covers.CoverBody, "covers:make_cover_images", covers.cover_details,
         covers.cover_callback, "cover", "cover image"),
    _job("recovery", 0, recovery.RecoveryBody, "recovery:recover_links", recovery.recovery_details,
         recovery.recovery_callback, "recovery", "recovery"),
    _job("sounds", 6, sounds.SoundsBody, "sounds:make_sounds", sounds.sounds_record_info, sounds.sounds_callback,
         "generate", "sounds"),
    _job("lyrics", 1, lyrics.LyricsBody, "lyrics:write_lyrics_job", _lyrics_details, lyrics.lyrics_callback,
         "lyrics", "lyrics"),
    Operation("style", Kind.INSTANT, 1, style.StyleBody, "", None, None, "style", "style"),
)}


def operation(name: str) -> Operation:
    """The registered operation ``name``; a name that is not registered is a programming error."""
    try:
        return OPERATIONS[name]
    except KeyError:
        raise KeyError(f"operation {name!r} is not registered in tunesmith.api.operations") from None


def cost_of(settings: Settings, name: str) -> int:
    """Credits for ``name``: the settings' override, else the registry's default."""
    return settings.credits.costs.get(name, operation(name).cost)


def polled_at(family: str) -> frozenset[str]:
    """Names of the operations whose details the ``family`` record-info endpoint serves."""
    return frozenset(op.name for op in OPERATIONS.values() if op.polled_at == family)


def work_targets() -> Mapping[str, str]:
    """Operation → the work the worker runs for it (MUSIC or a job's ``module:function``)."""
    return {op.name: op.work for op in OPERATIONS.values() if op.kind is not Kind.INSTANT}


def check_settings(settings: Settings) -> None:
    """Refuse cost overrides naming no operation (a typo would otherwise be silently ignored)."""
    unknown = sorted(set(settings.credits.costs) - set(OPERATIONS))
    if unknown:
        raise ValueError(f"credits.costs names unknown operations: {', '.join(unknown)}; "
                         f"known: {', '.join(sorted(OPERATIONS))}")


def render_callback(view: TaskView, stage: str, track_ids: list[str], signer: LinkSigner) -> dict[str, Any]:
    """The callback body for ``view``'s operation."""
    renderer = operation(view.task.operation).callback
    if renderer is None:
        raise KeyError(f"operation {view.task.operation!r} sends no callbacks")
    return renderer(view, stage, track_ids, signer)


def details_of(view: TaskView, signer: LinkSigner) -> dict[str, Any]:
    """The record-info ``data`` for ``view``'s operation."""
    renderer = operation(view.task.operation).details
    if renderer is None:
        raise KeyError(f"operation {view.task.operation!r} has no details")
    return renderer(view, signer)
