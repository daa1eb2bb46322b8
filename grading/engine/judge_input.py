"""The text the trained judge reads: question, numbered key points, then the answer.

One model pass per answer judges every key point at once (a head per point slot reads the pooled
vector), which costs about what embedding the answer alone cost the previous grader; one pass per
key point would cost K times more (measured: 6-layer model, exam answers of ~50 tokens, 3-4
points). Training (`grading/training/`) and grading build the text with this same function.

The model reads at most 510 tokens. Parts are cut by characters first (cheap and deterministic),
then the answer is shortened until the whole fits, using the tokenizer's own count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

MAX_SLOTS = 8  # key points judged one by one; further points share the last slot's judgement
MAX_TOKENS = 510  # the engine's window without <s> and </s>
QUESTION_CHARS = 240
POINT_CHARS = 240
ANSWER_CHARS = 1600
ANSWER_MARK = "=>"


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[:limit]


def judge_text(
    question: str,
    points: Sequence[str],
    answer: str,
    count_tokens: Callable[[str], int] | None = None,
) -> str:
    """`count_tokens(text)` counts what the engine feeds for `text` (prefix and specials included)."""
    head = [_clip(question, QUESTION_CHARS)] if question and question.strip() else []
    slots = list(points[: MAX_SLOTS - 1]) + ([" ".join(points[MAX_SLOTS - 1 :])] if len(points) >= MAX_SLOTS else [])
    head += [f"[{i}] {_clip(p, POINT_CHARS)}" for i, p in enumerate(slots, start=1)]
    prefix = "\n".join(head)
    body = _clip(answer, ANSWER_CHARS)
    text = f"{prefix}\n{ANSWER_MARK} {body}"
    if count_tokens is None:
        return text
    while count_tokens(text) > MAX_TOKENS + 2 and body:
        body = body[: int(len(body) * 0.8)]
        text = f"{prefix}\n{ANSWER_MARK} {body}"
    return text


def slot_of(point_index: int) -> int:
    """The head slot that judges key point `point_index` (0-based)."""
    return min(point_index, MAX_SLOTS - 1)
