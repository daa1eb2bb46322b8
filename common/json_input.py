"""What untrusted JSON may hold before it goes further, for the API's parser and the portal's
autosave alike: nothing nested deeper than MAX_JSON_DEPTH (no answer needs more than 2, and deep
nesting costs a recursion per level in every consumer), and no text PostgreSQL cannot store (NUL)
or UTF-8 cannot encode (a lone surrogate, which `\\ud800` in JSON produces).
"""

from __future__ import annotations

from typing import Any

MAX_JSON_DEPTH = 20


def text_problem(value: str) -> str | None:
    if "\x00" in value:
        return "Text must not contain NUL (\\u0000) characters."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "Text contains invalid Unicode (a lone surrogate)."
    return None


def json_problem(value: Any, depth: int = 0) -> str | None:
    """Why `value` (parsed JSON) is refused, or None. Iterates only as deep as MAX_JSON_DEPTH."""
    if depth > MAX_JSON_DEPTH:
        return f"JSON nested deeper than {MAX_JSON_DEPTH} levels."
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, dict):
        items: Any = (x for pair in value.items() for x in pair)
    elif isinstance(value, list):
        items = value
    else:
        return None
    for item in items:
        problem = json_problem(item, depth + 1)
        if problem:
            return problem
    return None
