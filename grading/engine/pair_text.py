"""The text a cross-encoder reads for one (reference, answer) pair: both clipped, one string.

Training (`grading/training/cross.py`) and grading embed exactly this string, so the model sees
at run time what it was trained on. Budgets are in estimated tokens (a CJK character is about one
token of e5's vocabulary, other text about 3.5 characters per token), so a Chinese and an English
pair cost about the same, and the answer always keeps its share of the model's window.
"""

from __future__ import annotations

from .free_text import tidy
from .lexical import has_cjk
from .rubric import clean_markdown

REFERENCE_TOKENS = 110
ANSWER_TOKENS = 130
SEPARATOR = " || "


def clip(text: str, budget: float) -> str:
    used = 0.0
    for i, ch in enumerate(text):
        used += 1.0 if has_cjk(ch) else 0.28
        if used > budget:
            return text[:i]
    return text


def pair_text(reference: str, answer: str) -> str:
    return clip(tidy(clean_markdown(reference)), REFERENCE_TOKENS) + SEPARATOR + clip(tidy(answer), ANSWER_TOKENS)
