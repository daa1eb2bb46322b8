"""Moodle XML's own element tree: parsed with defusedxml (no entities, no external references),
keeping the line of every element so each problem names its line and element path."""

from __future__ import annotations

from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from ..types import InterchangeError


@dataclass
class Node:
    tag: str
    attrib: dict[str, str]
    line: int
    path: str
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str) -> Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list[Node]:
        return [c for c in self.children if c.tag == tag]

    def child_text(self, tag: str) -> str:
        node = self.find(tag)
        return node.text.strip() if node else ""


class _Builder:
    """ElementTree parser target that builds `Node`s carrying their line and path."""

    def __init__(self) -> None:
        self.parser: DefusedXMLParser | None = None
        self.stack: list[Node] = []
        self.root: Node | None = None
        self.counts: list[dict[str, int]] = [{}]

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        assert self.parser is not None
        line = self.parser.parser.CurrentLineNumber
        counts = self.counts[-1]
        counts[tag] = counts.get(tag, 0) + 1
        parent = self.stack[-1] if self.stack else None
        path = f"{parent.path}/{tag}[{counts[tag]}]" if parent else tag
        node = Node(tag, dict(attrib), line, path)
        if parent:
            parent.children.append(node)
        else:
            self.root = node
        self.stack.append(node)
        self.counts.append({})

    def end(self, tag: str) -> None:
        self.stack.pop()
        self.counts.pop()

    def data(self, data: str) -> None:
        if self.stack:
            self.stack[-1].text += data

    def close(self) -> Node | None:
        return self.root


def parse_xml(data: bytes | str) -> Node:
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InterchangeError(f"not well-formed XML: {exc}", line=line) from None
    except DefusedXmlException as exc:
        raise InterchangeError(f"refused XML: {exc}") from None
    if root is None:
        raise InterchangeError("empty XML document")
    return root  # type: ignore[no-any-return,return-value]  # the builder's close() returns its root Node
