"""Accepted-answer patterns (regular expressions and Moodle `*` wildcards) are matched in bounded time.

`.*a.*a.*a.*a.*b` (the wildcard answer `*a*a*a*a*b`) backtracks polynomially; against a long
response Python's `re` takes hours. `(a|aa)+b` backtracks exponentially even in `regex`, on a
response of a hundred characters. The grader matches only text up to PATTERN_MAX_CHARS, with the
time-bounded `regex` engine (PATTERN_TIMEOUT_SECONDS per response); a response it cannot check
in time goes to a person (needs review, score 0 until then), it is never marked wrong or right.

The slow cases run in a subprocess with a time limit: on an unbounded engine the test fails
instead of hanging the suite (Python's `re` holds the GIL, so a thread could not be stopped).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from grading.engine.objective import PATTERN_MAX_CHARS, grade_objective
from grading.engine.types import AcceptedItem, QuestionKey

ROOT = Path(__file__).resolve().parents[3]
WILDCARD = r".*a.*a.*a.*a.*b"  # bank.interchange.text.wildcard_to_regex("*a*a*a*a*b")
EXPONENTIAL = r"(a|aa)+b"

SLOW_CASES = textwrap.dedent(
    """
    import json, time
    from grading.engine.objective import grade_objective
    from grading.engine.types import AcceptedItem, QuestionKey

    def short(pattern):
        return QuestionKey(kind="short_text", max_points=2.0, accepted=(AcceptedItem(pattern, is_regex=True),))

    def enum(pattern):
        return QuestionKey(kind="enumeration", max_points=2.0,
                           accepted=(AcceptedItem(pattern, is_regex=True), AcceptedItem("dropout")))

    WILDCARD, EXPONENTIAL = %r, %r
    cases = {
        "short_20000": (short(WILDCARD), "a" * 20000),
        "short_exponential": (short(EXPONENTIAL), "a" * 100 + "!"),
        "enumeration_20000": (enum(WILDCARD), "dropout; " + "a" * 20000),
        "enumeration_exponential": (enum(EXPONENTIAL), "dropout; " + "a" * 100 + "!"),
    }
    out = {}
    for name, (key, response) in cases.items():
        started = time.perf_counter()
        result = grade_objective(key, response)
        out[name] = {"seconds": time.perf_counter() - started, "score": result.score,
                     "needs_review": result.needs_review, "flags": list(result.flags), "feedback": result.feedback}
    print(json.dumps(out))
    """
) % (WILDCARD, EXPONENTIAL)


def test_patterns_against_long_or_hostile_responses_are_bounded_and_sent_to_a_person() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SLOW_CASES], cwd=ROOT, capture_output=True, text=True, timeout=60
    )  # TimeoutExpired on an unbounded engine
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    for name, result in results.items():
        assert result["seconds"] < 1.0, (name, result)
        assert result["needs_review"] and result["score"] == 0.0, (name, result)
        assert "checked by a person" in result["feedback"], (name, result)
    assert results["short_20000"]["flags"] == ["too_long_for_pattern"]
    assert results["short_exponential"]["flags"] == ["pattern_timeout"]
    assert results["enumeration_20000"]["flags"] == ["too_long_for_pattern"]
    assert results["enumeration_exponential"]["flags"] == ["pattern_timeout"]


def test_patterns_still_match_ordinary_answers() -> None:
    key = QuestionKey(kind="short_text", max_points=1.0, accepted=(AcceptedItem(r"back.*prop.*", is_regex=True),))
    assert grade_objective(key, "backpropagation").score == 1.0
    assert grade_objective(key, "back" + "x" * (PATTERN_MAX_CHARS - 10) + "prop").score == 1.0
    assert grade_objective(key, "forward pass").score == 0.0 and not grade_objective(key, "forward pass").needs_review


def test_a_long_answer_equal_to_an_accepted_text_is_still_correct() -> None:
    """The cap is on pattern matching only: exact (normalised) comparison is linear and still runs."""
    long_text = "word " * 1000
    key = QuestionKey(
        kind="short_text",
        max_points=1.0,
        accepted=(AcceptedItem(long_text), AcceptedItem("x.*", is_regex=True)),
    )
    result = grade_objective(key, long_text)
    assert result.score == 1.0 and not result.needs_review


def test_the_unchecked_message_is_in_the_questions_language() -> None:
    key = QuestionKey(kind="short_text", max_points=1.0, lang="zh", accepted=(AcceptedItem("a.*", is_regex=True),))
    result = grade_objective(key, "a" * (PATTERN_MAX_CHARS + 1))
    assert result.needs_review and "人工批改" in result.feedback
