"""Pose results on disk, keyed by the video's content, the model, the decoders and the pose settings.

Running the model is by far the slowest stage, and evaluation and the golden tests analyse
the same clips again and again; the cache makes that one model run per clip. The key is
SHA-256(file) + SHA-256(model bundle) + settings + decoder versions, so a changed clip, model
or decoder never reuses stale landmarks. Masks are never cached (they are large); the back shape
traced from them is, beside the landmarks of the same entry (masks do not change the landmarks), so
a run that needs the back misses an entry stored without it.

Entries are a person's poses, so they are private to the user (files 0600 in a 0700 folder) and
expire (``max_age_days``). The cache is an optimisation only: a damaged, expired or mismatched
entry is a miss, and a store that fails (a full disk, another process writing the same entry)
is ignored, never failing the analysis it follows.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
import zipfile
import zlib
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from formcheck.back.shape import BackShape
from formcheck.landmarks import PoseFrame, PoseStatus
from formcheck.pose.model import file_sha256
from formcheck.sources.base import SourceInfo

CACHE_FORMAT = 3  # 3: decoder versions in the key; source size and frame count recorded
_STATUS_CODES = list(PoseStatus)
_PER_FRAME_ARRAYS = ("frame_index", "t_s", "status", "image_xy", "world_xyz", "visibility")
_TEMP_SUFFIX = ".tmp"
# What ``store`` writes for a ``cache_key`` key; ``sweep`` removes nothing else, so a cache folder
# set to a shared place (``/tmp``, a home folder) loses no one else's files.
_ENTRY_NAME = re.compile(r"[0-9a-f]{32}\.npz")
_TEMP_NAME = re.compile(r"\.[0-9a-f]{32}\..+\.tmp")
# A temporary file this old belongs to a writer that died (a store takes well under a second).
STRAY_TEMP_AGE_S = 3600.0
DEFAULT_MAX_AGE_DAYS = 30.0


def default_cache_dir() -> Path:
    configured = os.environ.get("FORMCHECK_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "formcheck" / "poses"


def _decoder_versions() -> str:
    """PyAV, its FFmpeg libraries and OpenCV: a new decoder or resizer can change the pixels the model sees."""
    ffmpeg = getattr(av, "library_versions", {})
    libraries = ",".join(f"{name}={'.'.join(map(str, version))}" for name, version in sorted(ffmpeg.items()))
    return f"av={av.__version__};{libraries};cv2={cv2.__version__}"


def cache_key(video: Path, model_sha256: str, settings_key: str) -> str:
    recipe = f"{CACHE_FORMAT}|{file_sha256(video)}|{model_sha256}|{settings_key}|{_decoder_versions()}"
    return hashlib.sha256(recipe.encode()).hexdigest()[:32]


class PoseCache:
    """Load and store one clip's ``PoseFrame`` list (with its ``SourceInfo`` and decode warning).

    ``max_age_days``: entries older than this are misses and are deleted (None: kept until
    removed by hand).
    """

    def __init__(self, directory: Path | None = None, max_age_days: float | None = DEFAULT_MAX_AGE_DAYS) -> None:
        self.directory = directory or default_cache_dir()
        self.max_age_s = None if max_age_days is None else max_age_days * 86400.0

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.npz"

    def _expired(self, path: Path, now: float) -> bool:
        return self.max_age_s is not None and now - path.stat().st_mtime > self.max_age_s

    def load(
        self, key: str, video: Path | None = None, with_back: bool = False
    ) -> tuple[list[PoseFrame], SourceInfo, str | None] | None:
        """The entry for ``key``, or None on a miss (``with_back``: also when it holds no back shapes).

        ``video``: the file asked for now. The entry must have been stored for a file of its size,
        and the returned ``SourceInfo.path`` is ``str(video)``, not the path of whichever file was
        analysed first (for an upload, the server's temporary copy).
        """
        path = self._path(key)
        try:
            if not path.is_file():
                return None
            if self._expired(path, time.time()):
                path.unlink(missing_ok=True)
                return None
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}  # decompress each array once
            meta = json.loads(str(arrays["meta"]))
            count = int(meta["frame_count"])
            if any(len(arrays[name]) != count for name in _PER_FRAME_ARRAYS):
                return None
            if video is not None and meta["source_bytes"] != video.stat().st_size:
                return None
            if with_back and "back_values" not in arrays:
                return None
            image_wh = (int(meta["image_wh"][0]), int(meta["image_wh"][1]))
            backs = _load_backs(arrays, meta, count) if with_back else [None] * count
            frames = [
                PoseFrame(
                    frame_index=int(arrays["frame_index"][i]),
                    t_s=float(arrays["t_s"][i]),
                    status=_STATUS_CODES[int(arrays["status"][i])],
                    image_xy=arrays["image_xy"][i],
                    world_xyz=arrays["world_xyz"][i],
                    visibility=arrays["visibility"][i],
                    image_wh=image_wh,
                    back=backs[i],
                )
                for i in range(count)
            ]
            info = SourceInfo(**meta["source"])
        except (OSError, EOFError, KeyError, IndexError, TypeError, ValueError, zipfile.BadZipFile, zlib.error):
            return None  # a damaged entry is a miss; it is rewritten after the model runs
        if video is not None:
            info = replace(info, path=str(video))
        return frames, info, meta["decode_warning"]

    def store(
        self, key: str, frames: list[PoseFrame], info: SourceInfo, decode_warning: str | None, video: Path | None = None
    ) -> None:
        """Write the entry; ``video`` (the file analysed) records its size for ``load`` to check.

        Each writer writes its own temporary file and renames it into place, so processes storing
        the same entry at once both succeed (the last rename wins; both wrote the same poses). Any
        OSError is ignored: the poses are already in hand, and the next run stores them again.
        """
        temp: str | None = None
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            image_wh = frames[0].image_wh if frames else (info.width, info.height)
            backs = [frame.back for frame in frames]
            back_arrays = _back_arrays(backs) if frames and all(back is not None for back in backs) else {}
            meta = {
                "source": asdict(info),
                "decode_warning": decode_warning,
                "image_wh": list(image_wh),
                "frame_count": len(frames),
                "source_bytes": None if video is None else video.stat().st_size,
                "back_reasons": back_arrays.pop("reasons", []),
            }
            handle, temp = tempfile.mkstemp(prefix=f".{key}.", suffix=_TEMP_SUFFIX, dir=self.directory)  # mode 0600
            with os.fdopen(handle, "wb") as file:
                np.savez_compressed(
                    file,
                    meta=np.array(json.dumps(meta)),
                    frame_index=np.array([f.frame_index for f in frames], np.int32),
                    t_s=np.array([f.t_s for f in frames], np.float64),
                    status=np.array([_STATUS_CODES.index(f.status) for f in frames], np.int8),
                    image_xy=np.stack([f.image_xy for f in frames]) if frames else np.zeros((0, 33, 2), np.float32),
                    world_xyz=np.stack([f.world_xyz for f in frames]) if frames else np.zeros((0, 33, 3), np.float32),
                    visibility=np.stack([f.visibility for f in frames]) if frames else np.zeros((0, 33), np.float32),
                    **back_arrays,
                )
            os.replace(temp, self._path(key))
        except OSError:
            if temp is not None:
                Path(temp).unlink(missing_ok=True)

    def sweep(self) -> int:
        """Delete expired entries and temporary files left by writers that died; returns how many.

        ``load`` deletes an expired entry it is asked for; this removes the ones nobody asks for
        again (a service should call it now and then). Only files named as ``cache_key`` keys are
        touched.
        """
        now = time.time()
        removed = 0
        try:
            paths = list(self.directory.iterdir())
        except OSError:
            return 0
        for path in paths:
            try:
                if _TEMP_NAME.fullmatch(path.name):
                    stale = now - path.stat().st_mtime > STRAY_TEMP_AGE_S
                else:
                    stale = _ENTRY_NAME.fullmatch(path.name) is not None and self._expired(path, now)
                if stale:
                    path.unlink()
                    removed += 1
            except OSError:
                continue  # gone already (another sweep or a load), or not ours to remove
        return removed


def _back_arrays(backs: list[BackShape | None]) -> dict[str, Any]:
    """The back shapes as arrays, with the list of their reasons (each frame's an index, -1 for none)."""
    shapes = [back for back in backs if back is not None]
    reasons = sorted({shape.reason for shape in shapes if shape.reason is not None})
    return {
        "back_values": np.array(
            [[s.flexion_norm, s.bow_max_norm, s.lumbar_deg, s.confidence] for s in shapes], np.float32
        ),
        "back_contour": np.stack([s.contour_px for s in shapes]).astype(np.float32),
        "back_reason": np.array([-1 if s.reason is None else reasons.index(s.reason) for s in shapes], np.int16),
        "reasons": reasons,
    }


def _load_backs(arrays: dict[str, Any], meta: dict[str, Any], count: int) -> list[BackShape | None]:
    values, contours, reason_codes = arrays["back_values"], arrays["back_contour"], arrays["back_reason"]
    if len(values) != count or len(contours) != count or len(reason_codes) != count:
        raise ValueError("back shapes do not match the frames")
    reasons = meta["back_reasons"]
    return [
        BackShape(
            flexion_norm=float(values[i, 0]), bow_max_norm=float(values[i, 1]), lumbar_deg=float(values[i, 2]),
            confidence=float(values[i, 3]), reason=None if reason_codes[i] < 0 else str(reasons[reason_codes[i]]),
            contour_px=contours[i].astype(np.float64),
        )
        for i in range(count)
    ]
