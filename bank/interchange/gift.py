"""GIFT (Moodle's plain-text question format): reading into `Item`s and writing them back.

One question per block (blocks are separated by blank lines; `//` lines are comments):
`::title::[markdown]prompt{answers}`. Supported answers: `{}` essay, `{T}`/`{FALSE}` true/false,
`{=right ~wrong}` multiple choice (several answers when no answer is `=`: `~%50%a ~%50%b
~%-100%c`), `{=a =b}` short answer, `{#3.14:0.01}` / `{#1..5}` numerical, `####text` general
feedback (the reference answer). `$CATEGORY: $course$/Chapter 8 SSL` sets the chapter.
Special characters are escaped with a backslash (`\\~ \\= \\# \\{ \\} \\: \\\\`); `\\n` is a new line.
Matching (`=a -> b`) and anything unreadable is a `Problem` naming its line.
"""

from __future__ import annotations

import re

from .text import has_wildcard, html_to_markdown, regex_to_wildcard, wildcard_to_regex
from .types import AcceptedItem, ChoiceItem, Item, Problem, ReadResult

_SPECIAL = "~=#{}:\\"
_FORMAT_RE = re.compile(r"\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_TRUE_FALSE = {"t": True, "true": True, "f": False, "false": False}
_WEIGHT_RE = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_NUMERIC_RE = re.compile(rf"\s*({_NUMBER})\s*(?::\s*({_NUMBER}))?\s*")
_RANGE_RE = re.compile(rf"\s*({_NUMBER})\s*\.\.\s*({_NUMBER})\s*")


class GiftSyntaxError(ValueError):
    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message, self.offset = message, offset


def escape(text: str) -> str:
    out = "".join("\\" + ch if ch in _SPECIAL else ch for ch in text)
    return out.replace("->", "\\->").replace("\r", "").replace("\n", "\\n")


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], text, flags=re.DOTALL)


