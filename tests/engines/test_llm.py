"""The OpenAI-compatible lyric writer against a real loopback HTTP server, and the built-in fallback when the
server fails, is slow, is refused by the egress guard or answers junk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.support.receiver import Reply, WebhookReceiver
from tunesmith.config import EgressSettings, LyricsSettings
from tunesmith.engines.jobs.lyrics import write_alternatives, write_lyrics_job
from tunesmith.engines.llm import LLMConfig, LLMError, LLMLyricist, check_song, parse_alternatives
from tunesmith.music.lyrics import detect_language

IDEA = "a song about a lighthouse keeper"
SONG_A = ("Title: Keeper of the Light\n[Verse]\nThe lamp turns slow above the foam\nThe keeper counts the ships back "
          "home\n[Chorus]\nShine on, shine on through the winter sea\nShine on for the ones still lost at sea\n")
SONG_B = ("Title: Winter Beacon\n[Verse]\nIce upon the iron stair\nSalt and silence in the air\n[Chorus]\n"
          "Burn, little beacon, burn all night\nGuide them home with your white light\n")
SONG_ZH = ("标题：灯塔\n[主歌]\n海风吹过灯塔的窗\n守夜的人望着远方\n[副歌]\n亮起来照亮回家的船\n"
           "亮起来照亮每一个港湾\n")


@pytest.fixture
def server() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        yield running


def completion(content: str) -> Reply:
    body = {"id": "x", "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}
    return Reply(200, headers={"Content-Type": "application/json"}, body=json.dumps(body).encode())


def config(server: WebhookReceiver, **changes: object) -> LLMConfig:
    fields: dict[str, object] = {"url": server.url("/v1"), "model": "tiny", "api_key": "sk-test", "timeout_s": 5.0}
    fields.update(changes)
    return LLMConfig(**fields)  # type: ignore[arg-type]


def test_two_songs_from_the_chat_endpoint(server: WebhookReceiver) -> None:
    server.enqueue(completion(f"Here you go!\n```\n{SONG_A}===\n{SONG_B}```"))
    answer = LLMLyricist(config(server, temperature=0.7)).write(IDEA, "en", 2)
    assert [d.title for d in answer.drafts] == ["Keeper of the Light", "Winter Beacon"]
    assert answer.drafts[0].lyrics.startswith("[Verse]\nThe lamp turns slow") and answer.rejected == []
    [request] = server.requests
    assert request.method == "POST" and request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test"
    sent = request.json()
    assert sent["model"] == "tiny" and sent["temperature"] == 0.7
    assert [m["role"] for m in sent["messages"]] == ["system", "user"] and IDEA in sent["messages"][1]["content"]


def test_no_key_sends_no_authorization(server: WebhookReceiver) -> None:
    server.enqueue(completion(SONG_A + "===\n" + SONG_B))
    LLMLyricist(config(server, api_key=None)).write(IDEA, "en", 2)
    assert "authorization" not in server.requests[0].headers


def test_llm_success_needs_no_fallback(server: WebhookReceiver) -> None:
    server.enqueue(completion(SONG_A + "===\n" + SONG_B))
    written = write_alternatives(IDEA, 1, config(server))
    assert written.writers == ["llm", "llm"] and written.fallback_reason is None


@pytest.mark.parametrize(("reply", "reason"), [
    (Reply(500, body=b"upstream exploded"), "HTTP 500"),
    (Reply(200, body=b"<html>not json</html>"), "not a chat completion"),
    (Reply(200, body=b'{"choices": []}'), "not a chat completion"),
    (completion("Sorry, I cannot help with that."), "no song in the requested format"),
    (completion("Title: Only words\nno tags here\njust lines\nmore lines\nand more"), "section tags"),
    (completion("Title: \n[Verse]\na\nb\n[Chorus]\nc\nd"), "no title"),
    (completion("Title: Short\n[Verse]\none line\n[Chorus]\ntwo"), "sung lines"),
    (completion("Title: Long\n[Verse]\n" + "la la la\n" * 400 + "[Chorus]\nla\nla\nla\nla"), "characters long"),
], ids=["http-500", "not-json", "no-choices", "refusal", "no-tags", "no-title", "too-short", "too-long"])
def test_failures_fall_back_to_the_builtin_writer(server: WebhookReceiver, reply: Reply, reason: str) -> None:
    server.enqueue(reply)
    written = write_alternatives(IDEA, 1, config(server))
    assert written.writers == ["builtin", "builtin"]
    assert written.fallback_reason is not None and reason in written.fallback_reason
    assert written.drafts[0].lyrics != written.drafts[1].lyrics
    assert all("[Verse]" in d.lyrics for d in written.drafts)


def test_one_usable_song_is_kept_and_the_other_filled_in(server: WebhookReceiver) -> None:
    server.enqueue(completion(SONG_A + "===\nTitle: Broken\nno tags at all"))
    written = write_alternatives(IDEA, 1, config(server))
    assert written.writers == ["llm", "builtin"] and written.drafts[0].title == "Keeper of the Light"
    assert written.fallback_reason is not None and "song 2 rejected" in written.fallback_reason


def test_a_repeated_song_is_not_served_twice(server: WebhookReceiver) -> None:
    server.enqueue(completion(SONG_A + "===\n" + SONG_A))
    written = write_alternatives(IDEA, 1, config(server))
    assert written.writers == ["llm", "builtin"] and "repeats" in (written.fallback_reason or "")


def test_chinese_prompt_needs_chinese_lyrics(server: WebhookReceiver) -> None:
    server.enqueue(completion(SONG_ZH + "===\n" + SONG_A))
    written = write_alternatives("写一首关于灯塔的歌", 3, config(server))
    assert written.writers == ["llm", "builtin"] and written.drafts[0].title == "灯塔"
    assert "language" in (written.fallback_reason or "")
    assert all(detect_language(d.lyrics) == "zh" for d in written.drafts)


def test_slow_server_times_out(server: WebhookReceiver) -> None:
    server.respond(200, delay_s=10)
    written = write_alternatives(IDEA, 1, config(server, timeout_s=0.5))
    assert written.writers == ["builtin", "builtin"] and "timed out after 0.5 s" in (written.fallback_reason or "")


def test_untrusted_private_host_is_refused_by_the_egress_guard(server: WebhookReceiver) -> None:
    with pytest.raises(LLMError, match="egress guard.*loopback"):
        LLMLyricist(config(server, trust_host=False)).write(IDEA, "en", 2)
    assert server.requests == []
    server.enqueue(completion(SONG_A + "===\n" + SONG_B))
    allowed = config(server, trust_host=False, allow_networks=("127.0.0.0/8",))
    assert len(LLMLyricist(allowed).write(IDEA, "en", 2).drafts) == 2


def test_unreachable_server_falls_back() -> None:
    unreachable = LLMConfig(url="http://127.0.0.1:1/v1", model="tiny", timeout_s=2.0)
    written = write_alternatives(IDEA, 1, unreachable)
    assert written.writers == ["builtin", "builtin"] and "LLM request failed" in (written.fallback_reason or "")


def test_oversized_answer_is_refused(server: WebhookReceiver) -> None:
    server.enqueue(Reply(200, body=b"x" * 1_100_000))
    with pytest.raises(LLMError, match="larger than"):
        LLMLyricist(config(server)).write(IDEA, "en", 2)


def test_parse_tolerates_markdown_and_labels() -> None:
    text = ("**Song 1 - Title:** \"Harbor\"\nLyrics:\n[Verse]\na\n---\n## Title: 《海港》\n【主歌】\n啊\n")
    assert parse_alternatives(text) == [("Harbor", "[Verse]\na"), ("海港", "【主歌】\n啊")]
    assert check_song("Harbor", "[Verse]\na\nb\n[Chorus]\nc\nd", "en") is None


def test_job_payload_round_trip_and_result(server: WebhookReceiver, tmp_path: Path) -> None:
    settings = LyricsSettings(llm_url=server.url("/v1"), llm_model="tiny", llm_trust_host=False)
    cfg = LLMConfig.from_settings(settings, EgressSettings(allow_networks=["127.0.0.0/8"]))
    assert cfg is not None and LLMConfig.from_payload(json.loads(json.dumps(cfg.to_payload()))) == cfg
    assert LLMConfig.from_settings(LyricsSettings(), EgressSettings()) is None
    server.enqueue(completion(SONG_A + "===\n" + SONG_B))
    out = write_lyrics_job({"prompt": IDEA, "seed": 5, "context": {"llm": cfg.to_payload()}}, tmp_path)
    assert out.files == {} and out.data["fallbackReason"] is None
    assert [s["writer"] for s in out.data["lyrics"]] == ["llm", "llm"]
    assert set(out.data["lyrics"][0]) == {"title", "text", "language", "writer"}
    assert list(tmp_path.iterdir()) == []


def test_settings_need_a_model_and_an_http_url() -> None:
    with pytest.raises(ValidationError, match="llm_model is required"):
        LyricsSettings(llm_url="http://127.0.0.1:11434/v1")
    with pytest.raises(ValidationError, match="http:// or https://"):
        LyricsSettings(llm_url="file:///etc/passwd", llm_model="m")


def test_a_malformed_url_falls_back() -> None:
    written = write_alternatives(IDEA, 1, LLMConfig(url="http://exa mple.com:99999/v1", model="m", timeout_s=2))
    assert written.writers == ["builtin", "builtin"] and written.fallback_reason
