"""Contrast answers for the cross-encoder: correct answers made wrong by the team's own rules.

The public sets have few answers that keep the reference's words and say the opposite
(SemEval's `contradictory`: mostly "the bulb is not in a closed path"), and none where two terms
trade places ("BERT is the Generative Pre-training Transformer and GPT is Bidirectional ..."):
the bank's worst errors (docs/grading-model.md, "bank cases"). From a short correct answer one
rule makes a wrong one:

* swap: two terms of the reference that both occur in the answer trade places;
* antonym: one word is replaced by its opposite (larger/smaller, 增加/减少, größer/kleiner);
* negation: one verb is negated, or a negation dropped (is/is not, 是/不是, ist/ist nicht).

Each becomes a training pair scored 0 in its source's question group. Only `train_cross` calls
this, on the training part of a fold: no evaluation ever reads a contrast answer.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import replace

from grading.engine import lexical
from grading.engine.pair_text import clip

from .data import Example

MAX_TOKENS = 80  # only short answers: a swap in a long answer rarely makes all of it wrong
RULE_WEIGHTS = {"swap": 2, "antonym": 1, "negation": 1}

_PAIRS = """increase decrease|increases decreases|increased decreased|increasing decreasing|
larger smaller|large small|bigger smaller|higher lower|high low|more less|maximize minimize|
maximise minimise|maximum minimum|positive negative|same different|before after|input output|
inputs outputs|encoder decoder|local global|open closed|true false|correct incorrect|
faster slower|longer shorter|series parallel|always never|first last|inside outside|above below|
add remove|attract repel|strong weak|stronger weaker|easy hard|easier harder|known unknown|
größer kleiner|mehr weniger|hoch niedrig|höher niedriger|immer nie|richtig falsch|
schneller langsamer|gleich unterschiedlich|vorher nachher|erhöht verringert|
增加 减少|增大 减小|变大 变小|越大 越小|越近 越远|越高 越低|越多 越少|最大化 最小化|最大 最小|
正确 错误|相同 不同|输入 输出|编码器 解码器|局部 全局|上升 下降|提高 降低|更多 更少|之前 之后|
更大 更小|更高 更低|容易 困难|生成器 判别器|训练 测试|有限 无限|静态 动态"""
ANTONYMS: dict[str, str] = {}
for _pair in _PAIRS.replace("\n", "").split("|"):
    _a, _b = _pair.split()
    ANTONYMS[_a], ANTONYMS[_b] = _b, _a

# Negating a word: the word as written, then what replaces it.
NEGATE = {
    "is": "is not",
    "are": "are not",
    "was": "was not",
    "can": "cannot",
    "will": "will not",
    "should": "should not",
    "ist": "ist nicht",
    "sind": "sind nicht",
    "kann": "kann nicht",
    "wird": "wird nicht",
    "是": "不是",
    "有": "没有",
    "能": "不能",
    "会": "不会",
    "可以": "不可以",
    "需要": "不需要",
}
AFFIRM = {"cannot": "can", "不是": "是", "没有": "有", "不能": "能", "不会": "会", "不需要": "需要", "不可以": "可以"}
DROPPED = {"not", "nicht", "不"}  # negations removed with the space that follows them


_RUNS = re.compile(rf"([{lexical.CJK}]+|[^\W_{lexical.CJK}]+)")


def _pieces(text: str) -> list[str]:
    """Words, spaces and marks in order (Han runs as jieba cuts them): joined, the text itself."""
    out: list[str] = []
    for i, part in enumerate(_RUNS.split(text)):
        if part and i % 2 and lexical.has_cjk(part):
            out.extend(lexical._jieba().cut(part, HMM=False))
        elif part:
            out.append(part)
    return out


def _with_case(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _is_term(piece: str) -> bool:
    key = piece.lower()
    if key in lexical.STOP or not piece.strip():
        return False
    return len(piece) >= 2 if lexical.has_cjk(piece) else len(piece) >= 3 and piece[:1].isalpha()


LIST_GLUE = {"and", "or", "und", "oder", "和", "与", "及", "或", "以及", ",", "，", "、", "/", ";", "；", "-"}


def _listed_together(pieces: list[str], a: str, b: str) -> bool:
    """Two items of one list ("散堆、货架", "shop and fuel"): swapping them changes nothing."""
    lowered = [p.lower() for p in pieces]
    i, j = sorted((lowered.index(a), lowered.index(b)))
    return all(p.isspace() or p.strip() in LIST_GLUE for p in lowered[i + 1 : j])


def swap(pieces: list[str], reference: str, rng: random.Random) -> list[str] | None:
    shared = {p.lower() for p in _pieces(reference) if _is_term(p)}
    terms = list(dict.fromkeys(p.lower() for p in pieces if _is_term(p) and p.lower() in shared))
    pairs = [
        (a, b)
        for i, a in enumerate(terms)
        for b in terms[i + 1 :]
        if a not in b and b not in a and not _listed_together(pieces, a, b)
    ]
    if not pairs:
        return None
    a, b = rng.choice(pairs)
    spelled = {p.lower(): p for p in pieces if p.lower() in (a, b)}
    return [spelled[b] if p.lower() == a else spelled[a] if p.lower() == b else p for p in pieces]


_HAN_ANTONYMS = sorted((w for w in ANTONYMS if lexical.has_cjk(w)), key=len, reverse=True)


def antonym(pieces: list[str], reference: str, rng: random.Random) -> list[str] | None:
    """One word replaced by its opposite: a whole Latin word, or inside a Han word (jieba cuts
    "越小越好" as it likes), the longest match first ("最大化" before "最大")."""
    spots: list[tuple[int, str]] = []  # (piece, the word in it to replace)
    for i, p in enumerate(pieces):
        if p.lower() in ANTONYMS:
            spots.append((i, p))
        elif lexical.has_cjk(p) and (word := next((w for w in _HAN_ANTONYMS if w in p), None)):
            spots.append((i, word))
    if not spots:
        return None
    i, word = rng.choice(spots)
    new = (
        pieces[i].replace(word, ANTONYMS[word], 1)
        if lexical.has_cjk(word)
        else _with_case(ANTONYMS[word.lower()], word)
    )
    return [*pieces[:i], new, *pieces[i + 1 :]]


def negation(pieces: list[str], reference: str, rng: random.Random) -> list[str] | None:
    def after(i: int) -> str:
        return next((p.lower() for p in pieces[i + 1 :] if p.strip()), "")

    def before(i: int) -> str:
        return next((p for p in reversed(pieces[:i]) if p.strip()), "")

    edits: list[tuple[int, int, str]] = []  # (start, end, replacement)
    for i, p in enumerate(pieces):
        key = p.lower()
        if key in NEGATE and after(i) not in DROPPED and not before(i).endswith(("不", "没")):
            edits.append((i, i + 1, _with_case(NEGATE[key], p)))
        elif key in AFFIRM:
            edits.append((i, i + 1, _with_case(AFFIRM[key], p)))
        elif key in DROPPED and i + 1 < len(pieces):
            edits.append((i, i + 2 if pieces[i + 1].isspace() else i + 1, ""))
    if not edits:
        return None
    start, end, text = rng.choice(edits)
    return [*pieces[:start], text, *pieces[end:]]


RULES = {"swap": swap, "antonym": antonym, "negation": negation}


def contrast_of(example: Example, rng: random.Random) -> Example | None:
    """A wrong answer made from a correct one by one rule (tried in a random order), or None."""
    answer, reference = example.answer, example.reference or " ".join(example.points)
    if example.fraction < 0.99 or clip(answer, MAX_TOKENS) != answer:
        return None
    pieces = _pieces(answer)
    names = list(RULES)
    order = sorted(names, key=lambda n: rng.random() ** (1 / RULE_WEIGHTS[n]), reverse=True)
    for name in order:
        changed = RULES[name](pieces, reference, rng)
        if changed is not None and "".join(changed) != answer:
            text = re.sub(r"\s{2,}", " ", "".join(changed)).strip()
            return replace(example, answer=text, fraction=0.0, label=f"contrast:{name}", slots=[], contra=[])
    return None


def contrast_examples(examples: Sequence[Example], share: float, seed: int) -> list[Example]:
    """One contrast answer for about `share` of the short correct answers (the Chinese
    paraphrase pairs excluded: they are not answers to a question)."""
    rng = random.Random(seed)
    out = []
    for e in examples:
        if e.dataset != "sts-zh" and rng.random() < share:
            made = contrast_of(e, rng)
            if made is not None:
                out.append(made)
    return out
