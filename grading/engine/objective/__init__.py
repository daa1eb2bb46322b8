"""Graders of the objective question kinds: each maps (key, response) to a `Result`.

Policies (feedback states them to the student as well):

* single_choice: full points iff the one selected option is a correct one. Several options, or
  an option the question does not have, score 0. An unknown option means the response and the
  key disagree (e.g. the options were edited after the answer was given), so it is sent to review.
* true_false: the response is read as true or false (True/False, "true"/"false", "t"/"f",
  "yes"/"no", "对"/"错", "正确"/"错误", "是"/"否", "√"/"×", …, or the key of a choice); full
  points iff it equals the correct choice's truth value.
* multiple_choice (partial credit):
  score = max_points × max(0, (correct selected − wrong selected) ÷ number of correct options).
  Duplicates count once; an unknown option counts as a wrong one (and is sent to review).
* numeric: correct iff |x − value| ≤ max(abs_tol, rel_tol × |value|), plus a 1e-9 relative
  epsilon for float noise (so with both tolerances 0 the value must be equal). A percentage
  "12%" is read as 12 (see `parse_number`), but 0.12 is accepted too.
* short_text: correct iff the normalised response (`normalize_text`, or `normalize_compact`)
  equals the normalised form of an accepted text or synonym, or an accepted regular expression
  fullmatches it (case-insensitively; the raw trimmed response is tried as well, for patterns
  with punctuation). Patterns are matched in bounded time (see "Patterns" below).
* enumeration: the response is split into entries; an entry counts for an accepted item when it
  equals the item or a synonym, or contains one as a whole word or phrase (a trailing plural
  "s"/"es" allowed; CJK synonyms as substrings). Each item counts once; one entry counts for
  several items only when their mentions do not overlap. With N = min_items (or every item):
  score = max_points × min(recognised, N) ÷ N.

Every grader: an empty response (None, blank, only punctuation, an empty list) scores 0 with the
flag "empty". Results have confidence 1 and needs_review False, except when the response cannot
be interpreted at all (e.g. a dict for a choice question, "maybe" for true/false): score 0,
confidence 0, needs_review True.

Patterns (regular expressions, and Moodle `*` wildcards imported as `.*`): a pattern such as
`.*a.*a.*a.*b` backtracks polynomially and `(x+)+y` exponentially, so one long response could
hold a grading worker for hours. Text longer than PATTERN_MAX_CHARS is not matched against
patterns, and all pattern matching for one response stops after PATTERN_TIMEOUT_SECONDS (the
`regex` engine's timeout). Either way the answer goes to a person: score 0, needs_review, the
flag "too_long_for_pattern" or "pattern_timeout"; it is never marked wrong for being unchecked.
Exact comparison with the accepted texts is linear and always runs first.

Speed: each key is compiled once (normalised variants, regexes, choice lookups) and cached by
object identity, so a batch pays only the per-response work.

Modules: `compiled` (compiled keys and their caches), `reading` (true / false words, choice tokens), `validation` (checks of a key), `results`
(how a grader builds its `Result`), one module per kind of grader (`choices`, `numeric`,
`short_text`, `enumeration`) and `dispatch` (`grade_objective`).
"""

from .choices import grade_multiple_choice, grade_single_choice, grade_true_false
from .compiled import PATTERN_MAX_CHARS, PATTERN_TIMEOUT_SECONDS, CompiledKey, compile_key
from .dispatch import GRADERS, grade_objective
from .enumeration import grade_enumeration, split_entries
from .numeric import grade_numeric, within_tolerance
from .reading import FALSE_WORDS, TRUE_WORDS
from .results import OBJECTIVE_GRADER_VERSION, is_empty
from .short_text import grade_short_text
from .validation import validate_key

__all__ = [
    "FALSE_WORDS",
    "GRADERS",
    "OBJECTIVE_GRADER_VERSION",
    "PATTERN_MAX_CHARS",
    "PATTERN_TIMEOUT_SECONDS",
    "TRUE_WORDS",
    "CompiledKey",
    "compile_key",
    "grade_enumeration",
    "grade_multiple_choice",
    "grade_numeric",
    "grade_objective",
    "grade_short_text",
    "grade_single_choice",
    "grade_true_false",
    "is_empty",
    "split_entries",
    "validate_key",
    "within_tolerance",
]
