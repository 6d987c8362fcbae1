"""Stem separation from the engine's own renders: no estimation, the stored stems are the song.

The engine stores the mastered stems of every track (``stems/<family>.flac``), which sum to the
mastered mix within float rounding. ``separate_vocal`` sums them into a vocal part (lead and backing
vocals) and an instrumental part (everything else); ``split_stem`` hands out each family as is.
Outputs are MP3s like the hosted service's; ``data["stems"]`` lists them with their ids and durations.

A track that contains the user's own audio (covers, extensions, add-vocals/-instrumental) stores that audio,
as placed in the track, as the stem ``source``: it has no families of its own, so the separator of the analysis
layer splits it here into a voice (added to the vocal part / the ``vocals`` family) and the rest. The rest is the
``instrumental`` part of ``separate_vocal``; ``split_stem`` hands it out as ``instrumental`` (details
``instrumentalUrl``), since a two-way separation cannot honestly tell drums from guitar in it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tunesmith.analysis.base import load_analyser
from tunesmith.dsp.mix import sum_stems
from tunesmith.dsp.resample import resample
from tunesmith.dsp.types import Audio, as_stereo, fit_length
from tunesmith.engines.jobs import JobOutput
from tunesmith.media.audio_io import read_audio
from tunesmith.media.mp3 import MP3_SAMPLE_RATE, encode_mp3

VOCAL_FAMILIES = ("vocals", "backing_vocals")
SOURCE = "source"  # the user's audio inside a track: separated on demand


def _load(inputs: dict[str, str]) -> dict[str, Audio]:
    """Every input stem as stereo float32 at the MP3 rate, zero-padded to one common length."""
    stems = {}
    for family, path in inputs.items():
        audio, rate = read_audio(Path(path))
        stems[family] = as_stereo(resample(audio, rate, MP3_SAMPLE_RATE))
    samples = max((a.shape[1] for a in stems.values()), default=0)
    return {f: fit_length(a, samples) for f, a in stems.items()}


def _split_source(stems: dict[str, Audio], separator: str) -> dict[str, Audio]:
    """``stems`` with the ``source`` stem (if any) separated: its voice joins ``vocals``, the rest is
    ``instrumental``. The two halves sum to the source, so the parts still sum to the master."""
    if SOURCE not in stems:
        return stems
    rest = dict(stems)
    source = rest.pop(SOURCE)
    split = load_analyser("separator", separator or None).separate(source, MP3_SAMPLE_RATE)
    vocals = fit_length(split.vocals, source.shape[1])
    rest["vocals"] = rest["vocals"] + vocals if "vocals" in rest else vocals
    rest["instrumental"] = fit_length(split.accompaniment, source.shape[1])
    return rest


def _parts(kind: str, stems: dict[str, Audio], names: list[str]) -> dict[str, Audio]:
    """The stems to write, by output name."""
    if kind == "split_stem":
        return {name: stems[name] for name in names}
    samples = max((a.shape[1] for a in stems.values()), default=0)
    vocal = [a for f, a in stems.items() if f in VOCAL_FAMILIES]
    rest = [a for f, a in stems.items() if f not in VOCAL_FAMILIES]
    parts = {"vocal": sum_stems(vocal, samples), "instrumental": sum_stems(rest, samples)}
    return {name: parts[name] for name in names}


def separate(payload: dict[str, Any], workdir: Path) -> JobOutput:
    """``payload``: ``type`` (``separate_vocal``|``split_stem``), ``inputs`` (family → stem FLAC),
    ``stem_ids`` (output name → id, in output order)."""
    ids: dict[str, str] = payload["stem_ids"]
    separator = payload.get("context", {}).get("analysis", {}).get("separator", "")
    parts = _parts(payload["type"], _split_source(_load(payload["inputs"]), separator), list(ids))
    files, stems = {}, []
    for name, audio in parts.items():
        path = workdir / f"{name}.mp3"
        path.write_bytes(encode_mp3(audio, MP3_SAMPLE_RATE))
        files[name] = path
        stems.append({"name": name, "id": ids[name], "duration": round(audio.shape[1] / MP3_SAMPLE_RATE, 2)})
    return JobOutput(files=files, data={"stems": stems})
