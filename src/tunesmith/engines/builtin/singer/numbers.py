"""Numbers spelled out the way they are sung: English words and Chinese numerals."""

from __future__ import annotations

import re

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_ORDINALS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
_ZH_DIGITS = "零一二三四五六七八九"
_NUMBER = re.compile(r"(\d+)(?:\.(\d+))?(st|nd|rd|th)?(%)?", re.IGNORECASE)


def english_number(n: int) -> str:
    """Cardinal ``n`` (0 ≤ n < 10¹²) in words: 42 → ``forty-two``, 1999 → ``nineteen ninety-nine``."""
    if 1100 <= n <= 2099 and n % 100 and not 2000 <= n <= 2009:
        # years are sung in pairs of digits
        return f"{english_number(n // 100)} {english_number(n % 100)}"
    return _cardinal(n)


def _cardinal(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + (f"-{_ONES[n % 10]}" if n % 10 else "")
    if n < 1000:
        rest = n % 100
        return f"{_ONES[n // 100]} hundred" + (f" and {_cardinal(rest)}" if rest else "")
    for scale, name in _SCALES:
        if n >= scale:
            rest = n % scale
            return f"{_cardinal(n // scale)} {name}" + (f" {_cardinal(rest)}" if rest else "")
    raise ValueError(n)  # unreachable: n >= 1000 matches a scale


def english_ordinal(n: int) -> str:
    """Ordinal ``n`` in words: 1 → ``first``, 21 → ``twenty-first``, 40 → ``fortieth``."""
    words = _cardinal(n)
    head, sep, last = max(words.rpartition(" "), words.rpartition("-"), key=lambda p: len(p[0]))
    if last in _ORDINALS:
        last = _ORDINALS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + last


def chinese_number(n: int) -> str:
    """Cardinal ``n`` (0 ≤ n < 10¹²) in Chinese numerals: 2 → 二, 15 → 十五, 105 → 一百零五."""
    if n < 10**4:
        text = _chinese_below_10k(n)
        return text[1:] if text.startswith("一十") else text
    for scale, name in ((10**8, "亿"), (10**4, "万")):
        if n >= scale:
            high, rest = divmod(n, scale)
            tail = "" if rest == 0 else ("零" if rest < scale // 10 else "") + chinese_number(rest)
            return chinese_number(high) + name + tail
    raise ValueError(n)  # unreachable


def _chinese_below_10k(n: int) -> str:
    if n < 10:
        return _ZH_DIGITS[n]
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            out += ("零" if zero and out else "") + _ZH_DIGITS[digit] + unit
            zero = False
        else:
            zero = True
    return out


def spell_numbers(text: str, language: str) -> str:
    """Replace the numbers in ``text`` with words (``language`` ``"en"``) or numerals (``"zh"``)."""
    return _NUMBER.sub(lambda m: _spell(m, language), text)


def _spell(match: re.Match[str], language: str) -> str:
    whole, fraction, ordinal, percent = match.groups()
    if len(whole) > 12:
        digits = [int(d) for d in whole]
        return (
            "".join(_ZH_DIGITS[d] for d in digits) if language == "zh" else " ".join(_ONES[d] for d in digits)
        )
    if language == "zh":
        text = chinese_number(int(whole)) + (
            "点" + "".join(_ZH_DIGITS[int(d)] for d in fraction) if fraction else ""
        )
        return "百分之" + text if percent else text
    if ordinal and not fraction:
        text = english_ordinal(int(whole))
    else:
        text = english_number(int(whole)) + (
            " point " + " ".join(_ONES[int(d)] for d in fraction) if fraction else ""
        )
    return f" {text}{' percent' if percent else ''} "
