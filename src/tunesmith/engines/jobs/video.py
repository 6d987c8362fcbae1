"""Music video: a track's master, cover art and titles rendered into an H.264/AAC MP4 (§3.20)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import soundfile

from tunesmith.engines.jobs import JobOutput
from tunesmith.errors import EngineError
from tunesmith.media.video import VideoError, VideoText, render_music_video


def make_video(payload: dict[str, Any], workdir: Path) -> JobOutput:
    """``payload["inputs"]``: ``audio`` (the master) and ``cover`` (the track's image); ``title``,
    ``author``, ``domain_name``: the words on screen; ``file_name``: the MP4's name."""
    audio, cover = Path(payload["inputs"]["audio"]), Path(payload["inputs"]["cover"])
    info = soundfile.info(str(audio))
    duration = info.frames / info.samplerate
    text = VideoText(payload.get("title", ""), payload.get("author", ""), payload.get("domain_name", ""))
    try:
        out = render_music_video(audio, cover, text, workdir / payload.get("file_name", "video.mp4"),
                                 duration_s=duration)
    except VideoError as exc:
        raise EngineError(f"MP4 generation failed: {exc}") from exc
    return JobOutput(files={"video": out}, data={"duration": round(duration, 2)})
