"""Portal pages for students. Thin: read with selectors, write with services, render.

- `dashboard`: my classes and my assignments (open now / upcoming / closed);
- `attempt`: the start page, the attempt page (plain form POST), autosave (JSON), submit confirmation;
- `results`: the receipt and the released result.
"""

from .attempt import assignment_start, attempt_autosave, attempt_detail, attempt_submit
from .dashboard import dashboard
from .results import answers_digest, attempt_receipt, attempt_result

__all__ = [
    "answers_digest",
    "assignment_start",
    "attempt_autosave",
    "attempt_detail",
    "attempt_receipt",
    "attempt_result",
    "attempt_submit",
    "dashboard",
]
