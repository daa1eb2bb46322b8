"""Text helpers shared by the readers and writers: HTML to Markdown, wildcards, categories."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "tr"}
_INLINE = {"strong": "**", "b": "**", "em": "*", "i": "*", "code": "`"}


class _ToMarkdown(HTMLParser):
    """Just enough HTML to Markdown for question text written in Moodle's editor."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list[int]] = []  # a stack of [counter] (-1 = bullets)
        self.pre = 0
        self.dropped: set[str] = set()

    def _newlines(self, count: int) -> None:
        text = "".join(self.out)
        have = len(text) - len(text.rstrip("\n"))
        if text.strip():
            self.out.append("\n" * max(0, count - have))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._newlines(2)
        elif tag == "br":
            self.out.append("\n")
        elif tag in _INLINE and not self.pre:
            self.out.append(_INLINE[tag])
        elif tag == "pre":
            self._newlines(2)
            self.out.append("```\n")
            self.pre += 1
        elif tag in ("ul", "ol"):
            self._newlines(1 if self.lists else 2)
            self.lists.append([0 if tag == "ol" else -1])
        elif tag == "li":
            self._newlines(1)
            indent = "    " * (len(self.lists) - 1)
            counter = self.lists[-1] if self.lists else [-1]
            if counter[0] >= 0:
                counter[0] += 1
                self.out.append(f"{indent}{counter[0]}. ")
            else:
                self.out.append(f"{indent}- ")
        elif tag in ("img", "video", "audio", "object", "iframe", "embed"):
            self.dropped.add(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self._newlines(2)
        elif tag in _INLINE and not self.pre:
            self.out.append(_INLINE[tag])
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self._newlines(1)
            self.out.append("```")
            self._newlines(2)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self._newlines(2 if not self.lists else 1)

    def handle_data(self, data: str) -> None:
        self.out.append(data if self.pre else re.sub(r"\s+", " ", data))


def html_to_markdown(html: str) -> tuple[str, set[str]]:
    """Markdown for `html`, and the names of embedded media that had to be left out."""
    if "<" not in html:
        return unescape(html).strip(), set()
    parser = _ToMarkdown()
    parser.feed(html)
    parser.close()
    lines = [line.rstrip() for line in "".join(parser.out).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text, parser.dropped


def wildcard_to_regex(answer: str) -> str:
    """A Moodle short answer with `*` wildcards (`\\*` is a literal star) as a regular expression."""
    pieces = re.split(r"(?<!\\)\*", answer)
    return ".*".join(re.escape(piece.replace("\\*", "*")) for piece in pieces)


def regex_to_wildcard(pattern: str) -> str | None:
    """The Moodle wildcard answer for a pattern made only of literals and `.*`, else None."""
    pieces = pattern.split(".*")
    literals = []
    for piece in pieces:
        literal = re.sub(r"\\(.)", r"\1", piece)
        if re.escape(literal) != piece:
            return None
        literals.append(literal.replace("*", "\\*"))
    return "*".join(literals)


def has_wildcard(answer: str) -> bool:
    return re.search(r"(?<!\\)\*", answer) is not None


_CHAPTER_RE = re.compile(r"Chapter\s+(\d+)(?:\s+(.*))?", re.IGNORECASE)
_PART_RE = re.compile(r"Part\s+([IVXLCDM]+)\.\s*(.*)")
_ROOTS = {"$course$", "$system$", "$module$", "$cat1$", "$cat2$", "top", "default", ""}


def category_path(chapter_number: int, chapter_title: str, part: tuple[str, str] | None = None) -> str:
    path = f"$course$/Chapter {chapter_number} {chapter_title}".rstrip()
    if part:
        path += f"/Part {part[0]}. {part[1]}".rstrip()
    return path


def split_category(path: str) -> list[str]:
    """The meaningful segments of a Moodle category path ("//" is an escaped "/")."""
    segments = [s.replace("\0", "/").strip() for s in path.replace("//", "\0").split("/")]
    while segments and (segments[0].lower() in _ROOTS or segments[0].lower().startswith("default for ")):
        segments.pop(0)
    return [s for s in segments if s]


def parse_category(path: str) -> tuple[tuple[int | None, str] | None, tuple[str, str] | None]:
    """(chapter (number or None, title), part (numeral, title) or None) named by a category path.

    The deepest "Part I. Title" segment is the part, the deepest "Chapter N Title" segment (or,
    without one, the deepest other segment) the chapter.
    """
    segments = split_category(path)
    part = None
    if segments and (match := _PART_RE.fullmatch(segments[-1])):
        part = (match[1], match[2].strip())
        segments = segments[:-1]
    for segment in reversed(segments):
        if match := _CHAPTER_RE.fullmatch(segment):
            return (int(match[1]), (match[2] or "").strip()), part
    if segments:
        return (None, segments[-1]), part
    return None, part
