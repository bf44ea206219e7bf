"""The vgg11 probes on their own (in this process, no sandbox): the seeded fill does not depend on how a model names
or registers its layers, and a model the meta build misleads is built the ordinary way instead of being failed.
The graded versions of the same models are the honest styles in tests/redteam/honest/vgg11_*.py."""

import importlib.util
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
HONEST = ROOT / "tests" / "redteam" / "honest"
RUN = (10, False, 5, [[32, 1]])  # 10 classes, no batch norm, seed 5, one 32x32 image


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def probes():
    """A fresh copy each time: model_run keeps its answers for the life of the module."""
    return _load(ROOT / "exercises" / "vgg11" / "probes.py", "vgg11_probes_under_test")


@pytest.fixture(scope="module")
def reference():
    return _load(ROOT / "reference" / "vgg11.py", "vgg11_reference_under_test")


def test_fill_ignores_names_and_registration_order(probes, reference):
    student = _load(HONEST / "vgg11_classifier_first.py", "vgg11_classifier_first")
    want = probes.model_run(reference, *RUN)
    got = probes.model_run(student, *RUN)
    assert want["errors"] == got["errors"] == [None]
    assert got["layers"] == want["layers"]  # forward order, although the classifier is registered first
    torch.testing.assert_close(got["outputs"][0], want["outputs"][0], rtol=1e-4, atol=1e-4)
    other_seed = probes.model_run(reference, RUN[0], RUN[1], RUN[2] + 1, RUN[3])
    assert not torch.allclose(other_seed["outputs"][0], want["outputs"][0], rtol=1e-2, atol=1e-2)


def test_a_model_the_meta_build_misleads_is_built_for_real(probes, reference, monkeypatch):
    student = _load(HONEST / "vgg11_plain_tensor.py", "vgg11_plain_tensor")
    want = probes.model_run(reference, *RUN)
    got = probes.model_run(student, *RUN)
    assert got["errors"] == [None]
    torch.testing.assert_close(got["outputs"][0], want["outputs"][0], rtol=1e-4, atol=1e-4)
    # Positive control: without the ordinary build to fall back on, the meta build fails this correct model.
    monkeypatch.setattr(probes, "_meta_trouble", lambda err: False)
    probes._RUNS.clear()
    failed = probes.model_run(student, *RUN)
    assert failed["outputs"] == [None] and "meta" in failed["errors"][0]
