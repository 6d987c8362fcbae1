"""Style vocabulary beyond genre names, in EN and ZH: moods, instrument and family words, vocal
descriptors, "instrumental" words and negation."""

from __future__ import annotations

from tunesmith.music.score import StemFamily as F
from tunesmith.music.styles.model import Instrument, Mood

MOODS: tuple[Mood, ...] = (
    Mood("sad", ("sad", "sorrow", "sorrowful", "heartbreak", "heartbroken", "tearful", "blue"),
         ("悲伤", "伤感", "难过", "哀伤", "心碎", "伤心"), "minor", 0.9, 0.9),
    Mood("happy", ("happy", "cheerful", "joyful", "sunny", "fun", "carefree", "upbeat"),
         ("欢快", "快乐", "开心", "阳光", "喜悦", "轻快"), "major", 1.08, 1.05),
    Mood("calm", ("calm", "relaxed", "peaceful", "soothing", "gentle", "serene", "soft"),
         ("平静", "安静", "宁静", "舒缓", "轻柔", "治愈"), None, 0.9, 0.85),
    Mood("energetic", ("energetic", "powerful", "driving", "fast", "hype", "high energy", "intense"),
         ("激昂", "动感", "热血", "快节奏", "燃", "劲爆"), None, 1.1, 1.1),
    Mood("romantic", ("romantic", "love", "tender", "sweet", "loving", "intimate"),
         ("浪漫", "爱情", "深情", "甜蜜", "温柔"), "major", 0.96, 0.95),
    Mood("dark", ("dark", "sinister", "ominous", "gloomy", "brooding", "menacing"),
         ("黑暗", "阴暗", "暗黑", "阴郁", "压抑"), "minor", 0.96, 1.0),
    Mood("epic", ("epic", "anthemic", "grand", "heroic", "majestic", "massive"),
         ("史诗", "宏大", "壮丽", "磅礴", "英雄"), None, 1.0, 1.1),
    Mood("dreamy", ("dreamy", "ethereal", "hazy", "floating", "celestial", "airy"),
         ("梦幻", "空灵", "飘渺", "朦胧", "迷离"), "major", 0.92, 0.9),
    Mood("nostalgic", ("nostalgic", "nostalgia", "retro feel", "wistful", "reminiscent", "memories"),
         ("怀旧", "回忆", "复古情怀", "思念", "怀念"), None, 0.95, 0.95),
    Mood("angry", ("angry", "aggressive", "furious", "rage", "rebellious", "fierce"),
         ("愤怒", "激进", "暴躁", "叛逆", "狂暴"), "minor", 1.1, 1.12),
    Mood("hopeful", ("hopeful", "uplifting", "inspiring", "optimistic", "inspirational", "bright"),
         ("希望", "励志", "积极", "向上", "鼓舞"), "major", 1.04, 1.05),
    Mood("mysterious", ("mysterious", "mystery", "enigmatic", "eerie", "haunting", "cryptic"),
         ("神秘", "诡异", "悬疑", "幽深"), "minor", 0.94, 0.9),
    Mood("playful", ("playful", "quirky", "whimsical", "cute", "silly", "bouncy"),
         ("俏皮", "可爱", "调皮", "活泼", "童趣"), "major", 1.06, 1.0),
    Mood("groovy", ("groovy", "funky vibe", "danceable", "bouncy groove", "in the pocket"),
         ("律动感", "摇摆感", "带感", "律动十足"), None, 1.0, 1.05),
    Mood("tense", ("tense", "suspense", "suspenseful", "anxious", "nervous", "urgent"),
         ("紧张", "焦虑", "急促", "不安"), "minor", 1.05, 1.05),
    Mood("triumphant", ("triumphant", "victorious", "celebratory", "glorious", "winning"),
         ("胜利", "凯旋", "辉煌", "庆祝"), "major", 1.04, 1.1),
    Mood("lonely", ("lonely", "alone", "solitary", "isolated", "lonesome", "empty"),
         ("孤独", "寂寞", "孤单", "落寞"), "minor", 0.9, 0.88),
    Mood("sensual", ("sensual", "sexy", "seductive", "smooth", "silky", "sultry"),
         ("性感", "暧昧", "撩人", "丝滑"), None, 0.95, 0.95),
    Mood("spiritual", ("spiritual", "sacred", "divine", "prayerful", "transcendent", "holy"),
         ("灵性", "神圣", "虔诚", "禅意", "空寂"), None, 0.92, 0.95),
    Mood("melancholic", ("melancholy", "melancholic", "bittersweet", "pensive", "rainy", "moody"),
         ("忧郁", "忧伤", "惆怅", "感伤", "落寞感"), "minor", 0.94, 0.92),
)  # fmt: skip
"""The 20 moods, with their EN/ZH words; the first word of each list is its display name."""

