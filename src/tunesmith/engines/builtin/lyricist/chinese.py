"""Chinese lyrics from an idea: theme words cut from the idea, template lines, pinyin-final rhymes (押韵)."""

from __future__ import annotations

import random
import re
from functools import cache

from pypinyin import Style, lazy_pinyin

from tunesmith.engines.builtin.lyricist.common import Draft, fill_lines, rhyme_groups, rhyming_ends, song_text

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

VERSE_TEMPLATES: tuple[str, ...] = (
    "{theme}的风吹过{end}", "我在{theme}里等待{end}", "想起那年的{end}", "你的笑容像{end}",
    "一路走向{end}", "把{theme}写进{end}", "轻轻唱着{end}", "夜色温柔像{end}",
    "{theme}藏在{end}", "看不见的{end}", "还记得{theme}和{end}", "心里住着{end}",
    "每一个{theme}都是{end}", "脚步追着{end}",
)  # fmt: skip
CHORUS_TEMPLATES: tuple[str, ...] = (
    "{theme}啊{theme}是{end}", "我们一起奔向{end}", "就这样拥抱{end}", "不怕走到{end}",
    "你是我的{end}", "一起飞过{end}", "大声唱出{end}", "让{theme}点亮{end}", "永远记得{end}",
)  # fmt: skip


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
        list(themes)
        + [a + b for a, b in zip(themes, themes[1:], strict=False)]
        + [f"{t}之歌" for t in themes[:1]]
    )
    return rng.choice(options)


def write_chinese(idea: str, seed: int) -> Draft:
    """A title and [主歌]/[副歌]/[主歌2]/[副歌] lyrics (4 lines each); each section rhymes on one final."""
    rng = random.Random(seed)
    themes = theme_words(idea)
    groups = rhyme_groups(END_WORDS, rhyme_key)
    verse = fill_lines(VERSE_TEMPLATES, rhyming_ends(groups, 4, rng), themes, rng)
    chorus = fill_lines(CHORUS_TEMPLATES, rhyming_ends(groups, 4, rng), themes, rng)
    verse2 = fill_lines(VERSE_TEMPLATES, rhyming_ends(groups, 4, rng), themes, rng)
    sections = [("主歌", verse), ("副歌", chorus), ("主歌2", verse2), ("副歌", chorus)]
    return Draft(title_for(themes, rng), song_text(sections), "zh")
