"""Timestamped lyrics (§3.12, synchronous): word times, layout, waveform, track choice, instrumentals."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.api.test_vocal_removal import credits, finished

from tunesmith.api.schemas.timestamps import aligned_words
from tunesmith.engines.base import WordTiming
from tunesmith.music.score import Key, LyricLine, LyricWord, Score, Section, VocalLine

URL = "/api/v1/generate/get-timestamped-lyrics"
WORD_KEYS = {"word", "success", "startS", "endS", "palign"}


def test_timestamped_lyrics_of_a_sung_track(client: TestClient, auth: dict[str, str]) -> None:
    task_id, (first, second) = finished(client, auth)
    before = credits(client, auth)
    r = client.post(URL, headers=auth, json={"taskId": task_id}).json()
    assert r["code"] == 200 and set(r["data"]) == {"alignedWords", "waveformData", "hootCer", "isStreamed"}
    data = r["data"]
    assert data["alignedWords"] == [{"word": "[Verse]\nfake", "success": True, "startS": 0.5, "endS": 1.0,
                                     "palign": 0}]
    assert data["hootCer"] == 1.0 and data["isStreamed"] is False
    wave = data["waveformData"]
    assert len(wave) == 200 and max(wave) == 1.0 and min(wave) >= 0.0
    assert credits(client, auth) == before
    by_index = client.post(URL, headers=auth, json={"taskId": task_id, "musicIndex": 1}).json()["data"]
    by_id = client.post(URL, headers=auth, json={"taskId": task_id, "audioId": second, "musicIndex": 0}).json()
    assert by_id["data"] == by_index  # audioId wins over musicIndex
    assert client.post(URL, headers=auth, json={"taskId": task_id, "audioId": first}).json()["data"] == data


def test_instrumental_track_has_no_lyrics(client: TestClient, auth: dict[str, str]) -> None:
    task_id, _ = finished(client, auth, instrumental=True, prompt=None)
    data = client.post(URL, headers=auth, json={"taskId": task_id}).json()["data"]
    assert data["alignedWords"] == [] and data["hootCer"] == 0.0 and len(data["waveformData"]) == 200


def test_timestamped_lyrics_bad_requests(client: TestClient, auth: dict[str, str]) -> None:
    task_id, _ = finished(client, auth)
    assert client.post(URL, headers=auth, json={}).json()["code"] == 400
    assert client.post(URL, headers=auth, json={"taskId": task_id, "musicIndex": 2}).json()["code"] == 400
    assert client.post(URL, headers=auth, json={"taskId": task_id, "musicIndex": "0"}).json()["code"] == 400
    assert client.post(URL, headers=auth, json={"taskId": "nope"}).json()["code"] == 404
    assert client.post(URL, headers=auth, json={"taskId": task_id, "audioId": "nope"}).json()["code"] == 404


def _word(text: str) -> LyricWord:
    return LyricWord(text, (text,))


def test_words_carry_section_tags_line_breaks_and_spaces() -> None:
    lines = (LyricLine("sun is up", (_word("sun"), _word("is"), _word("up")), 0),
             LyricLine("go", (_word("go"),), 0), LyricLine("sing", (_word("sing"),), 1))
    score = Score(120.0, (4, 4), Key(0, "major"), (Section("verse", "Verse 1", 0, 1920),
                  Section("chorus", "Chorus", 1920, 3840)), (), (), VocalLine("en", "f-warm", lines, ()))
    words = [WordTiming("sun", 0.0, 0.3, 0), WordTiming("is", 0.3, 0.5, 0), WordTiming("up", 0.5, 0.9, 0),
             WordTiming("go", 1.0, 1.4, 1), WordTiming("sing", 2.0, 2.5, 2)]
    out = aligned_words(words, score)
    assert all(set(w) == WORD_KEYS for w in out)
    assert [w["word"] for w in out] == ["[Verse 1]\nsun ", "is ", "up", "\ngo", "\n[Chorus]\nsing"]
    assert "".join(w["word"] for w in out) == "[Verse 1]\nsun is up\ngo\n[Chorus]\nsing"
