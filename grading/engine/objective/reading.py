"""How the words of a response are read: true / false words, choice tokens."""

from __future__ import annotations

import re
import unicodedata

from ..normalize import normalize_compact, normalize_text

TRUE_WORDS: frozenset[str] = frozenset(
    {"true", "t", "yes", "y", "right", "correct", "对", "对的", "正确", "是", "是的", "真", "√", "✓", "✔", "☑"}
)
FALSE_WORDS: frozenset[str] = frozenset(
    {
        "false",
        "f",
        "no",
        "n",
        "wrong",
        "incorrect",
        "错",
        "错的",
        "错误",
        "否",
        "不对",
        "不正确",
        "不是",
        "假",
        "×",
        "✗",
        "✘",
        "☒",
    }
)
_CHOICE_SPLIT_RE = re.compile(r"[\s,;，；、]+")


def _fold_choice(token: str) -> str:
    return unicodedata.normalize("NFKC", token).strip().casefold()


def _truth_of(word: str) -> bool | None:
    for form in (word.strip(), normalize_text(word), normalize_compact(word)):
        if form in TRUE_WORDS:
            return True
        if form in FALSE_WORDS:
            return False
    return None


def _choice_truth(choice_key: str, text: str) -> bool | None:
    truth = _truth_of(choice_key)
    return truth if truth is not None else _truth_of(text)
