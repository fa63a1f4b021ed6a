"""The pose model bundle: built offline from the mediapipe wheel, verified by its sidecar checksum,
rebuilt when damaged; user bundles are checked before use. Everything is built into tmp_path."""

from __future__ import annotations

import hashlib
import time
import zipfile
from pathlib import Path

import pytest

from formcheck.errors import PoseModelError
from formcheck.pose.model import BUNDLE_NAME, ModelBundle, default_bundle, user_bundle

MEMBERS = {"pose_detector.tflite", "pose_landmarks_detector.tflite"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sidecar(bundle: Path) -> Path:
    return bundle.with_name(bundle.name + ".sha256")


def members(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> ModelBundle:
    """One bundle built from the wheel, to compare rebuilt ones with."""
    return default_bundle(model_dir=tmp_path_factory.mktemp("models"))


def test_default_bundle_is_built_with_a_checksum_sidecar(built):
    assert built.path.name == BUNDLE_NAME
    assert built.path.is_file()
    assert sidecar(built.path).read_text().strip() == sha256(built.path) == built.sha256
    assert set(members(built.path)) == MEMBERS


def test_default_bundle_is_reused_when_intact(tmp_path):
    first = default_bundle(model_dir=tmp_path)
    written = first.path.stat().st_mtime_ns
    second = default_bundle(model_dir=tmp_path)
    assert second == first
    assert second.path.stat().st_mtime_ns == written, "an intact bundle is not rewritten"


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda bundle: bundle.write_bytes(bundle.read_bytes()[:1000] + b"\0" * 64 + bundle.read_bytes()[1064:]),
                     id="bytes overwritten"),
        pytest.param(lambda bundle: bundle.write_bytes(bundle.read_bytes()[: len(bundle.read_bytes()) // 2]), id="truncated"),
        pytest.param(lambda bundle: bundle.unlink(), id="bundle deleted"),
        pytest.param(lambda bundle: sidecar(bundle).unlink(), id="checksum deleted"),
        pytest.param(lambda bundle: sidecar(bundle).write_text("0" * 64 + "\n"), id="checksum wrong"),
    ],
)
def test_default_bundle_is_rebuilt_when_damaged(tmp_path, built, damage):
    first = default_bundle(model_dir=tmp_path)
    damage(first.path)
    rebuilt = default_bundle(model_dir=tmp_path)
    assert rebuilt.path == first.path
    assert sidecar(rebuilt.path).read_text().strip() == sha256(rebuilt.path) == rebuilt.sha256
    assert members(rebuilt.path) == members(built.path), "the rebuilt bundle holds the same models"


def test_default_bundle_honours_the_model_dir_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_MODEL_DIR", str(tmp_path / "configured"))
    assert default_bundle().path == tmp_path / "configured" / BUNDLE_NAME


def test_default_bundle_leaves_no_partial_files(tmp_path):
    default_bundle(model_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [BUNDLE_NAME, BUNDLE_NAME + ".sha256"]


def test_rebuilding_the_same_models_gives_the_same_hash(tmp_path, monkeypatch):
    first = default_bundle(model_dir=tmp_path / "a")
    later = time.time() + 3600.0
    monkeypatch.setattr(time, "time", lambda: later)  # the same build, an hour later
    second = default_bundle(model_dir=tmp_path / "b")
    assert members(first.path) == members(second.path)
    assert second.sha256 == first.sha256


# --- user bundles -----------------------------------------------------------------------------------
def test_user_bundle_accepts_a_landmarker_bundle(built):
    bundle = user_bundle(built.path)
    assert bundle == ModelBundle(built.path, built.sha256)


def _zip(path: Path, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, b"not really a model")
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        pytest.param(lambda p: p, "model file not found", id="missing"),
        pytest.param(lambda p: p.mkdir() or p, "model file not found", id="a folder"),
        pytest.param(lambda p: p.write_text("hello") and p, "not a .task model bundle (not a zip file)", id="not a zip"),
        pytest.param(lambda p: _zip(p, []),
                     "not a pose landmarker bundle (missing pose_detector.tflite, pose_landmarks_detector.tflite)",
                     id="empty zip"),
        pytest.param(lambda p: _zip(p, ["pose_detector.tflite"]),
                     "not a pose landmarker bundle (missing pose_landmarks_detector.tflite)", id="detector only"),
        pytest.param(lambda p: _zip(p, ["hand_landmarks_detector.tflite", "hand_detector.tflite"]),
                     "not a pose landmarker bundle (missing pose_detector.tflite, pose_landmarks_detector.tflite)",
                     id="a hand model"),
    ],
)
def test_user_bundle_rejects(tmp_path, make, reason):
    path = tmp_path / "model.task"
    make(path)
    with pytest.raises(PoseModelError) as caught:
        user_bundle(path)
    assert str(caught.value) == f"{path}: {reason}"
