"""The course question-bank text format, in pure Python (no Django): `decode` (bytes to text),
`parse` (text to a `types.ParsedBank`), `render` (back to text).

Layout of a bank file::

    Title line
    preamble paragraphs (Markdown)
    Chapter 8 SSL
    Part I. Autoencoder                    (optional, numbering restarts per part)
      1. Question prompt? 💻 optional answer start
        indented reference answer (4+ spaces), • bullets, 1. lists
      1. erratum text↩︎                     (footnotes after the last question)

💻 marks text written by ChatGPT, 👦 the author's own note. "(非重点)" / "(optional)" marks a
chapter or question that is not a focus.
"""

from .decode import decode_bank_bytes
from .parse import parse_bank
from .render import render_bank
from .types import (
    AI_MARK,
    AUTHOR_MARK,
    NOT_A_FOCUS,
    BankFormatError,
    ParsedBank,
    ParsedChapter,
    ParsedPart,
    ParsedQuestion,
    SourceMark,
)

__all__ = [
    "AI_MARK",
    "AUTHOR_MARK",
    "NOT_A_FOCUS",
    "BankFormatError",
    "ParsedBank",
    "ParsedChapter",
    "ParsedPart",
    "ParsedQuestion",
    "SourceMark",
    "decode_bank_bytes",
    "parse_bank",
    "render_bank",
]