FAMILY_WORDS: dict[str, tuple[F, ...]] = {
    "drums": (F.DRUMS, F.PERCUSSION), "drum": (F.DRUMS, F.PERCUSSION), "drum kit": (F.DRUMS,),
    "percussion": (F.PERCUSSION,), "beat": (F.DRUMS,), "beats": (F.DRUMS,),
    "鼓": (F.DRUMS, F.PERCUSSION), "架子鼓": (F.DRUMS,), "鼓点": (F.DRUMS,), "打击乐": (F.PERCUSSION,),
    "bass": (F.BASS,), "bassline": (F.BASS,), "贝斯": (F.BASS,), "低音": (F.BASS,),
    "guitar": (F.GUITAR,), "guitars": (F.GUITAR,), "吉他": (F.GUITAR,),
    "piano": (F.KEYBOARD,), "keys": (F.KEYBOARD,), "keyboard": (F.KEYBOARD,), "keyboards": (F.KEYBOARD,),
    "钢琴": (F.KEYBOARD,), "键盘": (F.KEYBOARD,),
    "strings": (F.STRINGS,), "string section": (F.STRINGS,), "弦乐": (F.STRINGS,),
    "synth": (F.SYNTH,), "synths": (F.SYNTH,), "synthesizer": (F.SYNTH,), "pad": (F.SYNTH,),
    "pads": (F.SYNTH,), "合成器": (F.SYNTH,),
    "brass": (F.BRASS,), "horns": (F.BRASS,), "horn section": (F.BRASS,), "铜管": (F.BRASS,),
    "woodwinds": (F.WOODWINDS,), "woodwind": (F.WOODWINDS,), "木管": (F.WOODWINDS,),
    "vocals": (F.VOCALS, F.BACKING_VOCALS), "vocal": (F.VOCALS, F.BACKING_VOCALS), "singing": (F.VOCALS,),
    "voice": (F.VOCALS, F.BACKING_VOCALS), "人声": (F.VOCALS, F.BACKING_VOCALS), "演唱": (F.VOCALS,),
    "backing vocals": (F.BACKING_VOCALS,), "choir": (F.BACKING_VOCALS,), "harmonies": (F.BACKING_VOCALS,),
    "和声": (F.BACKING_VOCALS,), "合唱": (F.BACKING_VOCALS,),
    "fx": (F.FX,), "effects": (F.FX,), "sound effects": (F.FX,), "音效": (F.FX,),
}  # fmt: skip
"""Family words → the stem families they name (a negative tag removes all of them)."""


