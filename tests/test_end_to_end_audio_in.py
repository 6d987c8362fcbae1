"""add-instrumental and add-vocals on real audio, end to end with the built-in engine (issue 22).

The inputs are made by the engine itself, so their truth is known: a 35-second custom song is generated, its
lead ``vocals`` stem is uploaded as an a-cappella take, and the sum of its band stems as an instrumental. Each
endpoint's task must succeed with staged callbacks; the user's audio must come back unchanged up to a gain; the
new part must fit it (key and tempo for the band; readable words for the vocal); and the song tools (stems,
MIDI, WAV, MP4, timestamped lyrics, extend) must work on the results.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pretty_midi
import pytest
from fastapi.testclient import TestClient

from tests.api.audio_in_support import SEED_KEYS
from tests.api.helpers import local, wait_terminal
from tests.conftest import make_settings, new_key
from tests.support.receiver import WebhookReceiver
from tests.test_end_to_end import run_task
from tunesmith.api.app import create_app
from tunesmith.dsp.loudness import integrated_lufs, true_peak_dbtp
from tunesmith.media.audio_io import read_audio, write_flac
from tunesmith.music.score import Score
from tunesmith.music.score_io import score_from_json

pytestmark = pytest.mark.slow

SR = 44100
LYRICS = """[Verse]
Morning light is on the window
Coffee cooling by the door
I keep humming that old tune
That we used to dance before
[Chorus]
Hold me close and sing it louder
Let the radio play on"""
NEW_WORDS = """[Verse]
Walking down the river road
Carry all the things I know
[Chorus]
Sing it out and let it go
Sing it out and let it go"""
MIN_SNR_DB = 35.0
"""The user's audio in a result is the upload times the master's gain to within this."""


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A real server, a generated source song, and its vocal and band uploaded as the user's own files."""
    folder = tmp_path_factory.mktemp("audio_in")
    settings = make_settings(folder)
    settings.workers.isolation = "process"
    app = create_app(settings)
    with TestClient(app) as client:
        h = {"Authorization": f"Bearer {new_key(app.state.container.db, credits=1000)}"}
        song = run_task(client, h, {"customMode": True, "instrumental": False, "model": "V6", "duration": 35,
                                    "style": "pop, 96 bpm, D major", "title": "Window", "prompt": LYRICS, "seed": 5})
        stems_dir = settings.files_dir / "tracks" / song["response"]["sunoData"][0]["id"] / "stems"
        stems = {p.stem: read_audio(p)[0] for p in stems_dir.glob("*.flac")}
        vocal = stems["vocals"]
        band = np.sum([a for name, a in stems.items() if name not in ("vocals", "backing_vocals")], axis=0)
        files = {"vocal": write_flac(folder / "take.flac", vocal, SR),
                 "band": write_flac(folder / "beat.flac", band.astype(np.float32), SR)}
        urls = {name: _upload(client, h, path) for name, path in files.items()}
        yield {"client": client, "h": h, "files": settings.files_dir, "source": song, "vocal": vocal,
               "band": band, "urls": urls}


def _upload(client: TestClient, h: dict[str, str], path: Path) -> str:
    answer = client.post("/api/file-stream-upload", headers=h, data={"uploadPath": "audio/mine"},
                         files={"file": (path.name, path.read_bytes(), "audio/flac")}).json()
    assert answer["code"] == 200, answer
    url: str = answer["data"]["downloadUrl"]
    return url


def _submit(studio: dict[str, Any], path: str, body: dict[str, Any], rx: WebhookReceiver) -> dict[str, Any]:
    client, h = studio["client"], studio["h"]
    answer = client.post(path, headers=h, json={**body, "callBackUrl": rx.url("/cb")}).json()
    assert answer["code"] == 200, answer
    data: dict[str, Any] = wait_terminal(client, h, answer["data"]["taskId"], timeout=600)
    assert data["status"] == "SUCCESS", data
    callbacks = [r.json() for r in rx.wait_for(3, timeout=30)]
    assert [c["data"]["callbackType"] for c in callbacks] == ["text", "first", "complete"]
    for track in callbacks[-1]["data"]["data"]:
        assert set(track) == SEED_KEYS
    return data


