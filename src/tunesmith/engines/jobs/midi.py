"""MIDI export of a separated song: the composer's notes per instrument, and a ``.mid`` file.

Nothing is transcribed: the notes are read from the track's score, so they are exactly the notes that
were rendered. ``payload["families"]`` limits the export to the stems asked for (``None``: all).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tunesmith.engines.jobs import JobOutput
from tunesmith.media.midi import score_parts, write_midi
from tunesmith.music.score import StemFamily
from tunesmith.music.score_io import score_from_json

SECONDS_DECIMALS = 4


def export_midi(payload: dict[str, Any], workdir: Path) -> JobOutput:
    """``payload["inputs"]["score"]``: the score JSON; ``families``: stem families or None;
    ``file_name``: the ``.mid`` file's name. ``data["instruments"]`` holds the notes as
    ``[pitch, start_s, end_s, velocity 1–127]`` per part."""
    score = score_from_json(Path(payload["inputs"]["score"]).read_text(encoding="utf-8"))
    wanted = payload.get("families")
    parts = score_parts(score, None if wanted is None else {StemFamily(f) for f in wanted})
    path = write_midi(score, parts, workdir / payload.get("file_name", "song.mid"))
    instruments = [
        {"name": p.name, "family": p.family.value, "program": p.program, "is_drum": p.is_drum,
         "notes": [[n.pitch, round(score.seconds(n.start), SECONDS_DECIMALS),
                    round(score.seconds(n.end), SECONDS_DECIMALS), n.velocity] for n in p.notes]}
        for p in parts
    ]
    return JobOutput(files={"midi": path}, data={"instruments": instruments})
