"""Style boost: a short style (``"sad jazz"``, ``"欢快的国风"``) → a rich description drawn from the
knowledge base, in the request's language. Deterministic: the same text always gives the same
description (the HTTP layer may cache it)."""

from __future__ import annotations

from tunesmith.music.lyrics import detect_language
from tunesmith.music.score import StemFamily
from tunesmith.music.styles.parse import ResolvedStyle, parse_style
from tunesmith.music.styles.vocabulary import FAMILY_NAMES, MOODS
from tunesmith.music.theory import PITCH_CLASS_SPELLING

DESCRIBED_ROLES = ("comp", "lead", "pad", "bass", "drums", "perc")
"""Roles whose instruments the description names, most characteristic first."""
MODE_NAMES: dict[str, tuple[str, str]] = {
    "major": ("major key", "大调"), "minor": ("minor key", "小调"), "dorian": ("dorian mode", "多利亚调式"),
    "mixolydian": ("mixolydian mode", "混合利底亚调式"), "lydian": ("lydian mode", "利底亚调式"),
    "phrygian": ("phrygian mode", "弗里几亚调式"), "harmonic_minor": ("harmonic minor", "和声小调"),
    "major_pentatonic": ("major pentatonic", "五声大调"), "minor_pentatonic": ("minor pentatonic", "五声小调"),
}  # fmt: skip
VOICES: dict[str | None, tuple[str, str]] = {
    "f": ("female lead vocals", "女声主唱"),
    "m": ("male lead vocals", "男声主唱"),
    None: ("", ""),
}


def _tempo(style: ResolvedStyle) -> int:
    low, high = style.tempo_range
    return round(style.tempo_bpm if style.tempo_bpm is not None else (low + high) / 2)


def _mode(style: ResolvedStyle, lang: int) -> str:
    mode = style.mode or style.modes[0]
    name = MODE_NAMES.get(mode, (mode, mode))[lang]
    if style.tonic is None:
        return name
    return f"{PITCH_CLASS_SPELLING[style.tonic]} {name}" if lang == 0 else f"{PITCH_CLASS_SPELLING[style.tonic]}{name}"


def _instruments(style: ResolvedStyle, lang: int) -> list[str]:
    """Instrument names (EN) or family names (ZH) of the style's first candidate per role."""
    names: list[str] = []
    for role in DESCRIBED_ROLES:
        found = style.instrument_for(role)
        if found is not None:
            names.append(found.name if lang == 0 else FAMILY_NAMES[found.family][1])
    return list(dict.fromkeys(names))


def _moods(style: ResolvedStyle, lang: int) -> list[str]:
    by_name = {m.name: m for m in MOODS}
    return [(by_name[n].words_en if lang == 0 else by_name[n].words_zh)[0] for n in style.moods]


def _excluded(style: ResolvedStyle, lang: int) -> list[str]:
    return [FAMILY_NAMES[f][lang] for f in StemFamily if f in style.excluded]


def _english(style: ResolvedStyle) -> str:
    genre = style.genre
    mood = ", ".join(_moods(style, 0))
    head = f"{mood} {genre.display}".strip() if mood else genre.display
    parts = [f"{head[0].upper()}{head[1:]}: {genre.feel_en}", f"around {_tempo(style)} BPM in a {_mode(style, 0)}"]
    if style.meter is not None and style.meter != (4, 4):
        parts.append(f"in {style.meter[0]}/{style.meter[1]} time")
    parts.append("featuring " + ", ".join(_instruments(style, 0)))
    if VOICES[style.voice][0] and not style.instrumental:
        parts.append(VOICES[style.voice][0])
    if style.instrumental:
        parts.append("instrumental, no vocals")
    if _excluded(style, 0):
        parts.append("no " + ", no ".join(_excluded(style, 0)))
    return ", ".join(parts) + "."


def _chinese(style: ResolvedStyle) -> str:
    genre = style.genre
    mood = "、".join(_moods(style, 1))
    parts = [f"{mood}的{genre.display_zh}" if mood else genre.display_zh, genre.feel_zh]
    parts.append(f"速度约每分钟{_tempo(style)}拍，{_mode(style, 1)}")
    if style.meter is not None and style.meter != (4, 4):
        parts.append(f"{style.meter[0]}/{style.meter[1]}拍")
    parts.append("配器以" + "、".join(_instruments(style, 1)) + "为主")
    if VOICES[style.voice][1] and not style.instrumental:
        parts.append(VOICES[style.voice][1])
    if style.instrumental:
        parts.append("纯音乐，无人声")
    if _excluded(style, 1):
        parts.append("不含" + "、".join(_excluded(style, 1)))
    return "，".join(parts) + "。"


def boost_style(content: str) -> str:
    """Expand a short style into a rich description in the language of ``content`` (EN or ZH).

    The description names the genre's feel, a typical tempo (BPM), the key/mode, the instruments per
    role, the mood words found, vocal descriptors and exclusions; parsing it back with
    :func:`parse_style` yields the same genre.
    """
    style = parse_style(content)
    return _chinese(style) if detect_language(content) == "zh" else _english(style)
