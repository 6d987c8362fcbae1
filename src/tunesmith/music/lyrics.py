"""Lyrics text → sections and lines.

Reads the tag dialect the hosted service accepts: ``[Verse]``, ``[Verse 1]``, ``[Pre-Chorus]``,
``[Chorus]``, ``[Bridge]``, ``[Intro]``, ``[Outro]``, ``[Instrumental]``, ``[Break]`` and their Chinese
forms (``【主歌】``, ``[副歌]``, ``[桥段]`` …). Text before any tag is a verse; parenthesised text is a
backing-vocal line; unknown tags (``[Fade Out]``, ``[Male Vocal]``) are dropped. Any string parses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SECTION_ALIASES: dict[str, str] = {
    "verse": "verse", "主歌": "verse", "主歌部分": "verse", "verse part": "verse",
    "pre-chorus": "pre_chorus", "pre chorus": "pre_chorus", "prechorus": "pre_chorus", "build": "pre_chorus",
    "build-up": "pre_chorus", "预副歌": "pre_chorus", "导歌": "pre_chorus", "预副": "pre_chorus",
    "chorus": "chorus", "hook": "chorus", "refrain": "chorus", "副歌": "chorus", "高潮": "chorus",
    "post-chorus": "post_chorus", "post chorus": "post_chorus",
    "bridge": "bridge", "桥段": "bridge", "过渡": "bridge", "桥": "bridge",
    "intro": "intro", "前奏": "intro", "引子": "intro",
    "outro": "outro", "ending": "outro", "end": "outro", "尾奏": "outro", "尾声": "outro", "结尾": "outro",
    "instrumental": "instrumental", "interlude": "instrumental", "solo": "instrumental",
    "guitar solo": "instrumental", "piano solo": "instrumental", "instrumental break": "instrumental",
    "间奏": "instrumental", "器乐": "instrumental", "独奏": "instrumental",
    "break": "break", "drop": "break", "breakdown": "break", "停顿": "break",
}  # fmt: skip
"""Normalised tag text → section kind."""

DEFAULT_KIND = "verse"
_TAG_RE = re.compile(r"\[([^\[\]]*)\]|【([^【】]*)】")
_HEADER_RE = re.compile(r"^\s*([A-Za-z\- ]+?|[\u4e00-\u9fff]+?)\s*[0-9一二三四五六七八九十]*\s*[:：]\s*$")
_NUMBER_RE = re.compile(r"[\s\d一二三四五六七八九十#.:：\-]+$")
_STRAY_RE = re.compile(r"[\[\]【】]")
_PAREN_RE = re.compile(r"[(（]([^()（）]*)[)）]")
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD_RE = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


@dataclass(frozen=True, slots=True)
class ParsedLine:
    """A lyric line as written; ``backing`` when it was in parentheses."""

    text: str
    backing: bool = False


@dataclass(frozen=True, slots=True)
class ParsedSection:
    """A tagged section: ``kind`` is normalised (``verse``, ``pre_chorus`` …), ``label`` is the tag text."""

    kind: str
    label: str
    lines: tuple[ParsedLine, ...]


@dataclass(frozen=True, slots=True)
class ParsedLyrics:
    sections: tuple[ParsedSection, ...]
    language: str  # "en" | "zh"

    @property
    def sung_lines(self) -> int:
        return sum(len(s.lines) for s in self.sections)


def detect_language(text: str) -> str:
    """``"zh"`` when Han characters outnumber Latin words (each Han character is a sung syllable)."""
    han = len(_HAN_RE.findall(text))
    latin = len(_LATIN_WORD_RE.findall(text))
    return "zh" if han > 0 and han >= latin else "en"


def section_kind(tag: str) -> str | None:
    """Tag text (``"Verse 2"``, ``"Pre-Chorus:"``, ``"主歌一"``) → section kind, or ``None`` if unknown."""
    name = _NUMBER_RE.sub("", tag.strip().lower()).strip(" :：")
    if name in SECTION_ALIASES:
        return SECTION_ALIASES[name]
    for alias in sorted(SECTION_ALIASES, key=len, reverse=True):
        if len(alias) > 2 and alias in name:
            return SECTION_ALIASES[alias]
    return None


def split_backing(text: str) -> list[ParsedLine]:
    """A raw line → its lead part and, after it, each parenthesised part as a backing line."""
    backing = [ParsedLine(m.strip(), True) for m in _PAREN_RE.findall(text) if m.strip()]
    lead = " ".join(_PAREN_RE.sub(" ", text).split()).strip("()（） ")
    return ([ParsedLine(lead)] if lead else []) + backing


class _SectionBuilder:
    """Accumulates lines under the current tag while scanning the text."""

    def __init__(self) -> None:
        self.sections: list[ParsedSection] = []
        self.kind: str | None = None
        self.label = ""
        self.lines: list[ParsedLine] = []

    def start(self, kind: str, label: str) -> None:
        self.flush()
        self.kind, self.label = kind, label

    def add(self, lines: list[ParsedLine]) -> None:
        if self.kind is None:
            self.kind, self.label = DEFAULT_KIND, "Verse"
        self.lines.extend(lines)

    def flush(self) -> None:
        if self.kind is not None:
            self.sections.append(ParsedSection(self.kind, self.label, tuple(self.lines)))
        self.kind, self.label, self.lines = None, "", []


def _scan_line(builder: _SectionBuilder, raw: str) -> None:
    header = _HEADER_RE.match(raw)
    if header and section_kind(header.group(1)):
        builder.start(section_kind(header.group(1)) or DEFAULT_KIND, raw.strip().rstrip(":："))
        return
    rest = raw
    for match in _TAG_RE.finditer(raw):
        tag = (match.group(1) or match.group(2) or "").strip()
        kind = section_kind(tag)
        if kind is not None:
            builder.start(kind, tag)
        rest = rest.replace(match.group(0), " ")
    lines = split_backing(_STRAY_RE.sub(" ", rest).strip())
    if lines:
        builder.add(lines)


def parse_lyrics(text: str) -> ParsedLyrics:
    """Parse lyrics with section tags; blank lines and unknown tags are ignored, bad input tolerated."""
    builder = _SectionBuilder()
    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw.strip():
            _scan_line(builder, raw)
    builder.flush()
    return ParsedLyrics(tuple(builder.sections), detect_language(text or ""))
