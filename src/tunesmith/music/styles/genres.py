"""The genre table. Adding a genre means adding one entry here; no code elsewhere changes.

Pattern strings are documented in :mod:`tunesmith.music.styles.model`; programs are General MIDI
(0-based). Progressions are Roman numerals against the parent major/minor scale.
"""

from __future__ import annotations

from tunesmith.music.score import StemFamily as F
from tunesmith.music.styles.model import Genre, Instrument, Progression, RhythmPatterns


def _prog(numerals: str, family: str, *sections: str) -> Progression:
    return Progression(tuple(numerals.split()), family, tuple(sections))


def _inst(role: str, family: F, program: int, name: str, gain_db: float = 0.0) -> Instrument:
    return Instrument(role, family, program, name, gain_db)


STANDARD_KIT = _inst("drums", F.DRUMS, 0, "standard kit")
JAZZ_KIT = _inst("drums", F.DRUMS, 32, "jazz kit")
ELECTRONIC_KIT = _inst("drums", F.DRUMS, 25, "electronic kit")
WARM_PAD = _inst("pad", F.SYNTH, 89, "warm pad", -8.0)
STRING_PAD = _inst("pad", F.STRINGS, 48, "string ensemble", -8.0)
SLOW_STRINGS = _inst("pad", F.STRINGS, 49, "slow strings", -7.0)

POP_LOOPS = (
    _prog("I V vi IV", "major"),
    _prog("vi IV I V", "major", "chorus", "verse"),
    _prog("I vi IV V", "major", "verse"),
    _prog("IV V iii vi", "major", "pre_chorus", "bridge"),
    _prog("i VI III VII", "minor"),
    _prog("i iv VI V", "minor", "verse", "bridge"),
    _prog("VI VII i i", "minor", "chorus", "pre_chorus"),
)

TRIPLE_DEFAULT = RhythmPatterns(
    kick="x...........",
    snare="....g...x...",
    hat="x.x.x.x.x.x.",
    bass="R---5---5---",
    comp="X---X---X---",
)
"""3/4 and 6/8 groove used by genres without their own 12-step patterns."""