_INSTRUMENT_ROWS: tuple[tuple[tuple[str, ...], str, F, int, str, float], ...] = (
    (("piano", "钢琴"), "comp", F.KEYBOARD, 0, "grand piano", 0.0),
    (("electric piano", "rhodes", "电钢", "电钢琴"), "comp", F.KEYBOARD, 4, "electric piano", 0.0),
    (("organ", "hammond", "风琴", "管风琴"), "pad", F.KEYBOARD, 16, "drawbar organ", -8.0),
    (("acoustic guitar", "guitar", "木吉他", "吉他"), "comp", F.GUITAR, 25, "steel guitar", 0.0),
    (("electric guitar", "电吉他"), "comp", F.GUITAR, 29, "overdriven guitar", 0.0),
    (("banjo", "班卓琴"), "comp", F.GUITAR, 105, "banjo", 0.0),
    (("guzheng", "古筝"), "comp", F.GUITAR, 107, "guzheng (koto)", 0.0),
    (("pipa", "琵琶"), "comp", F.GUITAR, 106, "pipa (shamisen)", 0.0),
    (("violin", "小提琴"), "lead", F.STRINGS, 40, "violin", -3.0),
    (("cello", "大提琴"), "lead", F.STRINGS, 42, "cello", -3.0),
    (("fiddle",), "lead", F.STRINGS, 110, "fiddle", -3.0),
    (("erhu", "二胡"), "lead", F.STRINGS, 110, "erhu (fiddle)", -3.0),
    (("harp", "竖琴"), "lead", F.STRINGS, 46, "harp", -3.0),
    (("saxophone", "sax", "萨克斯"), "lead", F.WOODWINDS, 65, "alto sax", -3.0),
    (("flute", "长笛"), "lead", F.WOODWINDS, 73, "flute", -3.0),
    (("dizi", "笛子", "竹笛", "箫"), "lead", F.WOODWINDS, 77, "dizi (shakuhachi)", -3.0),
    (("clarinet", "单簧管"), "lead", F.WOODWINDS, 71, "clarinet", -3.0),
    (("harmonica", "口琴"), "lead", F.WOODWINDS, 22, "harmonica", -3.0),
    (("trumpet", "小号"), "lead", F.BRASS, 56, "trumpet", -3.0),
    (("trombone", "长号"), "lead", F.BRASS, 57, "trombone", -3.0),
    (("french horn", "圆号"), "lead", F.BRASS, 60, "french horn", -3.0),
    (("brass", "horns", "铜管"), "lead", F.BRASS, 61, "brass section", -3.0),
    (("synth lead", "lead synth"), "lead", F.SYNTH, 81, "saw lead", -5.0),
    (("arpeggiator", "arps"), "lead", F.SYNTH, 80, "square arp", -6.0),
    (("strings", "弦乐"), "pad", F.STRINGS, 48, "string ensemble", -7.0),
    (("808",), "bass", F.BASS, 38, "808 bass", 1.0),
    (("upright bass", "double bass", "低音提琴"), "bass", F.BASS, 32, "upright bass", 0.0),
    (("slap bass",), "bass", F.BASS, 36, "slap bass", 0.0),
    (("congas", "conga", "shaker", "tambourine", "percussion", "打击乐", "手鼓"), "perc", F.PERCUSSION, 0,
     "hand percussion", -3.0),
    (("risers", "riser", "sound effects", "音效"), "fx", F.FX, 119, "reverse cymbal riser", -6.0),
)  # fmt: skip
"""(words, role, family, GM program, instrument name, part gain dB) per nameable instrument."""

INSTRUMENT_WORDS: dict[str, Instrument] = {
    word: Instrument(role, family, program, name, gain_db)
    for words, role, family, program, name, gain_db in _INSTRUMENT_ROWS
    for word in words
}
"""Named instruments → the instrument that plays them (it takes over its role, so it sounds)."""

VOICE_WORDS: dict[str, str] = {
    "female vocals": "f", "female vocal": "f", "female singer": "f", "female voice": "f",
    "女声": "f", "女生": "f", "女歌手": "f", "女性": "f", "女嗓": "f",
    "male vocals": "m", "male vocal": "m", "male singer": "m", "male voice": "m",
    "男声": "m", "男生": "m", "男歌手": "m", "男性": "m", "男嗓": "m",
}  # fmt: skip
"""Vocal descriptors → voice gender (``"f"``/``"m"``)."""

INSTRUMENTAL_WORDS: tuple[str, ...] = (
    "instrumental", "no vocals", "no vocal", "no singing", "without vocals", "纯音乐", "伴奏", "无人声", "器乐曲",
)  # fmt: skip
"""Style words that ask for a song without voice."""

FAMILY_NAMES: dict[F, tuple[str, str]] = {
    F.VOCALS: ("vocals", "人声"), F.BACKING_VOCALS: ("backing vocals", "和声"), F.DRUMS: ("drums", "鼓组"),
    F.BASS: ("bass", "贝斯"), F.GUITAR: ("guitar", "吉他"), F.KEYBOARD: ("keys", "键盘"),
    F.PERCUSSION: ("percussion", "打击乐"), F.STRINGS: ("strings", "弦乐"), F.SYNTH: ("synths", "合成器"),
    F.FX: ("sound effects", "音效"), F.BRASS: ("brass", "铜管"), F.WOODWINDS: ("woodwinds", "木管"),
}  # fmt: skip
"""Stem family → (English, Chinese) display name."""

NEGATIONS_EN: tuple[str, ...] = ("no", "without", "minus", "sans", "zero", "not", "non", "exclude", "avoid")
NEGATIONS_ZH: tuple[str, ...] = ("不要", "没有", "去掉", "不含", "无", "没", "不带", "不用", "避免")
