"""`python -m grading score`: grade a JSONL file of free-text answers offline (no database, no network).

Input lines: {"id", "question_id", "question", "reference", "answer", "max_points"} with optional
"references" (list), "rubric" (list of {"text", "weight", "keywords"?}) and "lang". Example lines
(`--examples`) carry the same fields plus the instructor's "score"; they calibrate their own
question_id only. Output: one {"id", "score", "confidence", "needs_review", "feedback"} per input
line, in input order.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from .batch import DEFAULT_FREE_TEXT_GRADER, FREE_TEXT_GRADERS, grade_batch
from .types import GradedExample, QuestionKey, RubricPoint

REQUIRED = ("id", "question_id", "question", "reference", "answer", "max_points")


class InputError(ValueError):
    """A malformed input line; the message names the file and line."""


def read_jsonl(path: Path, *, required: Sequence[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise InputError(f"{path}:{number}: expected a JSON object")
            missing = [name for name in required if name not in row]
            if missing:
                raise InputError(f"{path}:{number}: missing field(s) {', '.join(missing)}")
            try:
                row["max_points"] = float(row["max_points"])
            except (TypeError, ValueError) as exc:
                raise InputError(f"{path}:{number}: max_points must be a number") from exc
            yield number, row


def _rubric(row: dict[str, Any]) -> tuple[RubricPoint, ...]:
    return tuple(
        RubricPoint(str(p["text"]), float(p.get("weight", 1.0)), tuple(p.get("keywords") or ()))
        for p in row.get("rubric") or ()
    )


def question_key(row: dict[str, Any]) -> QuestionKey:
    return QuestionKey(
        kind="free_text",
        max_points=row["max_points"],
        prompt=str(row["question"]),
        reference=str(row["reference"] or ""),
        references=tuple(str(r) for r in row.get("references") or ()),
        rubric=_rubric(row),
        lang=str(row.get("lang") or "en"),
    )


def load_examples(path: Path | None) -> dict[str, list[GradedExample]]:
    examples: dict[str, list[GradedExample]] = defaultdict(list)
    if path is None:
        return examples
    for _, row in read_jsonl(path, required=(*REQUIRED, "score")):
        examples[str(row["question_id"])].append(GradedExample(row["answer"], float(row["score"])))
    return examples


def score_file(
    input_path: Path,
    output: TextIO,
    examples_path: Path | None = None,
    progress: TextIO = sys.stderr,
    free_text_grader: str = DEFAULT_FREE_TEXT_GRADER,
) -> int:
    """Grade every line of `input_path`, write results to `output`; returns the number graded."""
    rows = list(read_jsonl(input_path, required=REQUIRED))
    examples = load_examples(examples_path)
    groups: dict[tuple[str, float], list[dict[str, Any]]] = defaultdict(list)
    for _, row in rows:
        groups[(str(row["question_id"]), row["max_points"])].append(row)
    results: dict[int, dict[str, Any]] = {}
    started, graded = time.monotonic(), 0
    for (question_id, _points), group in groups.items():
        key = question_key(group[0])
        scored = grade_batch(
            key,
            [r["answer"] for r in group],
            examples=examples.get(question_id, ()),
            free_text_grader=free_text_grader,
        )
        for row, result in zip(group, scored, strict=True):
            results[id(row)] = {
                "id": row["id"],
                "score": min(max(result.score, 0.0), key.max_points),
                "confidence": round(result.confidence, 4),
                "needs_review": result.needs_review,
                "feedback": result.feedback,
            }
        graded += len(group)
        rate = graded / max(time.monotonic() - started, 1e-9)
        print(f"graded {graded}/{len(rows)} answers ({rate:.1f}/s)", file=progress, flush=True)
    for _, row in rows:
        output.write(json.dumps(results[id(row)], ensure_ascii=False) + "\n")
    return len(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grading", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    score = commands.add_parser("score", help="grade a JSONL file of answers")
    score.add_argument("--input", required=True, type=Path)
    score.add_argument("--output", required=True, type=Path)
    score.add_argument("--examples", type=Path, help="instructor-graded answers (JSONL with 'score')")
    score.add_argument(
        "--grader",
        choices=sorted(FREE_TEXT_GRADERS),
        default=DEFAULT_FREE_TEXT_GRADER,
        help=f"free-text grader (default {DEFAULT_FREE_TEXT_GRADER}; docs/grading-model.md)",
    )
    args = parser.parse_args(argv)
    for path in (args.input, args.examples):
        if path is not None and not path.is_file():
            parser.error(f"{path}: no such file")
    try:
        with args.output.open("w", encoding="utf-8") as output:
            count = score_file(args.input, output, args.examples, free_text_grader=args.grader)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {count} scores to {args.output}", file=sys.stderr)
    return 0
