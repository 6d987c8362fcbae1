"""An optional lyric writer backed by any OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, llama.cpp).

One ``POST {url}/chat/completions`` asks for several alternative songs in a fixed plain-text format (small
local models follow it more reliably than JSON); the answer is parsed and every song is checked (title,
section tags, sung lines, length, language). Anything that fails raises :class:`LLMError` or is reported as
rejected, and the caller falls back to the built-in lyricist.

Egress: the request goes through the SSRF guard (no redirects, no proxies, connection pinned to a checked
address). The URL is operator configuration, not user input, so with ``trust_host`` the configured host's
own addresses are allowlisted (a local model on loopback or the LAN works); nothing else internal is.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
from dataclasses import dataclass
from ipaddress import ip_address, ip_network
from typing import Any

import anyio
import httpx

from tunesmith.config import EgressSettings, LyricsSettings
from tunesmith.engines.builtin.lyricist import Draft
from tunesmith.errors import EngineError
from tunesmith.music.lyrics import detect_language, section_kind
from tunesmith.webhooks.guard import EgressPolicy, EgressRefusedError, IPNetwork, guarded_client, parse_networks

TITLE_MAX = 80
"""Longest accepted title, in characters (the hosted API's title limit)."""
LYRICS_MAX = 3000
"""Longest accepted lyrics, in characters: the custom-mode limit of every model, so any alternative can be
fed straight back into ``POST /api/v1/generate``."""
MIN_SUNG_LINES = 4
MIN_TAGS = 2
MAX_RESPONSE_BYTES = 1_048_576
"""A larger answer is refused rather than read into memory."""

LANGUAGE_NAMES = {"en": "English", "zh": "Simplified Chinese (简体中文)"}
SYSTEM_PROMPT = (
    "You are a professional songwriter. You write singable, rhyming song lyrics and answer with the songs only, "
    "in exactly the requested format, without any commentary."
)
_TITLE_RE = re.compile(
    r"^\s*(?:[#>*\-\d.\s]*)(?:song\s*\d+\s*[-:–—]?\s*)?(?:\*\*)?(?:title|标题|歌名)(?:\*\*)?\s*[:：]\s*(.*)$",
    re.IGNORECASE,
)
_LABEL_RE = re.compile(r"^\s*(?:\*\*)?(?:lyrics|歌词)(?:\*\*)?\s*[:：]\s*$", re.IGNORECASE)
_SEPARATOR_RE = re.compile(r"^\s*(?:={3,}|-{3,}|\*{3,}|_{3,})\s*$")
_FENCE_RE = re.compile(r"^\s*```")
_TAG_LINE_RE = re.compile(r"^\s*(?:\[([^\[\]]+)\]|【([^【】]+)】)\s*$")
_TITLE_TRIM = " \t\"'“”‘’《》*`#"


class LLMError(EngineError):
    """The LLM could not be used; ``message`` says why (recorded with the task, then the built-in writer runs)."""


@dataclass(frozen=True, slots=True)
class LLMConfig:
    """Where and how to ask; JSON-safe so it travels in a job payload to the worker process."""

    url: str
    model: str
    api_key: str | None = None
    timeout_s: float = 60.0
    temperature: float = 0.9
    trust_host: bool = True
    allow_networks: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, lyrics: LyricsSettings, egress: EgressSettings) -> LLMConfig | None:
        """The configured LLM, or ``None`` when no ``lyrics.llm_url`` is set."""
        if not lyrics.llm_url:
            return None
        return cls(url=lyrics.llm_url, model=lyrics.llm_model, api_key=lyrics.llm_api_key,
                   timeout_s=lyrics.timeout_s, temperature=lyrics.llm_temperature,
                   trust_host=lyrics.llm_trust_host, allow_networks=tuple(egress.allow_networks))

    def to_payload(self) -> dict[str, Any]:
        return {"url": self.url, "model": self.model, "api_key": self.api_key, "timeout_s": self.timeout_s,
                "temperature": self.temperature, "trust_host": self.trust_host,
                "allow_networks": list(self.allow_networks)}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> LLMConfig:
        return cls(url=str(data["url"]), model=str(data["model"]), api_key=data.get("api_key"),
                   timeout_s=float(data["timeout_s"]), temperature=float(data["temperature"]),
                   trust_host=bool(data["trust_host"]), allow_networks=tuple(data.get("allow_networks", ())))

    @property
    def endpoint(self) -> str:
        return self.url.rstrip("/") + "/chat/completions"


