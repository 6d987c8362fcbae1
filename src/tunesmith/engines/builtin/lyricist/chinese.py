"""Chinese lyrics from an idea: theme words cut from the idea, template lines, pinyin-final rhymes (押韵)."""

from __future__ import annotations

import random
import re
from functools import cache

from pypinyin import Style, lazy_pinyin

from tunesmith.engines.builtin.lyricist.common import (
    STRUCTURES,
    Draft,
    SectionSpec,
    fit_lines,
    rhyme_groups,
    scheme_ends,
    song_text,
    write_sections,
)

STOP_PHRASES: tuple[str, ...] = (
    "帮我写", "给我写", "请写", "写一首", "我想要", "一首", "一个", "关于", "的歌曲", "的歌", "歌曲", "歌词",
    "的故事", "风格", "请", "写", "首", "歌",
)  # fmt: skip
"""Idea phrases that never become theme words (removed longest first)."""
SPLITTERS = r"[的和与在了是跟及、，,。.!！?？\s]+"
DEFAULT_THEMES = ("夏天", "星空")

RHYME_CLASS: dict[str, str] = {
    "a": "a", "ia": "a", "ua": "a", "o": "o", "uo": "o", "e": "o", "ie": "ie", "ve": "ie", "üe": "ie",
    "ai": "ai", "uai": "ai", "ei": "ei", "ui": "ei", "uei": "ei", "ao": "ao", "iao": "ao",
    "ou": "ou", "iu": "ou", "iou": "ou", "an": "an", "ian": "an", "uan": "an", "van": "an", "üan": "an",
    "en": "en", "in": "en", "un": "en", "vn": "en", "uen": "en", "ün": "en",
    "ang": "ang", "iang": "ang", "uang": "ang", "eng": "eng", "ing": "eng", "ong": "eng", "iong": "eng",
    "i": "i", "v": "i", "ü": "i", "er": "i", "u": "u",
}  # fmt: skip
"""Pinyin final → rhyme class (a simplified 十三辙)."""

END_WORDS: tuple[str, ...] = (
    "月光", "远方", "时光", "故乡", "海浪", "星光", "梦乡", "天堂", "翅膀", "方向", "阳光", "歌唱",
    "夜晚", "海岸", "港湾", "蓝天", "春天", "心间", "身边", "流年", "从前", "云端", "眼前", "永远",
    "回忆", "雨滴", "天地", "呼吸", "足迹", "秘密", "风里", "心底", "晨曦", "花季",
    "温柔", "尽头", "路口", "河流", "问候", "自由", "街头", "时候",
    "天空", "梦中", "微风", "彩虹", "霓虹", "笑容", "星空", "心动",
    "未来", "大海", "窗台", "舞台", "花开", "期待",
    "星河", "山河", "灯火", "烟火", "漂泊", "歌声", "旅程", "黎明", "风景", "心情",
)  # fmt: skip
"""Two-character line endings; grouped by the rhyme class of their last character at first use."""

TEMPLATES: dict[str, tuple[str, ...]] = {
    "verse": (
        "{theme}的风吹过{end}", "我在{theme}里等待{end}", "想起那年的{end}", "你的笑容像{end}",
        "一路走向{end}", "把{theme}写进{end}", "轻轻唱着{end}", "夜色温柔像{end}",
        "{theme}藏在{end}", "看不见的{end}", "还记得{theme}和{end}", "心里住着{end}",
        "每一个{theme}都是{end}", "脚步追着{end}", "窗外飘来{end}", "{theme}映着{end}",
        "独自走过{end}", "悄悄拾起{end}", "你我说起{end}", "慢慢靠近{end}",
    ),
    "pre": (
        "心跳慢慢靠近{end}", "{theme}在呼唤{end}", "就快要看见{end}", "别怕风雨和{end}",
        "让{theme}飞向{end}", "听见远方的{end}",
    ),
    "chorus": (
        "{theme}啊{theme}是{end}", "我们一起奔向{end}", "就这样拥抱{end}", "不怕走到{end}",
        "你是我的{end}", "一起飞过{end}", "大声唱出{end}", "让{theme}点亮{end}", "永远记得{end}",
        "带我去看{end}", "我们的{theme}是{end}", "追着光奔向{end}",
    ),
    "bridge": (
        "如果{theme}终将散去{end}", "就算世界只剩{end}", "我依然守着{end}", "那些{theme}化作{end}",
        "穿过黑夜寻找{end}", "一个人也要走向{end}",
    ),
}  # fmt: skip
"""Line templates per section pool; ``{end}`` is the rhyming two-character line end."""
SYLLABLE_TARGETS: dict[str, int] = {"verse": 6, "pre": 7, "chorus": 6, "bridge": 8}
"""Characters (= sung syllables) per line each pool aims at (the lengths its templates offer most)."""


@cache
def rhyme_key(word: str) -> str | None:
    """The rhyme class of the word's last character (pypinyin final), or ``None``."""
    finals = lazy_pinyin(word[-1:], style=Style.FINALS, strict=False)
    return RHYME_CLASS.get(finals[-1]) if finals else None


def theme_words(idea: str) -> list[str]:
    """Han-character theme words of the idea (runs cut into 2-character words); defaults if none."""
    text = idea
    for phrase in sorted(STOP_PHRASES, key=len, reverse=True):
        text = text.replace(phrase, " ")
    runs = ["".join(re.findall(r"[\u4e00-\u9fff]", r)) for r in re.split(SPLITTERS, text)]
    words = [run[i : i + 2] for run in runs for i in range(0, len(run) - 1, 2)]
    words += [run for run in runs if len(run) == 1 and run not in "一个我你他她它"]
    return list(dict.fromkeys(w for w in words if w)) or list(DEFAULT_THEMES)


def title_for(themes: list[str], rng: random.Random) -> str:
    """A title from the theme words: both joined, or one of them."""
    options = (
        list(themes) + [a + b for a, b in zip(themes, themes[1:], strict=False)] + [f"{t}之歌" for t in themes[:1]]
    )
    return rng.choice(options)


def line_syllables(line: str) -> int:
    """Sung syllables of a Chinese line: one per Han character."""
    return len(re.findall(r"[\u4e00-\u9fff]", line))


def write_chinese(idea: str, seed: int) -> Draft:
    """A title and [主歌]/[预副歌]/[副歌]/[桥段] lyrics in a seeded structure; each section in its rhyme
    scheme on pinyin finals (押韵), lines near the section's character count."""
    rng = random.Random(seed)
    themes = theme_words(idea)
    groups = rhyme_groups(END_WORDS, rhyme_key)

    def write(spec: SectionSpec) -> list[str]:
        ends = scheme_ends(spec.scheme, groups, rng)
        target = SYLLABLE_TARGETS[spec.pool]
        return fit_lines(TEMPLATES[spec.pool], ends, themes, target, line_syllables, rng)

    structure = rng.choice(STRUCTURES)
    return Draft(title_for(themes, rng), song_text(write_sections(structure, write, "zh")), "zh")
