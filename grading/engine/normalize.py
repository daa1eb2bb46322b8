"""Normalising short answers written in Chinese, English or both, and reading numbers.

`normalize_text` policy, in order:

1. Format characters (zero-width spaces, BOM, soft hyphen) are deleted; Unicode NFKC turns
   full-width letters, digits and punctuation into their ASCII forms ("ＢＥＲＴ" → "BERT",
   "１２３" → "123", "（" → "("); the text is casefolded.
2. Punctuation (every Unicode "P*" character: ASCII punctuation and 。，、；：？！“”（）【】《》—…·)
   becomes a space. Apostrophes and single quotes are deleted instead, so "don't" → "dont" and
   "Bayes' rule" → "bayes rule".
3. Characters that carry meaning inside a token are kept:
   * symbols (Unicode "S*": "+", "=", "<", "^", "×", "√", …, but not "$", "|", "~", which are
     used as punctuation) are not punctuation and stay, so
     "C++" stays "c++" (and "cnn+lstm" stays "cnn+lstm"; `normalize_compact` makes
     "cnn + lstm" match it);
   * "#" right after a letter ("C#", "F#");
   * "." between two digits ("3.14");
   * "-" (and the minus sign U+2212) as the sign of a number: not after a letter or digit and
     followed by a digit ("-3", "x = -3").
   Every other hyphen is a separator: "L2-norm" → "l2 norm", equal to "L2 norm" (and, compact,
   to "L2norm"). Hyphenation is spelling, not meaning, in the answers this platform checks.
4. Whitespace runs become one space, the ends are trimmed, and a space between two CJK
   characters is removed ("图像 压缩" → "图像压缩").

`normalize_compact` is `normalize_text` without any space, so that word splits do not matter:
"Bidirectional Encoder Representations from Transformers",
"bidirectionalencoder representations fromtransformers" and
"BidirectionalEncoderRepresentationsFromTransformers" are equal.

`normalize_text` is idempotent; `normalize_compact` of a normalised text equals that of the original.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

CJK_CHARS = "\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_SPACE_RE = re.compile(f"(?<=[{CJK_CHARS}]) (?=[{CJK_CHARS}])")
_CJK_RE = re.compile(f"[{CJK_CHARS}]")

# After punctuation became spaces only ".", "-" and "#" are left to decide, by their neighbours.
_SEPARATOR_RE = re.compile(
    r"(?<!\d)\.|\.(?!\d)"  # a dot that is not a decimal point
    r"|(?<=\w)-|-(?!\d)"  # a hyphen that is not the sign of a number
    r"|(?<![^\W\d_])#|#(?=\w)"  # a "#" not closing a word such as "c#"
)

_DELETED = "'‘’‛`´′\u00ad\u200b\u200c\u200d\u2060\ufeff"
_KEPT = "-.#"
_SYMBOLS_AS_PUNCTUATION = "$|~"  # ASCII symbols used as punctuation: "$x$", "a | b", "1~5"


def _build_table() -> dict[int, str | None]:
    """Punctuation → space, apostrophes and invisible format characters → deleted (BMP only)."""
    table: dict[int, str | None] = {}
    for code in range(0x10000):
        char = chr(code)
        category = unicodedata.category(char)
        if char in _KEPT:
            continue
        if char in _DELETED or category == "Cf":
            table[code] = None
        elif category[0] == "P" or (category == "Cc" and not char.isspace()):
            table[code] = " "
    for char in _SYMBOLS_AS_PUNCTUATION:
        table[ord(char)] = " "
    table[ord("−")] = "-"  # minus sign
    return table


_TABLE = _build_table()


@lru_cache(maxsize=16384)
def normalize_text(s: str) -> str:
    """Normalise `s` for comparing short answers (see the module docstring for the rules).

    Cached: a class's answers repeat a lot, and keys are normalised once per variant.
    """
    text = s.translate(_TABLE).casefold()
    if not text.isascii():
        text = _fold_unicode(text)
    if "." in text or "-" in text or "#" in text:
        text = _SEPARATOR_RE.sub(" ", text)
    text = " ".join(text.split())
    if " " in text and not text.isascii():
        text = _CJK_SPACE_RE.sub("", text)
    return text


def _fold_unicode(text: str) -> str:
    """NFKC, punctuation table and casefold until stable.

    One round is not always enough: NFKC can produce punctuation ("⒈" → "1."), casefold can undo
    NFKC ("ΐ"), and deleting an apostrophe can bring a base letter next to its combining accent.
    """
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", text).translate(_TABLE).casefold()
        if folded == text:
            break
        text = folded
    return text


def normalize_compact(s: str) -> str:
    """`normalize_text` with every space removed, so that word boundaries do not matter."""
    compact = normalize_text(s).replace(" ", "")
    if not compact.isascii():
        # a lone accent ("¨" is NFKC " \u0308") now meets the letter before it
        compact = unicodedata.normalize("NFKC", compact)
    return compact


def has_cjk(s: str) -> bool:
    """Whether `s` holds a Chinese, Japanese or Korean character."""
    return _CJK_RE.search(s) is not None


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_SUPERSCRIPT_RUN_RE = re.compile("[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_NUMBER_CHARS = str.maketrans({"−": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " "})
_SIGN = r"[+-]?"
_UNSIGNED = (
    r"(?P<int>\d{1,3}(?:(?P<sep>[, ])\d{3})(?:(?P=sep)\d{3})*|\d+)?"  # integer part, maybe grouped
    r"(?:(?P<point>[.,])(?P<frac>\d+))?"  # decimal part: "." or a decimal comma
)
_NUMBER_RE = re.compile(
    rf"(?P<sign>{_SIGN})(?P<mantissa>{_UNSIGNED})"
    r"(?:(?:e|\s*[x×*·]\s*10\s*\^)\s*(?P<exp>[+-]?\d+))?"
    r"(?P<percent>\s*%)?"
)
_FRACTION_RE = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)")
_EMBEDDED_NUMBER_RE = re.compile(r"\d")


def _prepare_number(s: str) -> str:
    """NFKC, "−" as "-", group spaces as " ", lower case, a final full stop dropped.

    Superscript exponents ("10⁻³") become "10^-3" first, before NFKC would flatten them to "10-3".
    """
    text = s.strip().lower()
    if not text.isascii():
        if _SUPERSCRIPT_RUN_RE.search(text):
            text = _SUPERSCRIPT_RUN_RE.sub(lambda m: "^" + m.group().translate(_SUPERSCRIPTS), text)
        text = unicodedata.normalize("NFKC", text).translate(_NUMBER_CHARS).strip()
    if text[-1:] in ".。" and text[-2:-1].isdigit():
        text = text[:-1]  # a sentence's full stop: "1623."
    return text


def _digits(match: re.Match[str]) -> str | None:
    """The mantissa as plain digits ("1234.5") under the separator policy of `parse_number`."""
    integer, sep, point, frac = match["int"], match["sep"], match["point"], match["frac"]
    if not integer and not frac:
        return None
    if point == "," and (sep == "," or len(frac) == 3):
        return None  # "1,234,5" or "1234,567": neither a clear grouping nor a clear decimal comma
    digits = (integer or "0").replace(",", "").replace(" ", "")
    return f"{digits}.{frac}" if frac else digits


def parse_number(s: object) -> float | None:
    """Read a number as a student writes it, or None if `s` is not (only) a number.

    Policy:
    * ints and floats are taken as they are (bools are not numbers); NaN and infinities → None;
    * full-width digits and signs are read (NFKC); a leading "+", "-" or "−" (U+2212) is the sign;
    * thousands separators: "," or a space (also no-break/thin spaces) between groups of exactly
      three digits after a first group of one to three ("1,234,567.5", "1 234 567");
      a single "," followed by any other number of digits, with no ".", is a decimal comma
      ("3,14" → 3.14, "1 234,5" → 1234.5); a comma before three digits that is not a valid
      grouping ("1234,567") → None; "." is always the decimal point, so "1.234.567" → None;
      note that "1,234" is therefore 1234, not 1.234;
    * scientific notation: "1e3", "1.5E-3", "1.5×10^3", "1.5*10^-3", "1.5×10⁻³";
    * a percentage keeps the value as written: "12%" → 12.0 (the percent sign is ignored);
    * a simple fraction "3/4" → 0.75 (zero denominator → None);
    * one trailing full stop after the last digit is ignored ("1623." → 1623.0);
    * anything else → None: units ("12 cm"), words, "inf", "nan", the Chinese full stop "。" as a
      decimal point, Chinese numerals.
    """
    if isinstance(s, bool):
        return None
    if isinstance(s, int | float):
        value = float(s)
        return value if math.isfinite(value) else None
    if not isinstance(s, str):
        return None
    return _parse_number_text(s)


@lru_cache(maxsize=16384)
def _parse_number_text(s: str) -> float | None:
    text = _prepare_number(s)
    if not text:
        return None
    match = _NUMBER_RE.fullmatch(text)
    if match is None:
        return _parse_fraction(text)
    digits = _digits(match)
    if digits is None:
        return None
    exponent = f"e{match['exp']}" if match["exp"] is not None else ""
    value = float(f"{match['sign']}{digits}{exponent}")  # one rounding, so reprs read back exactly
    return value if math.isfinite(value) else None


def _parse_fraction(text: str) -> float | None:
    match = _FRACTION_RE.fullmatch(text)
    if match is None or float(match[2]) == 0:
        return None
    value = float(match[1]) / float(match[2])
    return value if math.isfinite(value) else None


def contains_digit(s: str) -> bool:
    """Whether `s` holds a digit at all: an unreadable number that mentions one deserves a look."""
    return _EMBEDDED_NUMBER_RE.search(unicodedata.normalize("NFKC", s)) is not None