def _find(text: str, needle: str, start: int = 0) -> int:
    """Index of the first unescaped `needle` at or after `start`, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(needle, i):
            return i
        i += 1
    return -1


def _split_answers(text: str) -> list[tuple[str, str]]:
    """(marker, body) for each answer starting at an unescaped `=` or `~`."""
    answers: list[tuple[str, str]] = []
    i, start, marker = 0, -1, ""
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch in "=~":
            if start >= 0:
                answers.append((marker, text[start:i]))
            marker, start = ch, i + 1
        elif start < 0 and not ch.isspace():
            raise GiftSyntaxError(f"answer text before any '=' or '~': {text[i : i + 20]!r}", i)
        i += 1
    if start >= 0:
        answers.append((marker, text[start:]))
    return answers


def _weight_and_text(body: str) -> tuple[float | None, str, str]:
    """(weight from `%50%` or None, text, feedback) of one answer body (still escaped)."""
    body = body.strip()
    weight = None
    if match := _WEIGHT_RE.match(body):
        weight = float(match[1]) / 100
        body = body[match.end() :]
    cut = _find(body, "#")
    text, feedback = (body[:cut], body[cut + 1 :]) if cut >= 0 else (body, "")
    return weight, text.strip(), feedback.strip()


class _BlockReader:
    def __init__(self, text: str, line: int, category: str) -> None:
        self.text, self.line = text, line
        self.item = Item(kind="free_text", name="", prompt="", category=category, line=line)
        self.fmt = "markdown"

    def line_at(self, offset: int) -> int:
        return self.line + self.text.count("\n", 0, max(0, offset))

    def markup(self, raw: str, what: str) -> str:
        text = unescape(raw).strip()
        if self.fmt != "html":
            return text
        markdown, dropped = html_to_markdown(text)
        if dropped:
            self.item.warnings.append(f"{', '.join(sorted(dropped))} in {what} not imported")
        return markdown

    def read(self) -> Item:
        text, pos = self.text, 0
        if text.startswith("::"):
            end = _find(text, "::", 2)
            if end < 0:
                raise GiftSyntaxError("title opened with '::' is never closed", 0)
            self.item.name = unescape(text[2:end]).strip()
            pos = end + 2
        rest = text[pos:].lstrip()
        pos = len(text) - len(rest)
        if match := _FORMAT_RE.match(rest):
            self.fmt = match[1].lower()
            pos += match.end()
        opening = _find(text, "{", pos)
        if opening < 0:
            raise GiftSyntaxError("no answer part '{...}' (a description is not a question)", pos)
        closing = _find(text, "}", opening + 1)
        if closing < 0:
            raise GiftSyntaxError("'{' is never closed by '}'", opening)
        nested = _find(text, "{", opening + 1)
        if 0 <= nested < closing:
            raise GiftSyntaxError("'{' inside an answer part (escape it as \\{)", nested)
        after = text[closing + 1 :]
        if _find(after, "{") >= 0 or _find(after, "}") >= 0:
            raise GiftSyntaxError("more than one answer part in a question", closing + 1 + max(_find(after, "{"), 0))
        before = text[pos:opening]
        prompt = f"{before.rstrip()} _____ {after.lstrip()}" if after.strip() else before
        self.item.prompt = self.markup(prompt, "the question text")
        if not self.item.prompt:
            raise GiftSyntaxError("the question text is empty", pos)
        self._answers(text[opening + 1 : closing], opening + 1)
        return self.item

    def _answers(self, raw: str, offset: int) -> None:
        item = self.item
        cut = _find(raw, "####")
        if cut >= 0:
            item.reference_answer = self.markup(raw[cut + 4 :], "the general feedback")
            raw = raw[:cut]
        body = raw.strip()
        if not body:
            item.kind = "free_text"
            return
        head, _, _ = body.partition("#")
        if head.strip().lower() in _TRUE_FALSE and _find(body, "=") < 0 and _find(body, "~") < 0:
            truth = _TRUE_FALSE[head.strip().lower()]
            item.kind = "true_false"
            item.choices = [ChoiceItem("True", 1.0 if truth else 0.0), ChoiceItem("False", 0.0 if truth else 1.0)]
            if _find(body, "#") >= 0 and body[_find(body, "#") + 1 :].strip("# \n\t"):
                item.warnings.append("feedback on answers not imported (no place for it in the bank)")
            return
        if body.startswith("#"):
            return self._numeric(body[1:], offset)
        answers = _split_answers(body)
        if any(_find(a, "->") >= 0 for _, a in answers):
            raise GiftSyntaxError("matching questions ('=a -> b') are not supported", offset)
        parsed = [(marker, *_weight_and_text(a)) for marker, a in answers]
        if any(fb for *_, fb in parsed):
            item.warnings.append("feedback on answers not imported (no place for it in the bank)")
        if any(marker == "~" for marker, *_ in parsed):
            self._choices(parsed, offset)
        else:
            self._short(parsed, offset)

    def _choices(self, parsed: list[tuple[str, float | None, str, str]], offset: int) -> None:
        item = self.item
        single = any(marker == "=" for marker, *_ in parsed)
        item.kind = "single_choice" if single else "multiple_choice"
        for marker, weight, text, feedback in parsed:
            fraction = 1.0 if marker == "=" else (weight if weight is not None else 0.0)
            item.choices.append(ChoiceItem(self.markup(text, "an answer"), fraction, feedback))
        if not any(c.fraction > 0 for c in item.choices):
            raise GiftSyntaxError("multiple choice without a correct answer ('=' or '~%50%')", offset)
        if single and any(0 < c.fraction < 1 - 1e-6 for c in item.choices):
            partial = [c.text for c in item.choices if 0 < c.fraction < 1 - 1e-6]
            item.warnings.append(
                "partial credit on a single-answer question is not supported; imported as wrong: " + ", ".join(partial)
            )
            for choice in item.choices:
                if 0 < choice.fraction < 1 - 1e-6:
                    choice.fraction = 0.0
        if not single:
            correct = [c.fraction for c in item.choices if c.fraction > 0]
            expected = 1 / len(correct)
            if any(abs(f - expected) > 1e-4 for f in correct) or any(
                abs(c.fraction + expected) > 1e-4 for c in item.choices if c.fraction <= 0
            ):
                item.warnings.append(
                    "the answer weights are not kept: the platform scores (correct − wrong chosen) ÷ correct options"
                )

    def _short(self, parsed: list[tuple[str, float | None, str, str]], offset: int) -> None:
        item = self.item
        item.kind = "short_text"
        plain: list[str] = []
        for _, weight, text, _ in parsed:
            if weight is not None and weight < 1 - 1e-6:
                item.warnings.append(f"answer '{unescape(text)}' gives partial credit ({weight:.0%}); not accepted")
                continue
            # Moodle's wildcard notation: "*" matches anything, "\*" is a literal star.
            answer = unescape(text.replace("\\*", "\0")).replace("\0", "\\*")
            if has_wildcard(answer):
                item.accepted.append(AcceptedItem(wildcard_to_regex(answer), is_regex=True))
            else:
                plain.append(answer.replace("\\*", "*"))
        if plain:
            item.accepted.insert(0, AcceptedItem(plain[0], plain[1:]))
        if not item.accepted:
            raise GiftSyntaxError("short answer without a fully correct answer", offset)

    def _numeric(self, body: str, offset: int) -> None:
        item = self.item
        item.kind = "numeric"
        answers = _split_answers(body) if body.strip()[:1] in ("=", "~") else [("=", body)]
        for _, answer in answers:
            weight, text, feedback = _weight_and_text(answer)
            if feedback:
                item.warnings.append("feedback on answers not imported (no place for it in the bank)")
            value = tolerance = None
            if match := _RANGE_RE.fullmatch(text):
                low, high = float(match[1]), float(match[2])
                value, tolerance = (low + high) / 2, abs(high - low) / 2
            elif match := _NUMERIC_RE.fullmatch(text):
                value, tolerance = float(match[1]), abs(float(match[2] or 0))
            else:
                raise GiftSyntaxError(
                    f"numerical answer {unescape(text)!r} is not 'value', 'value:tolerance' or 'min..max'", offset
                )
            if (weight is None or weight >= 1 - 1e-6) and item.numeric_value is None:
                item.numeric_value, item.numeric_tolerance = value, tolerance
            else:
                item.warnings.append(f"answer {unescape(text)} not imported: one fully correct answer is kept")
        if item.numeric_value is None:
            raise GiftSyntaxError("numerical question without a fully correct answer", offset)


def _blocks(text: str) -> list[tuple[int, str]]:
    """(first line, text) of each blank-line separated block, comment lines removed."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.lstrip().startswith("//"):
            continue
        if not line.strip():
            if current:
                blocks.append((first, "\n".join(current)))
                current = []
            continue
        if not current:
            first = number
        current.append(line.rstrip())
    if current:
        blocks.append((first, "\n".join(current)))
    return blocks