GENRES: tuple[Genre, ...] = (
    Genre(
        name="pop",
        display="Pop",
        keywords_en=("pop", "mainstream", "catchy", "dance pop", "synthpop", "k-pop", "j-pop"),
        keywords_zh=("流行", "华语流行", "流行乐"),
        tempo=(96, 124),
        modes=("major", "major", "minor"),
        progressions=POP_LOOPS,
        patterns=(
            RhythmPatterns(
                kick="x.......x.x.....",
                snare="....x.......x...",
                hat="x.x.x.x.x.x.x.x.",
                bass="R--.R--.R--.5--.",
                comp="X---X---X---X-X-",
            ),
        ),
        instruments=(
            STANDARD_KIT,
            _inst("bass", F.BASS, 33, "fingered bass"),
            _inst("comp", F.KEYBOARD, 0, "grand piano"),
            _inst("comp", F.GUITAR, 25, "steel guitar"),
            WARM_PAD,
            STRING_PAD,
        ),
        tags=("pop", "catchy", "piano"),
    ),
    Genre(
        name="rock",
        display="Rock",
        keywords_en=("rock", "hard rock", "alt rock", "alternative", "punk", "grunge", "indie rock", "metal"),
        keywords_zh=("摇滚", "硬摇滚", "朋克", "金属"),
        tempo=(108, 150),
        modes=("minor", "major", "mixolydian"),
        progressions=(
            _prog("I bVII IV I", "major"),
            _prog("I V IV IV", "major", "chorus"),
            _prog("I IV V IV", "major", "verse"),
            _prog("i VI VII i", "minor"),
            _prog("i VII VI VII", "minor", "chorus"),
            _prog("i iv VII i", "minor", "verse", "bridge"),
        ),
        patterns=(
            RhythmPatterns(
                kick="x.....x.x.......",
                snare="....x.......x...",
                hat="x.x.x.x.x.x.x.x.",
                bass="R.R.R.R.R.R.R.R.",
                comp="X-X-X-X-X-X-X-X-",
            ),
        ),
        instruments=(
            STANDARD_KIT,
            _inst("bass", F.BASS, 34, "picked bass"),
            _inst("comp", F.GUITAR, 29, "overdriven guitar"),
            _inst("comp", F.KEYBOARD, 16, "drawbar organ"),
            SLOW_STRINGS,
            _inst("pad", F.SYNTH, 90, "polysynth pad", -9.0),
        ),
        tags=("rock", "electric guitar", "driving"),
        vocal_density=1.1,
    ),
    Genre(
        name="ballad",
        display="Piano Ballad",
        keywords_en=("ballad", "piano ballad", "power ballad", "slow", "love song", "emotional"),
        keywords_zh=("抒情", "情歌", "慢歌", "钢琴", "伤感情歌"),
        tempo=(64, 84),
        modes=("major", "major", "minor"),
        meters=((4, 4), (4, 4), (4, 4), (6, 8)),
        progressions=(
            _prog("I V vi iii IV I IV V", "major"),
            _prog("I iii vi IV", "major", "verse"),
            _prog("IV V iii vi", "major", "chorus", "pre_chorus"),
            _prog("vi IV I V", "major", "chorus"),
            _prog("i VI III VII", "minor"),
            _prog("i v VI III iv i iv V", "minor", "verse"),
        ),
        patterns=(
            RhythmPatterns(
                kick="x.........x.....",
                snare="....r.......r...",
                hat="x...x...x...x...",
                bass="R-------5-------",
                comp="1-2-3-4-1-2-3-4-",
            ),
            RhythmPatterns(
                kick="x...........",
                snare="......r.....",
                hat="x.g.g.x.g.g.",
                bass="R-----5-----",
                comp="1-2-3-4-3-2-",
            ),
        ),
        instruments=(
            STANDARD_KIT,
            _inst("bass", F.BASS, 32, "acoustic bass"),
            _inst("comp", F.KEYBOARD, 0, "grand piano", 1.0),
            _inst("comp", F.GUITAR, 24, "nylon guitar"),
            SLOW_STRINGS,
            WARM_PAD,
        ),
        tags=("piano ballad", "emotional", "slow"),
        vocal_density=0.8,
        instrumental_form=("intro", "verse", "chorus", "bridge", "chorus", "outro"),
    ),
    Genre(
        name="electronic",
        display="Electronic",
        keywords_en=(
            "edm",
            "electronic",
            "electro",
            "house",
            "techno",
            "trance",
            "dance",
            "club",
            "synthwave",
        ),
        keywords_zh=("电子", "电音", "舞曲", "浩室"),
        tempo=(118, 132),
        modes=("minor", "minor", "major"),
        progressions=(
            _prog("i VI III VII", "minor"),
            _prog("i i VI VII", "minor", "verse"),
            _prog("VI VII i i", "minor", "chorus"),
            _prog("vi IV I V", "major"),
            _prog("IV V vi vi", "major", "chorus"),
        ),
        patterns=(
            RhythmPatterns(
                kick="x...x...x...x...",
                snare="....c.......c...",
                hat="..o...o...o...o.",
                bass="..R-..R-..R-..R-",
                comp="..X-..X-..X-..X-",
            ),
        ),
        instruments=(
            ELECTRONIC_KIT,
            _inst("bass", F.BASS, 38, "synth bass"),
            _inst("comp", F.KEYBOARD, 5, "electric piano 2"),
            _inst("pad", F.SYNTH, 90, "polysynth pad", -6.0),
            STRING_PAD,
        ),
        tags=("edm", "electronic", "four on the floor"),
        instrumental_form=("intro", "verse", "pre_chorus", "chorus", "break", "chorus", "outro"),
    ),
    Genre(
        name="hiphop",
        display="Hip Hop",
        keywords_en=("hip hop", "hip-hop", "hiphop", "rap", "trap", "boom bap", "r&b", "rnb"),
        keywords_zh=("说唱", "嘻哈", "饶舌", "陷阱"),
        tempo=(84, 98),
        modes=("minor", "minor", "dorian"),
        progressions=(
            _prog("i i VI VII", "minor"),
            _prog("i iv i v", "minor", "verse"),
            _prog("VI VII i i", "minor", "chorus"),
            _prog("ii7 V7 Imaj7 vi7", "major"),
        ),
        patterns=(
            RhythmPatterns(
                kick="x......x..x.....",
                snare="....x.......x...",
                hat="x.x.x.x.x.x.x.xx",
                bass="R-----.R--R-----",
                comp="X-------..X-----",
            ),
        ),
        instruments=(
            ELECTRONIC_KIT,
            _inst("bass", F.BASS, 38, "synth bass", 1.0),
            _inst("comp", F.KEYBOARD, 4, "electric piano"),
            _inst("pad", F.SYNTH, 89, "warm pad", -9.0),
            STRING_PAD,
        ),
        tags=("hip hop", "rap", "boom bap"),
        vocal_density=1.8,
        melody_span=7,
        swing=0.12,
    ),
    Genre(
        name="jazz",
        display="Jazz",
        keywords_en=("jazz", "swing", "bossa", "bossa nova", "bebop", "smooth jazz", "lounge", "blues"),
        keywords_zh=("爵士", "摇摆", "布鲁斯", "蓝调"),
        tempo=(92, 140),
        modes=("major", "major", "minor"),
        meters=((4, 4), (4, 4), (4, 4), (3, 4)),
        progressions=(
            _prog("ii7 V7 Imaj7 vi7", "major"),
            _prog("Imaj7 vi7 ii7 V7", "major", "verse"),
            _prog("iii7 vi7 ii7 V7", "major", "chorus", "bridge"),
            _prog("iiø7 V7 i7 i7", "minor"),
            _prog("i7 iv7 VII7 IIImaj7", "minor", "verse", "chorus"),
        ),
        patterns=(
            RhythmPatterns(
                kick="g...g...g...g...",
                snare="......g.......g.",
                hat="r...r.r.r...r.r.",
                bass="R---3---5---A---",
                comp="X-----X.........",
            ),
            RhythmPatterns(
                kick="g...........",
                snare="........g...",
                hat="r...r.r.r...",
                bass="R---5---A---",
                comp="....X---X---",
            ),
        ),
        instruments=(
            JAZZ_KIT,
            _inst("bass", F.BASS, 32, "upright bass"),
            _inst("comp", F.KEYBOARD, 0, "grand piano"),
            _inst("comp", F.GUITAR, 26, "jazz guitar"),
            SLOW_STRINGS,
            WARM_PAD,
        ),
        tags=("jazz", "swing", "upright bass"),
        swing=0.3,
        instrumental_form=("intro", "verse", "verse", "bridge", "verse", "outro"),
    ),
    Genre(
        name="folk",
        display="Folk",
        keywords_en=(
            "folk",
            "acoustic",
            "country",
            "americana",
            "singer-songwriter",
            "bluegrass",
            "campfire",
        ),
        keywords_zh=("民谣", "乡村", "木吉他", "原声"),
        tempo=(84, 116),
        modes=("major", "major", "mixolydian", "minor"),
        meters=((4, 4), (4, 4), (4, 4), (3, 4)),
        progressions=(
            _prog("I IV I V", "major"),
            _prog("I V vi IV", "major", "chorus"),
            _prog("vi IV I V", "major", "bridge"),
            _prog("I I IV I", "major", "verse"),
            _prog("i VII VI VII", "minor"),
            _prog("i iv i V", "minor", "verse"),
        ),
        patterns=(
            RhythmPatterns(
                kick="x.......x.......",
                snare="....x.......x...",
                hat="s.s.s.s.s.s.s.s.",
                bass="R-----5-R-----5-",
                comp="X-.XX.X-X-.XX.X-",
            ),
            RhythmPatterns(
                kick="x...........",
                snare="....g...g...",
                hat="s.s.s.s.s.s.",
                bass="R---5---5---",
                comp="1-X-X-2-X-X-",
            ),
        ),
        instruments=(
            STANDARD_KIT,
            _inst("bass", F.BASS, 32, "acoustic bass"),
            _inst("comp", F.GUITAR, 25, "steel guitar", 1.0),
            _inst("comp", F.KEYBOARD, 0, "grand piano"),
            STRING_PAD,
            WARM_PAD,
        ),
        tags=("folk", "acoustic guitar", "warm"),
        vocal_density=0.9,
    ),
    Genre(
        name="lofi",
        display="Lo-fi",
        keywords_en=("lo-fi", "lofi", "lo fi", "chillhop", "chill", "study beats", "bedroom pop"),
        keywords_zh=("低保真", "学习", "氛围", "轻音乐"),
        tempo=(70, 88),
        modes=("major", "dorian", "minor"),
        progressions=(
            _prog("ii7 V7 Imaj7 Imaj7", "major"),
            _prog("Imaj7 vi7 ii7 V7", "major"),
            _prog("IVmaj7 iii7 ii7 Imaj7", "major", "chorus"),
            _prog("i7 iv7 i7 v7", "minor"),
            _prog("i7 iv7 VIImaj7 IIImaj7", "minor", "chorus"),
        ),
        patterns=(
            RhythmPatterns(
                kick="x.....x...x.....",
                snare="....x.......x...",
                hat="x.x.x.x.x.x.x.x.",
                bass="R-----.5--R-----",
                comp="X-------..X-----",
            ),
        ),
        instruments=(
            STANDARD_KIT,
            _inst("bass", F.BASS, 33, "fingered bass", -1.0),
            _inst("comp", F.KEYBOARD, 4, "electric piano"),
            _inst("comp", F.GUITAR, 26, "jazz guitar"),
            WARM_PAD,
            SLOW_STRINGS,
        ),
        tags=("lo-fi", "chill", "mellow keys"),
        vocal_density=0.9,
        swing=0.2,
    ),
    Genre(
        name="guofeng",
        display="Guofeng",
        keywords_en=("guofeng", "chinese style", "chinese traditional", "oriental", "c-pop ancient", "wuxia"),
        keywords_zh=("国风", "古风", "中国风", "古典", "民族", "戏腔", "武侠"),
        tempo=(72, 96),
        modes=("major", "major", "minor"),
        pentatonic=True,
        progressions=(
            _prog("vi IV V I", "major"),
            _prog("I iii IV V", "major", "verse"),
            _prog("IV V iii vi", "major", "chorus"),
            _prog("ii V I vi", "major", "bridge"),
            _prog("i VI VII i", "minor"),
            _prog("i v VI VII", "minor", "chorus"),
        ),
        patterns=(
            RhythmPatterns(
                kick="x.......x.......",
                snare="....r.......r...",
                hat="x...x.x.x...x.x.",
                bass="R-------5---R---",
                comp="1-2-3-4-3-2-1-2-",
            ),
        ),
        instruments=(
            STANDARD_KIT,
            _inst("bass", F.BASS, 32, "acoustic bass"),
            _inst("comp", F.GUITAR, 107, "koto (guzheng)", 1.0),
            _inst("comp", F.KEYBOARD, 0, "grand piano"),
            STRING_PAD,
            _inst("pad", F.SYNTH, 91, "choir pad", -9.0),
        ),
        tags=("guofeng", "chinese traditional", "guzheng"),
        vocal_density=0.85,
        instrumental_form=("intro", "verse", "chorus", "bridge", "chorus", "outro"),
    ),
)

DEFAULT_GENRE = "pop"
GENRES_BY_NAME: dict[str, Genre] = {g.name: g for g in GENRES}
