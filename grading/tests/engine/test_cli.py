"""`python -m grading score`: the offline contract other tools use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
QUESTION = "What is the full name of BERT and GPT?"
REFERENCE = "BERT的全称是Bidirectional Encoder Representations from Transformers,GPT的全称是Generative Pre-training Transformer。"


def _line(i: int, answer: str, **extra: object) -> str:
    row = {
        "id": f"a{i}",
        "question_id": "8.II.1",
        "question": QUESTION,
        "reference": REFERENCE,
        "answer": answer,
        "max_points": 4,
        **extra,
    }
    return json.dumps(row, ensure_ascii=False)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grading", *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def test_round_trip_one_output_line_per_input(tmp_path):
    answers = [
        "BERT: Bidirectional Encoder Representations from Transformers; GPT: Generative Pre-trained Transformer",
        "BERT 是 Bidirectional Encoder Representations from Transformers",
        "",
        "I like convolutional networks.",
    ]
    source = tmp_path / "answers.jsonl"
    source.write_text("\n".join(_line(i, a) for i, a in enumerate(answers)) + "\n", encoding="utf-8")
    out = tmp_path / "scores.jsonl"
    done = run_cli("score", "--input", str(source), "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert "graded 4/4 answers" in done.stderr  # progress on stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a0", "a1", "a2", "a3"]
    for row in rows:
        assert set(row) == {"id", "score", "confidence", "needs_review", "feedback"}
        assert 0 <= row["score"] <= 4 and isinstance(row["needs_review"], bool)
    assert rows[2]["score"] == 0  # empty
    assert rows[0]["score"] > rows[1]["score"] > rows[3]["score"]


def test_malformed_input_names_the_line(tmp_path):
    source = tmp_path / "bad.jsonl"
    source.write_text(_line(1, "ok") + "\n{not json\n", encoding="utf-8")
    done = run_cli("score", "--input", str(source), "--output", str(tmp_path / "out.jsonl"))
    assert done.returncode == 2
    assert "bad.jsonl:2: not valid JSON" in done.stderr


def test_missing_field_is_reported(tmp_path):
    source = tmp_path / "bad.jsonl"
    source.write_text(json.dumps({"id": "x", "answer": "hi"}) + "\n", encoding="utf-8")
    done = run_cli("score", "--input", str(source), "--output", str(tmp_path / "out.jsonl"))
    assert done.returncode == 2 and "missing field(s) question_id" in done.stderr