def read_gift(text: str) -> ReadResult:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    result = ReadResult()
    category = ""
    for line, block in _blocks(text):
        while block.startswith("$CATEGORY:"):
            first, _, block = block.partition("\n")
            category = first[len("$CATEGORY:") :].strip()
            line += 1
        if not block.strip():
            continue
        reader = _BlockReader(block, line, category)
        try:
            result.items.append(reader.read())
        except GiftSyntaxError as exc:
            title = f" '{reader.item.name}'" if reader.item.name else ""
            result.problems.append(Problem(reader.line_at(exc.offset), f"question{title}: {exc.message}"))
    return result


def _weighted(fraction: float) -> str:
    text = f"{fraction * 100:.5f}".rstrip("0").rstrip(".")
    return f"%{text}%"


def write_gift(items: list[Item]) -> str:
    out: list[str] = []
    category = None
    for item in items:
        if item.category and item.category != category:
            out += [f"$CATEGORY: {item.category}", ""]
            category = item.category
        head = (
            f"::{escape(item.name)}::[markdown]{escape(item.prompt)}"
            if item.name
            else f"[markdown]{escape(item.prompt)}"
        )
        lines: list[str] = []
        if item.kind == "single_choice":
            lines = [f"\t{'=' if c.is_correct else '~'}{escape(c.text)}" for c in item.choices]
        elif item.kind == "multiple_choice":
            correct = sum(1 for c in item.choices if c.is_correct) or 1
            lines = [f"\t~{_weighted((1 if c.is_correct else -1) / correct)}{escape(c.text)}" for c in item.choices]
        elif item.kind == "true_false":
            lines = ["\tTRUE" if item.choices and item.choices[0].is_correct else "\tFALSE"]
        elif item.kind == "short_text":
            for accepted in item.accepted:
                for text in [accepted.text, *accepted.synonyms]:
                    if accepted.is_regex:
                        wildcard = regex_to_wildcard(text) or text
                        lines.append("\t=" + escape(wildcard.replace("\\*", "\0")).replace("\0", "\\*"))
                    else:
                        lines.append("\t=" + escape(text).replace("*", "\\*"))
        elif item.kind == "numeric":
            lines = [f"\t#{item.numeric_value!r}:{item.numeric_tolerance!r}"]
        elif item.kind != "free_text":
            raise ValueError(f"cannot write a {item.kind} question as GIFT")
        if item.reference_answer:
            lines.append(f"\t####{escape(item.reference_answer)}")
        out += [head + "{", *lines, "}", ""]
    return "\n".join(out)
