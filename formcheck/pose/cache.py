"""Pose results on disk, keyed by the video's content, the model and the pose settings.

Running the model is by far the slowest stage, and evaluation and the golden tests analyse
the same clips again and again; the cache makes that one model run per clip. The key is
SHA-256(file) + SHA-256(model bundle) + settings, so a changed clip or model never reuses
stale landmarks. Masks are never cached (they are large and asked for rarely).
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
import zlib
from dataclasses import asdict
from pathlib import Path

import numpy as np

from formcheck.landmarks import PoseFrame, PoseStatus
from formcheck.pose.model import file_sha256
from formcheck.sources.base import SourceInfo

CACHE_FORMAT = 2  # 2: SourceInfo.fps no longer taken from a time base
_STATUS_CODES = list(PoseStatus)


def default_cache_dir() -> Path:
    configured = os.environ.get("FORMCHECK_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "formcheck" / "poses"


def cache_key(video: Path, model_sha256: str, settings_key: str) -> str:
    recipe = f"{CACHE_FORMAT}|{file_sha256(video)}|{model_sha256}|{settings_key}"
    return hashlib.sha256(recipe.encode()).hexdigest()[:32]


class PoseCache:
    """Load and store one clip's ``PoseFrame`` list (with its ``SourceInfo`` and decode warning)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or default_cache_dir()

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.npz"

    def load(self, key: str) -> tuple[list[PoseFrame], SourceInfo, str | None] | None:
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}  # decompress each array once
            meta = json.loads(str(arrays["meta"]))
            image_wh = (int(meta["image_wh"][0]), int(meta["image_wh"][1]))
            frames = [
                PoseFrame(
                    frame_index=int(arrays["frame_index"][i]),
                    t_s=float(arrays["t_s"][i]),
                    status=_STATUS_CODES[int(arrays["status"][i])],
                    image_xy=arrays["image_xy"][i],
                    world_xyz=arrays["world_xyz"][i],
                    visibility=arrays["visibility"][i],
                    image_wh=image_wh,
                )
                for i in range(len(arrays["t_s"]))
            ]
        except (OSError, EOFError, KeyError, IndexError, TypeError, ValueError, zipfile.BadZipFile, zlib.error):
            return None  # a damaged entry is a miss; it is rewritten after the model runs
        return frames, SourceInfo(**meta["source"]), meta["decode_warning"]

    def store(self, key: str, frames: list[PoseFrame], info: SourceInfo, decode_warning: str | None) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        image_wh = frames[0].image_wh if frames else (info.width, info.height)
        meta = {"source": asdict(info), "decode_warning": decode_warning, "image_wh": list(image_wh)}
        partial = self._path(key).with_suffix(".partial.npz")
        np.savez_compressed(
            partial,
            meta=np.array(json.dumps(meta)),
            frame_index=np.array([f.frame_index for f in frames], np.int32),
            t_s=np.array([f.t_s for f in frames], np.float64),
            status=np.array([_STATUS_CODES.index(f.status) for f in frames], np.int8),
            image_xy=np.stack([f.image_xy for f in frames]) if frames else np.zeros((0, 33, 2), np.float32),
            world_xyz=np.stack([f.world_xyz for f in frames]) if frames else np.zeros((0, 33, 3), np.float32),
            visibility=np.stack([f.visibility for f in frames]) if frames else np.zeros((0, 33), np.float32),
        )
        partial.replace(self._path(key))
