"""The language a question's feedback is written in: Chinese when its prompt holds a CJK character
(the engine's one detector, `grading.engine.normalize.has_cjk`), else English. Both importers ask
this."""

from __future__ import annotations

from grading.engine.normalize import has_cjk


def question_language(prompt: str) -> str:
    return "zh" if has_cjk(prompt) else "en"
