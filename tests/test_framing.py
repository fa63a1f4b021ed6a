"""The camera-cut detector on synthetic pose sequences: a cut is a held jump of the image's scale
(pixels per metre of body); walking nearer drifts it, a glitch jumps and comes straight back. A cut is unseen
only where the body was lost in it (pose status not OK), after the set began."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.framing import FramingTracker, log_scale
from formcheck.landmarks import LANDMARK_COUNT, PoseFrame, PoseStatus

FPS = 30.0
WH = (1280, 720)
_RNG = np.random.default_rng(7)
_WORLD = np.zeros((LANDMARK_COUNT, 3), np.float32)
_WORLD[:, 0] = _RNG.uniform(-0.3, 0.3, LANDMARK_COUNT)
_WORLD[:, 1] = np.linspace(-0.8, 0.9, LANDMARK_COUNT)  # head (up, negative y) to feet


def _frame(index: int, px_per_m: float, status: PoseStatus = PoseStatus.OK) -> PoseFrame:
    """A standing body whose image is its world pose scaled by ``px_per_m`` about the image's centre."""
    image_px = _WORLD[:, :2] * px_per_m + np.asarray((640.0, 360.0), np.float32)
    return PoseFrame(
        frame_index=index, t_s=index / FPS, status=status,
        image_xy=(image_px / np.asarray(WH, np.float32)).astype(np.float32), world_xyz=_WORLD.copy(),
        visibility=np.ones(LANDMARK_COUNT, np.float32), image_wh=WH,
    )


def _run(scales: list[float], lost: range = range(0)) -> tuple[FramingTracker, list[bool]]:
    """The tracker after ``scales`` (one frame each; the frames in ``lost`` partly out of frame), and which
    frames were in the main shot."""
    tracker = FramingTracker()
    main = [
        tracker.update(_frame(index, scale, PoseStatus.PARTLY_OUT_OF_FRAME if index in lost else PoseStatus.OK)).main
        for index, scale in enumerate(scales)
    ]
    return tracker, main


def test_log_scale_is_the_pixels_per_metre() -> None:
    assert log_scale(_frame(0, 300.0)) == pytest.approx(np.log(300.0), abs=1e-4)
    assert log_scale(PoseFrame.missing(0, 0.0, WH)) is None


def test_a_sudden_3x_zoom_is_a_departure_from_the_main_shot() -> None:
    tracker, main = _run([200.0] * 60 + [600.0] * 60 + [200.0] * 60)  # 2 s wide, 2 s close-up, 2 s wide
    [departure] = tracker.departures()
    assert departure.start_s == pytest.approx(60 / FPS, abs=1e-3) and departure.end_s == pytest.approx(120 / FPS, abs=1e-3)
    assert departure.scale_ratio == pytest.approx(3.0, rel=0.01) and departure.lost_share == 0.0
    assert all(main[:60]) and not any(main[60:120])
    assert all(main[130:])  # back in the main shot once the return has held (the confirmation's frames wait)


def test_a_zoom_that_keeps_the_body_in_view_is_not_unseen() -> None:
    tracker, _ = _run([200.0] * 60 + [600.0] * 60 + [200.0] * 60, lost=range(60, 70))  # 1 of 6 close-up frames lost
    assert tracker.unseen_spans(set_start_s=0.0) == []


def test_a_close_up_that_loses_the_body_is_unseen_from_its_first_to_its_last_lost_frame() -> None:
    tracker, _ = _run([200.0] * 60 + [600.0] * 60 + [200.0] * 60, lost=range(62, 110))
    [span] = tracker.unseen_spans(set_start_s=0.0)
    assert span.start_s == pytest.approx(62 / FPS, abs=1e-3) and span.end_s == pytest.approx(110 / FPS, abs=1e-3)


def test_a_departure_before_the_set_began_is_not_unseen() -> None:
    """Moving into position (lying down after kneeling in the opening shot) is no rep missed."""
    tracker, _ = _run([200.0] * 60 + [600.0] * 60, lost=range(60, 120))
    assert tracker.unseen_spans(set_start_s=2.5) == []
    assert len(tracker.unseen_spans(set_start_s=1.0)) == 1


def test_a_close_up_to_the_end_stays_a_departure_to_the_last_frame() -> None:
    tracker, _ = _run([200.0] * 60 + [600.0] * 30, lost=range(60, 90))
    [departure] = tracker.departures()
    assert departure.end_s == pytest.approx(89 / FPS, abs=1e-3) and departure.lost_share == 1.0
    [span] = tracker.unseen_spans(set_start_s=0.0)
    assert span.end_s == pytest.approx(89 / FPS, abs=1e-3)


def test_walking_towards_the_camera_over_seconds_is_not_a_cut() -> None:
    """From 4 m to 2 m in 3 s (a brisk step): the scale doubles, slowly."""
    tracker, main = _run(list(200.0 * 2.0 ** (np.clip(np.arange(150) / FPS - 1.0, 0.0, 3.0) / 3.0)))
    assert tracker.departures() == [] and all(main)


def test_a_one_frame_glitch_is_not_a_cut() -> None:
    scales = [200.0] * 60
    scales[30] = 600.0
    tracker, main = _run(scales)
    assert tracker.departures() == []
    assert main.count(False) == 1  # only the glitch frame itself is out of the main shot


def test_a_shaky_start_is_not_the_main_shot() -> None:
    """The tracker's first frames settle on a wrong scale: the shot that follows is the main one."""
    tracker, main = _run([600.0] * 5 + [200.0] * 90)
    assert tracker.departures() == [] and all(main[20:])
