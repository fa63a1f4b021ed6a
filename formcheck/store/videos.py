"""The videos kept for trainers' clients, by content hash, and each analysis's annotated copy.

``<data>/videos/<sha256><suffix>``: a video is named by its bytes, never by the name it was uploaded under,
and the same clip uploaded twice is stored once. ``<data>/analyses/<analysis id>/annotated.mp4``: what the
analysis drew. Both stay until the analysis (or its client) is deleted; a video goes with its last analysis.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

CHUNK_BYTES = 1 << 20


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


class VideoFolder:
    def __init__(self, data_dir: Path) -> None:
        self.videos = data_dir / "videos"
        self.analyses = data_dir / "analyses"

    def keep(self, upload: Path) -> Path:
        """Move ``upload`` into the folder under its content hash; returns where it now is."""
        self.videos.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = self.videos / f"{sha256_of(upload)}{upload.suffix}"
        if target.exists():
            upload.unlink()
        else:
            shutil.move(upload, target)
        return target

    def analysis_folder(self, analysis_id: str) -> Path:
        return self.analyses / analysis_id

    def remove(self, analysis_id: str, video: Path, video_still_used: bool) -> None:
        """Delete an analysis's folder, and its video unless another analysis still uses it."""
        shutil.rmtree(self.analysis_folder(analysis_id), ignore_errors=True)
        if not video_still_used and video.parent == self.videos:
            video.unlink(missing_ok=True)
