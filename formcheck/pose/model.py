"""The default pose model bundle, built offline from the files the mediapipe wheel ships.

mediapipe 0.10.21 ships ``pose_detection.tflite`` and ``pose_landmark_full.tflite`` for its
legacy solution. The Tasks API (``PoseLandmarker``) wants them zipped as a ``.task`` bundle
with input-normalisation metadata, which the wheel's copies lack. We add it with
``MetadataWriter``: the detector takes pixels in [-1, 1] (mean 127.5, std 127.5) and the
landmarker pixels in [0, 1] (mean 0, std 255) - the normalisation the legacy graph applies,
checked against ``mp.solutions.pose`` by ``tests/pose/test_model_parity.py``.

The bundle is built once into ``models/`` (or ``FORMCHECK_MODEL_DIR``), with a sidecar
SHA-256; a missing or damaged bundle is rebuilt. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import PoseModelError
from formcheck.pose.mediapipe_import import import_mediapipe

BUNDLE_NAME = "pose_landmarker_full.task"
BUNDLE_ALIGNMENT = 4  # bytes; the Tasks API memory-maps the models from the uncompressed zip

# SHA-256 of the wheel's model files for mediapipe 0.10.21: a different wheel is caught here,
# before it silently changes every review.
WHEEL_MODEL_SHA256 = {
    "modules/pose_detection/pose_detection.tflite": "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
    "modules/pose_landmark/pose_landmark_full.tflite": "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
}
DETECTOR_NORM = (127.5, 127.5)  # (mean, std): input in [-1, 1]
LANDMARKER_NORM = (0.0, 255.0)  # (mean, std): input in [0, 1]


@dataclass(frozen=True)
class ModelBundle:
    """A ready ``.task`` file and the hash that identifies its results in the pose cache."""

    path: Path
    sha256: str


def default_model_dir() -> Path:
    configured = os.environ.get("FORMCHECK_MODEL_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "models"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _wheel_model(relative: str) -> bytes:
    path = Path(str(import_mediapipe().__file__)).parent / relative
    if not path.is_file():
        raise PoseModelError(f"the mediapipe wheel has no {relative}: install mediapipe==0.10.21")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != WHEEL_MODEL_SHA256[relative]:
        raise PoseModelError(f"{path}: unexpected model file (checksum differs): install mediapipe==0.10.21")
    return data


def _with_image_metadata(model: bytes, norm: tuple[float, float]) -> bytes:
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_image_input(norm_mean=[norm[0]], norm_std=[norm[1]])
    model_with_metadata, _ = writer.populate()
    return bytes(model_with_metadata)


def build_bundle(target: Path) -> None:
    """Write the ``.task`` bundle to ``target`` and its SHA-256 beside it (``target.sha256``)."""
    import_mediapipe()
    from mediapipe.tasks.python.metadata.metadata_writers import model_asset_bundle_utils

    detector = _with_image_metadata(_wheel_model("modules/pose_detection/pose_detection.tflite"), DETECTOR_NORM)
    landmarker = _with_image_metadata(_wheel_model("modules/pose_landmark/pose_landmark_full.tflite"), LANDMARKER_NORM)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write to a temporary name and rename, so a crash never leaves half a bundle behind.
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        partial = Path(scratch) / target.name
        # Like model_asset_bundle_utils.create_model_asset_bundle, but with a fixed date in the
        # zip entries: the same models always give the same bundle hash, so a rebuild keeps
        # every pose-cache entry valid.
        with model_asset_bundle_utils.AlignZipFile(str(partial), mode="w", alignment=BUNDLE_ALIGNMENT) as bundle:
            for name, data in (("pose_detector.tflite", detector), ("pose_landmarks_detector.tflite", landmarker)):
                bundle.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
        digest = file_sha256(partial)
        partial.replace(target)
    target.with_suffix(target.suffix + ".sha256").write_text(digest + "\n")


def default_bundle(model_dir: Path | None = None) -> ModelBundle:
    """The built-in bundle: verified against its checksum, (re)built when missing or damaged."""
    target = (model_dir or default_model_dir()) / BUNDLE_NAME
    checksum_file = target.with_suffix(target.suffix + ".sha256")
    if target.is_file() and checksum_file.is_file():
        digest = file_sha256(target)
        if digest == checksum_file.read_text().strip():
            return ModelBundle(target, digest)
    try:
        build_bundle(target)
    except OSError as error:
        raise PoseModelError(f"could not write the pose model to {target.parent}: {error.strerror}") from error
    return ModelBundle(target, checksum_file.read_text().strip())


def user_bundle(path: Path) -> ModelBundle:
    """An official ``.task`` file given with ``--model``; it must be a zip holding both models."""
    if not path.is_file():
        raise PoseModelError(f"{path}: model file not found")
    try:
        with zipfile.ZipFile(path) as bundle:
            names = set(bundle.namelist())
    except zipfile.BadZipFile as error:
        raise PoseModelError(f"{path}: not a .task model bundle (not a zip file)") from error
    missing = {"pose_detector.tflite", "pose_landmarks_detector.tflite"} - names
    if missing:
        raise PoseModelError(f"{path}: not a pose landmarker bundle (missing {', '.join(sorted(missing))})")
    return ModelBundle(path, file_sha256(path))
