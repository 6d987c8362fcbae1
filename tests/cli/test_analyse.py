"""``tunesmith analyse``: the readable report, the JSON file and the stems, run as users run it."""

from __future__ import annotations

import json
from pathlib import Path

import mido
import numpy as np
import pytest
from tests.analysis.helpers import drifting_analysis
from typer.testing import CliRunner

from tunesmith.analysis.pipeline import AnalysisPipeline, AnalysisResult
from tunesmith.analysis.types import SongAnalysis, Stems
from tunesmith.cli import app
from tunesmith.cli_analyse import report
from tunesmith.media.audio_io import write_wav


def test_report_shows_tempo_key_chords_sections_and_timed_lyrics() -> None:
    text = report(drifting_analysis())
    assert "116.0 bpm, 4/4" in text and "G major" in text
    assert "0:00.30 G" in text and " Em " in text and "intro" in text and "verse" in text
    assert "lyrics (en, aligned)" in text and "hello there" in text
    assert "-14.2 LUFS" in text


def test_the_command_writes_json_and_stems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_analyse(self: AnalysisPipeline, audio: np.ndarray, rate: int, **_: object) -> AnalysisResult:
        return AnalysisResult(drifting_analysis(), Stems(audio * 0.5, audio * 0.5, rate, "test"))

    monkeypatch.setattr(AnalysisPipeline, "analyse", fake_analyse)
    song = write_wav(tmp_path / "song.wav", np.zeros((1, 44100), np.float32) + 0.1, 44100)
    out = tmp_path / "a.json"
    result = CliRunner().invoke(app, ["analyse", str(song), "--json", str(out), "--stems", str(tmp_path / "st"),
                                      "--midi", str(tmp_path / "song.mid")])
    assert result.exit_code == 0, result.output
    assert "G major" in result.output
    assert SongAnalysis.from_json(json.loads(out.read_text())) == drifting_analysis()
    assert (tmp_path / "st" / "vocals.flac").is_file() and (tmp_path / "st" / "accompaniment.flac").is_file()
    midi = mido.MidiFile(str(tmp_path / "song.mid"))
    pitches = [m.note for track in midi.tracks for m in track if m.type == "note_on"]
    assert pitches[:3] == [67, 69, 71] and 55 in pitches  # the melody, then the chords


def test_a_file_that_is_not_audio_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a song")
    result = CliRunner().invoke(app, ["analyse", str(bogus)])
    assert result.exit_code == 2 and "error:" in result.output
