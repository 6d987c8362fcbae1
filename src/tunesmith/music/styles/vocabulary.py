"""Style vocabulary beyond genre names: moods, instrument-family words and negation, in EN and ZH."""

from __future__ import annotations

from tunesmith.music.score import StemFamily as F
from tunesmith.music.styles.model import Mood

MOODS: tuple[Mood, ...] = (
    Mood(
        "sad",
        ("sad", "melancholy", "melancholic", "sorrow", "sorrowful", "lonely", "heartbreak", "blue", "dark"),
        ("悲伤", "伤感", "忧郁", "难过", "孤独", "哀伤", "忧伤", "心碎", "思念"),
        "minor",
        0.9,
    ),
    Mood(
        "happy",
        ("happy", "upbeat", "cheerful", "joyful", "bright", "sunny", "fun", "uplifting", "playful"),
        ("欢快", "快乐", "开心", "阳光", "喜悦", "轻快", "活泼", "甜蜜"),
        "major",
        1.08,
    ),
    Mood(
        "calm",
        ("calm", "relaxed", "mellow", "dreamy", "soft", "peaceful", "gentle", "soothing", "ambient"),
        ("平静", "安静", "轻柔", "梦幻", "治愈", "舒缓", "温柔", "宁静"),
        None,
        0.9,
    ),
    Mood(
        "energetic",
        ("energetic", "powerful", "intense", "aggressive", "fast", "driving", "epic", "anthemic", "hype"),
        ("激昂", "热血", "动感", "激情", "燃", "震撼", "快节奏"),
        None,
        1.1,
    ),
    Mood(
        "romantic",
        ("romantic", "love", "tender", "sweet", "warm"),
        ("浪漫", "爱情", "深情", "温暖"),
        "major",
        0.96,
    ),
)

FAMILY_WORDS: dict[str, tuple[F, ...]] = {
    "drums": (F.DRUMS, F.PERCUSSION), "drum": (F.DRUMS, F.PERCUSSION), "percussion": (F.PERCUSSION,),
    "beat": (F.DRUMS,), "beats": (F.DRUMS,), "鼓": (F.DRUMS, F.PERCUSSION), "打击乐": (F.PERCUSSION,),
    "bass": (F.BASS,), "bassline": (F.BASS,), "贝斯": (F.BASS,), "低音": (F.BASS,),
    "guitar": (F.GUITAR,), "guitars": (F.GUITAR,), "吉他": (F.GUITAR,),
    "piano": (F.KEYBOARD,), "keys": (F.KEYBOARD,), "keyboard": (F.KEYBOARD,), "keyboards": (F.KEYBOARD,),
    "organ": (F.KEYBOARD,), "钢琴": (F.KEYBOARD,), "键盘": (F.KEYBOARD,),
    "strings": (F.STRINGS,), "violin": (F.STRINGS,), "cello": (F.STRINGS,), "弦乐": (F.STRINGS,),
    "小提琴": (F.STRINGS,),
    "synth": (F.SYNTH,), "synths": (F.SYNTH,), "synthesizer": (F.SYNTH,), "pad": (F.SYNTH,),
    "合成器": (F.SYNTH,),
    "brass": (F.BRASS,), "horns": (F.BRASS,), "铜管": (F.BRASS,),
    "woodwinds": (F.WOODWINDS,), "flute": (F.WOODWINDS,), "笛子": (F.WOODWINDS,),
    "vocals": (F.VOCALS, F.BACKING_VOCALS), "vocal": (F.VOCALS, F.BACKING_VOCALS), "singing": (F.VOCALS,),
    "人声": (F.VOCALS, F.BACKING_VOCALS), "演唱": (F.VOCALS,),
    "backing vocals": (F.BACKING_VOCALS,), "choir": (F.BACKING_VOCALS,), "和声": (F.BACKING_VOCALS,),
    "fx": (F.FX,), "effects": (F.FX,), "音效": (F.FX,),
}  # fmt: skip
"""Instrument words → the stem families they name (a negative tag removes all of them)."""

NEGATIONS_EN: tuple[str, ...] = ("no", "without", "minus", "sans", "zero", "not", "non")
NEGATIONS_ZH: tuple[str, ...] = ("不要", "没有", "去掉", "不含", "无", "没", "不带", "不用")
