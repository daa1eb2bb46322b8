"""The one CSV writer of the platform (exports, analytics tables, set-password sheets).

CSV is UTF-8 with a byte-order mark, so spreadsheet programs open Chinese names correctly, and every
text cell that a spreadsheet would read as a formula is neutralised (OWASP "CSV Injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

BOM = "\ufeff"

# A spreadsheet reads a cell starting with one of these as a formula (tab and CR: some programs
# strip them and read what follows). OWASP "CSV Injection".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A cell as it may be written: text that starts like a formula gets a leading single quote.

    Only text is changed. Numbers (int, Decimal, float) are passed as numbers, so a negative score
    or discrimination stays `-1.000`; a text cell such as a student's response "-5" becomes "'-5",
    because a response is text whatever it looks like.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The one CSV writer: UTF-8 with BOM, every cell through `csv_cell`."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(cell) for cell in header])
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()
