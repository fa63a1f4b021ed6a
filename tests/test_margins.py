"""The margins of conditions and rep/hold settings (formcheck.margins), on hand-made clips."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.margins import LabelledClip, origin_entries, spec_margins
from formcheck.specs.models import ExerciseSpec

FPS = 10


def _spec(**extra: object) -> ExerciseSpec:
    return ExerciseSpec.model_validate({
        "id": "knee_bend", "title": "Knee bend", "description": "x", "views": ["side"], "camera": "x",
        "metrics": {"knee": {"kind": "joint_flexion", "points": ["hip", "knee", "ankle"]}},
        "position": [{"metric": "knee", "max": 20}], **extra,
    })


def _clip(knee: np.ndarray, reps: tuple = (), holds: tuple = ()) -> LabelledClip:
    times = np.arange(knee.size, dtype=np.float64) / FPS
    return LabelledClip("a/clip.mp4", times, {"knee": knee.astype(np.float64)}, reps, holds)


def _two_reps() -> LabelledClip:
    """At 10 deg, out to 70 and back over 1-3 s and 5-7 s (held at 70 for 0.4 s about 2 s and 6 s), 10 s in all."""
    t = np.arange(100) / FPS

    def rep(turn_s: float) -> np.ndarray:
        return 60 * np.clip(1.25 * (1 - np.abs(t - turn_s)), 0, 1)

    knee = 10 + rep(2) + rep(6)
    return _clip(knee, reps=((1.0, 3.0), (5.0, 7.0)))


def test_rep_settings_and_conditions_measure_on_the_labelled_reps():
    spec = _spec(reps={"metric": "knee", "rest": "low", "min_range": 30, "min_duration_s": 1.5, "max_duration_s": 5,
                       "return_fraction": 0.8, "confirm_s": 0.5, "require": [{"metric": "knee", "min": 50}]})
    margins = {m.where: m.margin for m in spec_margins(spec, [_two_reps()])}
    assert margins["position[0]"] == pytest.approx(10)  # at rest (10) before each rep, bound 20
    assert margins["reps.min_range"] == pytest.approx(30)  # swing 60
    assert margins["reps.min_duration_s"] == pytest.approx(0.5)  # both reps last 2 s
    assert margins["reps.max_duration_s"] == pytest.approx(3)
    assert margins["reps.return_fraction"] == pytest.approx(0.2)  # all the way back
    # back under 70 - 0.8 * 60 = 22 at 2.9 s until the next rep passes it at 5.2 s (2.3 s); the last to the end
    assert margins["reps.confirm_s"] == pytest.approx(1.8)
    # at the turn: the median of the frames within 15 % of the swing of the peak: 70
    assert margins["reps.require[0]"] == pytest.approx(20)


def test_hold_settings_and_conditions_measure_inside_the_labelled_holds():
    knee = np.full(100, 40.0)
    knee[10:40] = 10
    knee[25:27] = 30  # 0.2 s out of position inside the first hold
    knee[60:90] = 12
    spec = _spec(hold={"position": [{"metric": "knee", "max": 20}], "min_s": 2.0, "release_s": 0.5,
                       "counts_as_reps": True})
    margins = {m.where: m.margin for m in spec_margins(spec, [_clip(knee, holds=((1.0, 3.9), (6.0, 8.9)))])}
    assert margins["hold.min_s"] == pytest.approx(0.9)  # the shortest hold: 2.9 s
    # the 0.2 s out inside a hold is bridged with 0.3 s to spare; the 2.1 s gap between holds is not, by 1.6 s
    assert margins["hold.release_s"] == pytest.approx(0.3)
    assert margins["hold.position[0]"] == pytest.approx(8)  # 5th percentile of 20 - value: 20 - 12
    assert margins["position[0]"] == margins["hold.position[0]"]  # no reps: the holds decide


def test_no_labelled_clip_gives_no_margin_and_says_so():
    spec = _spec(reps={"metric": "knee", "rest": "low", "min_range": 30})
    margins = spec_margins(spec, [])
    assert [m.margin for m in margins] == [None, None]
    assert margins[1].seen == "no labelled clip of knee_bend"
    assert "margin: null" in origin_entries(spec, margins)
