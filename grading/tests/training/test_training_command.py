"""The training command end to end on a tiny sample: it must stay runnable in CI time."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from grading.engine.cross_text import PAIR_SHARE, grade_free_text_cross
from grading.engine.trained_model import TrainedModel
from grading.engine.trained_text import grade_free_text_trained
from grading.engine.types import QuestionKey

ROOT = Path(__file__).resolve().parents[3]
ASAG = ROOT.parent / "shared" / "data" / "asag"


def train_tiny(out: Path, *extra: str) -> str:
    """Train a one-layer model on 6 examples per data set; returns the printed SHA-256."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "grading.training",
            "--sample",
            "6",
            "--epochs",
            "1",
            "--layers",
            "1",
            "--threads",
            "1",
            "--out",
            str(out),
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "training data: scientsbank 6, beetle 6" in done.stderr
    match = re.search(r"SHA-256 ([0-9a-f]{64})", done.stdout)
    assert match, done.stdout
    return match.group(1)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> tuple[Path, str]:
    if not ASAG.is_dir():
        pytest.fail(f"the shared training data is missing: {ASAG}")
    out = tmp_path_factory.mktemp("grader") / "grader.npz"
    return out, train_tiny(out)


def test_the_command_writes_an_artifact_the_engine_loads_and_grades_with(tiny_model):
    path, digest = tiny_model
    model = TrainedModel(path, digest)
    key = QuestionKey(
        kind="free_text",
        max_points=4,
        prompt="Why does the bulb light?",
        reference="The bulb is in a closed path with the battery.",
    )
    results = grade_free_text_trained(key, ["It is in a closed path.", ""], model=model)
    assert results[0].details["grader"].startswith("ft-3:grader-1l:")
    assert 0 <= results[0].score <= 4 and results[0].key_points[0].state in (
        "covered",
        "partly",
        "missing",
        "contradicted",
    )
    assert results[1].score == 0 and results[1].flags == ("empty",)


@pytest.fixture(scope="module")
def tiny_cross_model(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("cross") / "cross.npz"
    return out, train_tiny(out, "--cross")


def test_the_cross_command_writes_a_pair_model_the_engine_grades_with(tiny_cross_model):
    path, digest = tiny_cross_model
    model = TrainedModel(path, digest)
    assert model.pair_head is not None and model.pair_head.weights.shape == (384,)
    key = QuestionKey(
        kind="free_text",
        max_points=4,
        prompt="Why does the bulb light?",
        reference="The bulb is in a closed path with the battery.",
    )
    results = grade_free_text_cross(key, ["It is in a closed path.", ""], model=model)
    details = results[0].details
    assert details["grader"].startswith("ft-4:cross-1l:")
    assert 0 < details["pair"] < 1 and details["raw"] == pytest.approx(
        (1 - PAIR_SHARE) * details["formula_raw"] + PAIR_SHARE * details["pair"], abs=1e-3
    )
    assert results[1].score == 0 and results[1].flags == ("empty",)


def test_cross_training_is_deterministic(tiny_cross_model, tmp_path):
    _, digest = tiny_cross_model
    assert train_tiny(tmp_path / "again.npz", "--cross") == digest


def test_training_is_deterministic(tiny_model, tmp_path):
    _, digest = tiny_model
    assert train_tiny(tmp_path / "again.npz") == digest


def test_the_running_platform_does_not_import_torch():
    code = (
        "import django, os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'classroom.settings'); django.setup();"
        "import grading.tasks, grading.services, grading.engine.batch, grading.engine.cli, quizzes.views;"
        "print('torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_quantisation_aware_training_writes_a_different_model_the_engine_loads(tiny_model, tmp_path):
    """`--qat` trains against the Q4_0 weights (grading/training/model.py): another model, same format."""
    _, digest = tiny_model
    qat_path = tmp_path / "qat.npz"
    qat_digest = train_tiny(qat_path, "--qat")
    assert qat_digest != digest
    model = TrainedModel(qat_path, qat_digest)
    key = QuestionKey(kind="free_text", max_points=2, prompt="Why?", reference="The circuit is closed.")
    assert 0 <= grade_free_text_trained(key, ["It is closed."], model=model)[0].score <= 2
