"""Moodle XML (`<quiz>` of `<question type="...">`): reading into `Item`s and writing them back.

Read with defusedxml (no entities, no external references), keeping the line of every element so
each problem names its line and element path. Supported types: multichoice (one or several
answers), truefalse, shortanswer, numerical, essay, and category entries (which set the chapter).
Every other type, and any element the reader does not know, is a `Problem`; presentation settings
(penalty, shuffling, numbering, response box size...) are read and ignored; feedback texts, hints,
tags, units and embedded files are reported as warnings on their question, since the bank has no
place for them.

Modules: `tree` (the element tree with lines), `reader`, `writer`.
"""

from .reader import KNOWN_ELEMENTS, MOODLE_TYPES, UNSUPPORTED_TYPES, read_moodle_xml
from .tree import Node, parse_xml
from .writer import write_moodle_xml

__all__ = [
    "KNOWN_ELEMENTS",
    "MOODLE_TYPES",
    "UNSUPPORTED_TYPES",
    "Node",
    "parse_xml",
    "read_moodle_xml",
    "write_moodle_xml",
]