@pytest.fixture(scope="module")
def band_task(studio: dict[str, Any]) -> dict[str, Any]:
    with WebhookReceiver() as rx:
        return _submit(studio, "/api/v1/generate/add-instrumental", {
            "uploadUrl": studio["urls"]["vocal"], "title": "Window, with a band", "tags": "rock, driving",
            "negativeTags": "strings", "model": "V4_5PLUS"}, rx)


@pytest.fixture(scope="module")
def vocal_task(studio: dict[str, Any]) -> dict[str, Any]:
    with WebhookReceiver() as rx:
        return _submit(studio, "/api/v1/generate/add-vocals", {
            "uploadUrl": studio["urls"]["band"], "title": "River Road", "style": "pop", "negativeTags": "",
            "prompt": NEW_WORDS, "vocalGender": "m", "model": "V5"}, rx)


def _heard(path: Path) -> str:
    """What Whisper (the analysis's model) hears sung in ``path``, lower case."""
    from tunesmith.analysis.features import mono
    from tunesmith.analysis.whisper import load_whisper

    audio, rate = read_audio(path)
    segments, _ = load_whisper().transcribe(mono(audio, rate, rate=16000), language="en", beam_size=5)
    return " ".join(s.text for s in segments).lower()


def _track_dir(studio: dict[str, Any], track: dict[str, Any]) -> Path:
    folder: Path = studio["files"] / "tracks" / track["id"]
    return folder


def _score(folder: Path) -> Score:
    return score_from_json((folder / "score.json").read_text(encoding="utf-8"))


def _stems(folder: Path) -> dict[str, np.ndarray]:
    return {p.stem: read_audio(p)[0] for p in sorted((folder / "stems").glob("*.flac"))}


def _gain_matched_snr_db(upload: np.ndarray, stem: np.ndarray, window_s: float = 0.005) -> float:
    """How exactly ``stem`` is the ``upload`` times a moving gain (the master's compressor and limiter move it by
    a few dB, within milliseconds): the two are lined up at the lag of best correlation, each 5 ms window of the
    upload gets its least-squares gain, and the result is the signal-to-residual ratio in dB."""
    a, b = upload.mean(axis=0).astype(np.float64), stem.mean(axis=0).astype(np.float64)
    n = 1 << int(np.ceil(np.log2(len(a) + len(b))))
    lag = int(np.argmax(np.fft.irfft(np.fft.rfft(b, n) * np.conj(np.fft.rfft(a, n)), n)[: len(b)]))
    part = b[lag : lag + len(a)]
    a = a[: len(part)]
    hop = int(window_s * SR)
    signal = residual = 0.0
    for start in range(0, len(a) - hop + 1, hop):
        x, y = a[start : start + hop], part[start : start + hop]
        energy = float(np.dot(x, x))
        if energy <= 0:
            continue
        gain = float(np.dot(x, y)) / energy
        signal += float(np.dot(y, y))
        residual += float(np.sum((y - gain * x) ** 2))
    return 10 * np.log10(signal / max(residual, 1e-30))


def _sums_to_master(folder: Path) -> None:
    master, rate = read_audio(folder / "master.flac")
    total = np.sum([s[:, : master.shape[1]] for s in _stems(folder).values()], axis=0, dtype=np.float64)
    residual = np.sqrt(np.mean((total - master) ** 2)) / np.sqrt(np.mean(master.astype(np.float64) ** 2))
    assert 20 * np.log10(residual) < -50
    assert integrated_lufs(master, rate) == pytest.approx(-14.0, abs=0.7)
    assert true_peak_dbtp(master, rate) <= -1.0


def test_a_band_in_the_vocal_key_and_tempo_around_the_untouched_vocal(studio, band_task) -> None:  # type: ignore[no-untyped-def]
    source = _score(_track_dir(studio, studio["source"]["response"]["sunoData"][0]))
    tracks = band_task["response"]["sunoData"]
    assert band_task["operationType"] == "add_instrumental" and len(tracks) == 2
    voicings = []
    for track in tracks:
        folder = _track_dir(studio, track)
        score = _score(folder)
        assert (score.key.tonic, score.key.mode) == (source.key.tonic, source.key.mode)
        beats = np.diff(score.beat_times)
        assert 60.0 / float(np.median(beats)) == pytest.approx(source.tempo_bpm, rel=0.03)
        assert score.sections[0].kind == "intro" and score.sections[-1].kind == "outro"
        assert not any(p.family.value == "strings" for p in score.parts)  # negativeTags
        stems = _stems(folder)
        assert _gain_matched_snr_db(studio["vocal"], stems["vocals"]) >= MIN_SNR_DB
        assert {"drums", "bass"} <= set(stems)
        _sums_to_master(folder)
        assert track["prompt"], "the words heard in the vocal are the track's lyrics"
        voicings.append([(c.root, c.quality) for c in score.chords])
    assert voicings[0] != voicings[1] or _score(_track_dir(studio, tracks[0])).parts != \
        _score(_track_dir(studio, tracks[1])).parts