@dataclass(frozen=True, slots=True)
class LLMAnswer:
    """The usable songs of one answer, in order, and why the others were rejected."""

    drafts: list[Draft]
    rejected: list[str]


def build_messages(idea: str, language: str, count: int) -> list[dict[str, str]]:
    """The chat messages asking for ``count`` different songs about ``idea`` in ``language``."""
    user = (
        f"Write {count} different songs about: {idea.strip()}\n"
        f"Language of titles and lyrics: {LANGUAGE_NAMES.get(language, 'English')}.\n"
        "Each song has a short title and lyrics with section tags on their own lines, such as [Verse], "
        "[Chorus], [Verse 2], [Chorus], and optionally [Pre-Chorus], [Bridge] and [Outro]. "
        "Lines rhyme; no notes, chords or explanations.\n"
        "Use exactly this format, songs separated by a line ===\n"
        "Title: <title of song 1>\n[Verse]\n<lines>\n[Chorus]\n<lines>\n===\n"
        "Title: <title of song 2>\n[Verse]\n<lines>\n..."
    )
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def parse_alternatives(text: str) -> list[tuple[str, str]]:
    """``(title, lyrics)`` of every song in an answer: a song starts at a ``Title:`` line (``标题：``
    too); separators, ``Lyrics:`` labels and code fences are dropped. Text before the first title is ignored."""
    songs: list[tuple[str, list[str]]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        title = _TITLE_RE.match(line)
        if title is not None:
            songs.append((title.group(1).strip(_TITLE_TRIM), []))
        elif songs and not (_SEPARATOR_RE.match(line) or _LABEL_RE.match(line) or _FENCE_RE.match(line)):
            songs[-1][1].append(line.rstrip())
    return [(title, "\n".join(lines).strip()) for title, lines in songs]


def check_song(title: str, lyrics: str, language: str) -> str | None:
    """Why a parsed song is unusable, or ``None`` when it may be served."""
    if not title:
        return "it has no title"
    if len(title) > TITLE_MAX:
        return f"its title is {len(title)} characters long (limit {TITLE_MAX})"
    if not lyrics:
        return "it has no lyrics"
    if len(lyrics) > LYRICS_MAX:
        return f"its lyrics are {len(lyrics)} characters long (limit {LYRICS_MAX})"
    tags = [m.group(1) or m.group(2) for m in map(_TAG_LINE_RE.match, lyrics.split("\n")) if m is not None]
    if sum(section_kind(tag) is not None for tag in tags) < MIN_TAGS:
        return f"it has fewer than {MIN_TAGS} section tags such as [Verse] and [Chorus]"
    sung = [ln for ln in lyrics.split("\n") if ln.strip() and not _TAG_LINE_RE.match(ln)]
    if len(sung) < MIN_SUNG_LINES:
        return f"it has {len(sung)} sung lines (at least {MIN_SUNG_LINES} needed)"
    if detect_language(lyrics) != language:
        return f"it is not in the prompt's language ({LANGUAGE_NAMES.get(language, language)})"
    return None


def read_answer(songs: list[tuple[str, str]], language: str, count: int) -> LLMAnswer:
    """Keep the first ``count`` usable, distinct songs; say why each other one was dropped."""
    drafts: list[Draft] = []
    rejected: list[str] = []
    for number, (title, lyrics) in enumerate(songs, start=1):
        reason = check_song(title, lyrics, language)
        if reason is None and any(d.lyrics == lyrics for d in drafts):
            reason = "it repeats an earlier song"
        if reason is not None:
            rejected.append(f"song {number} rejected: {reason}")
        elif len(drafts) < count:
            drafts.append(Draft(title, lyrics, language))
    return LLMAnswer(drafts, rejected)


def content_of(body: bytes) -> str:
    """``choices[0].message.content`` of a chat-completion response body."""
    try:
        data = json.loads(body)
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LLMError(f"LLM answer is not a chat completion ({type(exc).__name__}: {exc})") from None
    if not isinstance(content, str) or not content.strip():
        raise LLMError("LLM answer has no message content")
    return content


class LLMLyricist:
    """Writes lyrics with the configured chat model; every failure is an :class:`LLMError`."""

    def __init__(self, config: LLMConfig) -> None:
        self.config = config

    def write(self, idea: str, language: str, count: int) -> LLMAnswer:
        """Up to ``count`` songs about ``idea``; raises when none is usable."""
        text = self.complete(build_messages(idea, language, count))
        songs = parse_alternatives(text)
        if not songs:
            raise LLMError("LLM answer contains no song in the requested format (no 'Title:' line)")
        answer = read_answer(songs, language, count)
        if not answer.drafts:
            raise LLMError("; ".join(answer.rejected))
        return answer

    def complete(self, messages: list[dict[str, str]]) -> str:
        """The assistant's reply to ``messages`` (blocking; runs its own event loop)."""
        return asyncio.run(self._complete(messages))

    async def _complete(self, messages: list[dict[str, str]]) -> str:
        cfg = self.config
        body = {"model": cfg.model, "messages": messages, "temperature": cfg.temperature, "stream": False}
        headers = {"Authorization": f"Bearer {cfg.api_key}"} if cfg.api_key else {}
        try:
            with anyio.fail_after(cfg.timeout_s):
                policy = await self._policy()
                async with guarded_client(policy, cfg.timeout_s, headers=headers) as client, \
                        client.stream("POST", cfg.endpoint, json=body) as response:
                    raw = await _read_capped(response)
        except (TimeoutError, httpx.TimeoutException):
            raise LLMError(f"LLM request timed out after {cfg.timeout_s:g} s") from None
        except EgressRefusedError as exc:
            raise LLMError(f"LLM endpoint refused by the egress guard: {exc.reason}") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise LLMError(f"LLM request failed: {type(exc).__name__}: {exc}") from None
        if response.status_code != 200:
            raise LLMError(f"LLM endpoint answered HTTP {response.status_code}: {raw[:200].decode(errors='replace')}")
        return content_of(raw)

    async def _policy(self) -> EgressPolicy:
        """The egress allowlist, plus the configured host's own addresses when it is trusted."""
        networks = parse_networks(self.config.allow_networks)
        if self.config.trust_host:
            networks += await _host_networks(httpx.URL(self.config.url))
        return EgressPolicy(allow_networks=networks)


async def _host_networks(url: httpx.URL) -> tuple[IPNetwork, ...]:
    """Single-address networks of every address ``url``'s host resolves to (none if it does not resolve:
    the request then fails with a clear connect error)."""
    host = url.host
    try:
        return (ip_network(ip_address(host)),)
    except ValueError:
        pass
    try:
        infos = await anyio.getaddrinfo(host, url.port or 443, type=socket.SOCK_STREAM)
    except OSError:
        return ()
    return tuple(ip_network(ip_address(str(info[4][0]).split("%", 1)[0])) for info in infos)


async def _read_capped(response: httpx.Response) -> bytes:
    raw = bytearray()
    async for chunk in response.aiter_bytes():
        raw += chunk
        if len(raw) > MAX_RESPONSE_BYTES:
            raise LLMError(f"LLM answer is larger than {MAX_RESPONSE_BYTES} bytes")
    return bytes(raw)
