"""A bank's rubrics written by a person: a YAML file beside the bank text (`<bank>.rubrics.yaml`).

The bank text holds prompts and reference answers; how an answer is graded (key points, their
weights, the terms students use for them in either language) is a teacher's judgement, kept in
its own file so the reference answers stay verbatim. Read and checked here (no database);
`bank_import` stores the entries as the questions' rubrics.

    "9.1":                       # the question's ref: <chapter>.<ref inside the chapter>
      author: "who wrote it, and how"
      points:
        - text: 在非定向攻击的损失上再加一项,使输出尽量接近攻击目标。
          weight: 2              # relative importance; default 1
          keywords: [目标, target, 加一项]   # optional

Every problem is a `RubricFileError` naming the file and line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from grading.engine.types import RubricPoint

from .bank_format import BankFormatError, ParsedBank

RUBRICS_SUFFIX = ".rubrics.yaml"
ENTRY_FIELDS = frozenset({"author", "points"})
POINT_FIELDS = frozenset({"text", "weight", "keywords"})


class RubricFileError(BankFormatError):
    """A rubric file that cannot be used; its text is `<file>:<line>: <problem>`."""

    def __init__(self, message: str, *, path: Path | str, line: int | None = None) -> None:
        self.path = Path(path)
        super().__init__(message, line)
        self.args = (f"{path}:{line}: {message}" if line is not None else f"{path}: {message}",)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class RubricEntry:
    ref: str  # "<chapter>.<ref>", e.g. "8.I.1", "9.2", "14.10"
    author: str
    points: tuple[RubricPoint, ...]
    line: int  # 1-based line of the entry's key in the file


@dataclass(frozen=True)
class BankRubrics:
    path: Path
    entries: dict[str, RubricEntry]

    def get(self, chapter_number: int, ref: str) -> RubricEntry | None:
        return self.entries.get(question_ref(chapter_number, ref))


def question_ref(chapter_number: int, ref: str) -> str:
    """The key of a question across the bank: its chapter's number and its ref ("8.I.1", "9.2")."""
    return f"{chapter_number}.{ref}"


def rubrics_beside(bank_path: Path) -> Path:
    """`bank/deep_learning_ch8-14.txt` -> `bank/deep_learning_ch8-14.rubrics.yaml`."""
    return bank_path.with_suffix(RUBRICS_SUFFIX)


def read_rubrics(path: Path) -> BankRubrics:
    if not path.is_file():
        raise RubricFileError("is a directory, expected a YAML file" if path.is_dir() else "no such file", path=path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise RubricFileError("not UTF-8 text", path=path, line=line) from None
    return parse_rubrics(text, path=path)


def parse_rubrics(text: str, *, path: Path | str) -> BankRubrics:
    """Entries by ref. Keys are read as written, so an unquoted `14.10` stays "14.10" (YAML itself
    would read it as the number 14.1)."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise RubricFileError("no rubrics in the file", path=path)
        if not isinstance(root, MappingNode):
            raise _error(path, root, 'expected a mapping of question refs to rubrics ("9.1": {author, points})')
        entries: dict[str, RubricEntry] = {}
        for key_node, value_node in root.value:
            if not isinstance(key_node, ScalarNode) or not key_node.value.strip():
                raise _error(path, key_node, "a question ref must be plain text, like 9.1 or 8.I.2")
            ref = key_node.value.strip()
            if ref in entries:
                raise _error(path, key_node, f"question {ref} has a second rubric (first at line {entries[ref].line})")
            entries[ref] = _entry(loader, path, ref, key_node, value_node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise RubricFileError(f"not valid YAML: {problem}", path=path, line=line) from None
    finally:
        loader.dispose()
    return BankRubrics(path=Path(path), entries=entries)


def check_refs(rubrics: BankRubrics, bank: ParsedBank) -> None:
    """Every entry must name a question of the bank: a typo would otherwise leave a question on
    its proposed rubric without anyone noticing."""
    known = {question_ref(c.number, q.ref) for c in bank.chapters for q in c.questions}
    for entry in rubrics.entries.values():
        if entry.ref not in known:
            raise RubricFileError(
                f"rubric for question {entry.ref}, which is not in the bank (refs look like "
                f"{', '.join(_examples(known))})",
                path=rubrics.path,
                line=entry.line,
            )


def _examples(known: Iterable[str]) -> list[str]:
    ordered = sorted(known)
    return ordered[:2] + (["…"] if len(ordered) > 2 else [])


def _entry(loader: yaml.SafeLoader, path: Path | str, ref: str, key_node: Node, node: Node) -> RubricEntry:
    fields = _mapping(path, node, f"the rubric of {ref}", ENTRY_FIELDS)
    author = _scalar(loader, fields.get("author"))
    if not isinstance(author, str) or not author.strip():
        raise _error(path, fields.get("author", key_node), f"the rubric of {ref} needs an author note (who wrote it)")
    points_node = fields.get("points")
    if not isinstance(points_node, SequenceNode) or not points_node.value:
        raise _error(path, points_node or key_node, f"the rubric of {ref} needs a list of points")
    points = tuple(_point(loader, path, ref, i, p) for i, p in enumerate(points_node.value, start=1))
    return RubricEntry(ref=ref, author=author.strip(), points=points, line=key_node.start_mark.line + 1)


def _point(loader: yaml.SafeLoader, path: Path | str, ref: str, number: int, node: Node) -> RubricPoint:
    where = f"point {number} of {ref}"
    fields = _mapping(path, node, where, POINT_FIELDS)
    text = _scalar(loader, fields.get("text"))
    if not isinstance(text, str) or not text.strip():
        raise _error(path, fields.get("text", node), f"{where} needs a text")
    weight = _scalar(loader, fields["weight"]) if "weight" in fields else 1.0
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not weight > 0:
        raise _error(path, fields["weight"], f"{where}: the weight must be a positive number, not {weight!r}")
    keywords_node = fields.get("keywords")
    keywords = loader.construct_object(keywords_node, deep=True) if keywords_node is not None else []
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k.strip() for k in keywords):
        raise _error(path, keywords_node or node, f"{where}: keywords must be a list of words")
    return RubricPoint(text=" ".join(text.split()), weight=float(weight), keywords=tuple(k.strip() for k in keywords))


def _mapping(path: Path | str, node: Node, what: str, allowed: frozenset[str]) -> dict[str, Node]:
    if not isinstance(node, MappingNode):
        raise _error(path, node, f"{what} must be a mapping with {', '.join(sorted(allowed))}")
    fields: dict[str, Node] = {}
    for key, value in node.value:
        name = key.value if isinstance(key, ScalarNode) else None
        if name not in allowed:
            raise _error(path, key, f"{what}: unknown field {name!r} (expected {', '.join(sorted(allowed))})")
        fields[name] = value
    return fields


def _scalar(loader: yaml.SafeLoader, node: Node | None) -> object:
    return loader.construct_object(node, deep=True) if node is not None else None


def _error(path: Path | str, node: Node, message: str) -> RubricFileError:
    return RubricFileError(message, path=path, line=node.start_mark.line + 1)