def test_a_vocal_whisper_reads_back_over_the_untouched_instrumental(studio, vocal_task) -> None:  # type: ignore[no-untyped-def]
    tracks = vocal_task["response"]["sunoData"]
    assert vocal_task["operationType"] == "add_vocals" and len(tracks) == 2
    for track in tracks:
        folder = _track_dir(studio, track)
        stems = _stems(folder)
        assert _gain_matched_snr_db(studio["band"], stems["source"]) >= MIN_SNR_DB
        assert "vocals" in stems
        _sums_to_master(folder)
        score = _score(folder)
        assert score.vocal is not None and score.beat_times
    words = {"walking", "river", "road", "carry", "things", "know", "sing", "let", "go"}
    for track in tracks:
        heard = set(_heard(_track_dir(studio, track) / "master.flac").replace(",", " ").replace(".", " ").split())
        assert len(words & heard) >= 0.6 * len(words), heard


def test_the_song_tools_work_on_both_results(studio, band_task, vocal_task) -> None:  # type: ignore[no-untyped-def]
    client, h = studio["client"], studio["h"]
    for task in (band_task, vocal_task):
        track = task["response"]["sunoData"][0]
        split = _job(client, h, "vocal-removal", {"taskId": task["taskId"], "audioId": track["id"],
                                                  "type": "split_stem"}, lambda d: d["successFlag"] == "PENDING")
        assert split["successFlag"] == "SUCCESS", split
        midi = _job(client, h, "midi", {"taskId": split["taskId"]}, lambda d: d["successFlag"] == 0)
        assert midi["successFlag"] == 1 and midi["midiData"]["instruments"], midi
        pretty_midi.PrettyMIDI(io.BytesIO(client.get(local(midi["midiUrl"])).content))
        wav = _job(client, h, "wav", {"taskId": task["taskId"], "audioId": track["id"]},
                   lambda d: d["successFlag"] == "PENDING")
        assert client.get(local(wav["response"]["audioWavUrl"])).status_code == 200
        video = _job(client, h, "mp4", {"taskId": task["taskId"], "audioId": track["id"], "author": "me",
                                        "domainName": "music.example.com"}, lambda d: d["successFlag"] == "PENDING")
        assert client.get(local(video["response"]["videoUrl"])).status_code == 200
        words = client.post("/api/v1/generate/get-timestamped-lyrics", headers=h,
                            json={"taskId": task["taskId"], "musicIndex": 0}).json()
        assert words["code"] == 200 and words["data"]["alignedWords"], words
        extended = client.post("/api/v1/generate/extend", headers=h, json={
            "audioId": track["id"], "defaultParamFlag": False, "model": json.loads(task["param"]).get("model"),
            "callBackUrl": "https://example.com/cb"}).json()
        assert extended["code"] == 200, extended
        done = wait_terminal(client, h, extended["data"]["taskId"], timeout=600)
        assert done["status"] == "SUCCESS", done


def _job(client: TestClient, h: dict[str, str], family: str, body: dict[str, Any],
         pending: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """Submit a song-tool job and wait (up to 5 minutes) for its details to leave ``pending``."""
    answer = client.post(f"/api/v1/{family}/generate", headers=h,
                         json={**body, "callBackUrl": "https://example.com/cb"}).json()
    assert answer["code"] == 200, answer
    deadline = time.monotonic() + 300
    while True:
        data: dict[str, Any] = client.get(f"/api/v1/{family}/record-info", params={"taskId": answer["data"]["taskId"]},
                                          headers=h).json()["data"]
        if not pending(data) or time.monotonic() > deadline:
            return data
        time.sleep(0.2)
