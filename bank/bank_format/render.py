"""A parsed bank rendered back to the text format (the export of `export_questions --format bank`)."""

from __future__ import annotations

import re

from .parse import _MARK_CHARS, _indent, _is_latin, _is_ref_at
from .types import (
    AI_MARK,
    AUTHOR_MARK,
    FOOTNOTE_BACKREF,
    NOT_A_FOCUS,
    ParsedBank,
    ParsedChapter,
    ParsedPart,
    ParsedQuestion,
    SourceMark,
)

# --- rendering back to the text format ------------------------------------------------------


def _insert_marks(markdown: str, marks: list[SourceMark]) -> str:
    glyph = {"ai": AI_MARK, "author": AUTHOR_MARK}
    for mark in reversed(marks):  # from the end, so earlier offsets stay valid
        markdown = f"{markdown[: mark.offset]}{glyph[mark.source]} {markdown[mark.offset :]}"
    return markdown


def _to_source_line(line: str) -> str:
    if not line.strip():
        return ""
    content = line.lstrip(" ")
    if content.startswith("- "):
        content = "• " + content[2:]
    return " " * (4 + _indent(line) // 2) + content


def _ref_slot(text: str, start: int) -> int | None:
    """First position >= start where a footnote number can go so that parsing removes it cleanly."""
    for pos in range(max(start, 1), len(text) + 1):
        before, after = text[pos - 1], text[pos : pos + 1]
        if after == " " and _is_latin(before) and _is_latin(text[pos + 1 : pos + 2] or "\n"):
            return pos  # the number replaces this space: "denoising1autoencoder"
        if _is_latin(before) or before in _MARK_CHARS or before in "\ufe0e\ufe0f":
            continue
        window = text[max(pos - 2, 0) : pos] + "0" + after
        if _is_ref_at(window, min(pos, 2), 1):
            return pos
    return None


def _question_layouts(q: ParsedQuestion) -> list[list[str]]:
    """Ways to lay a question out, roomiest first: answer below after a blank line, answer right
    below, answer starting on the question line (only when it starts with a mark)."""
    head = f"  {q.number}. {q.prompt}{NOT_A_FOCUS if q.not_a_focus else ''}"
    answer = _insert_marks(q.answer_markdown, q.source_marks)
    lines = [_to_source_line(line) for line in answer.split("\n")] if answer else []
    layouts = [[head, "", *lines], [head, *lines]] if lines else [[head]]
    if lines and q.source_marks[:1] and q.source_marks[0].offset == 0:
        layouts.append([f"{head} {lines[0].strip()}", *lines[1:]])
    return layouts


def _add_refs(block: list[str], q: ParsedQuestion, numbers: list[int]) -> list[str]:
    """Put a numbered reference for each of the question's errata, preferably after the prompt."""
    text = "\n".join(block)
    start = len(f"  {q.number}. ")
    prompt_end = start + len(q.prompt) + (len(NOT_A_FOCUS) if q.not_a_focus else 0)
    for number in numbers:
        pos = prompt_end if start <= prompt_end == _ref_slot(text, prompt_end) else _ref_slot(text, start)
        if pos is None:
            continue  # nowhere safe: it comes back as an unattached erratum
        skip = 1 if text[pos : pos + 1] == " " and _is_latin(text[pos - 1]) else 0
        text = text[:pos] + str(number) + text[pos + skip :]
        start = pos + len(str(number))
    return text.split("\n")


def _free_numbers(body: str, count: int) -> list[int]:
    """Footnote numbers that do not already occur in the text as a possible reference, so that
    digits left in the text (say, of a footnote that was never found) cannot catch one."""
    numbers: list[int] = []
    number = 0
    while len(numbers) < count:
        number += 1
        hits = re.finditer(rf"(?<!\d){number}(?!\d)", body)
        if not any(_is_ref_at(body, hit.start(), len(hit[0])) for hit in hits):
            numbers.append(number)
    return numbers


def _pad_to(out: list[str], line: int) -> None:
    """Pad with blank lines so the next line lands on `line`: line numbers survive a round trip."""
    out.extend([""] * (line - 1 - len(out)) if line > 0 else [""])


def _items(bank: ParsedBank) -> list[ParsedChapter | ParsedPart | ParsedQuestion]:
    items: list[ParsedChapter | ParsedPart | ParsedQuestion] = []
    for chapter in bank.chapters:
        items += [chapter, *(q for q in chapter.questions if q.part is None)]
        for part in chapter.parts:
            items += [part, *(q for q in chapter.questions if q.part == part.numeral)]
    return items


def render_bank(bank: ParsedBank) -> str:
    """Write a bank back in the text format (a normalised equivalent, not the original bytes).

    Every heading and question is put on its recorded line when there is room, so that parsing
    the output gives back the same bank, line numbers included.
    """
    out = [bank.title] + (["", *bank.preamble.split("\n")] if bank.preamble else [])
    blocks: list[tuple[int, int, ParsedQuestion]] = []  # (first line index, size, question)
    items = _items(bank)
    for item, following in zip(items, [*items[1:], None], strict=True):
        _pad_to(out, item.line)
        if isinstance(item, ParsedChapter):
            focus = NOT_A_FOCUS if item.not_a_focus else ""
            out.append(f"Chapter {item.number} {item.title}{focus}".rstrip())
        elif isinstance(item, ParsedPart):
            out.append(f"Part {item.numeral}. {item.title}".rstrip())
        else:
            room = following.line - 1 - len(out) if following and following.line > 0 else float("inf")
            layouts = _question_layouts(item)
            block = next((lay for lay in layouts if len(lay) <= room), layouts[-1])
            blocks.append((len(out), len(block), item))
            out += block
    notes = [note for _, _, q in blocks for note in q.errata] + bank.unattached_errata
    numbers = _free_numbers("\n".join(out), len(notes))
    taken = 0
    for first, size, q in blocks:
        refs, taken = numbers[taken : taken + len(q.errata)], taken + len(q.errata)
        out[first : first + size] = _add_refs(out[first : first + size], q, refs)
    out.append("")
    for number, note in zip(numbers, notes, strict=True):
        out += ["", f"  {number}. {note}{FOOTNOTE_BACKREF}"]
    return "\n".join(out) + "\n"
