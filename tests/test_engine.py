"""The engine on synthetic pose tracks and the shipped squat spec.

The stick figure (tests/helpers.py) squats with its knee bend following a (1 - cos) dip of
100 degrees every 2 s after 1 s of standing; its hip bends 1.05 x the knee, so the trunk leans
forward 0.4 x the knee bend (40 degrees at the bottom). Rep k turns at 2 + 2k s.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from helpers import (
    FPS,
    IMAGE_WH,
    PX_PER_M,
    figure_frame,
    make_pose_frame,
    source_info,
    squat_bend,
    squat_frames,
    stick_figure,
)

from formcheck.engine import ExerciseSession, analyze_poses
from formcheck.landmarks import Landmark, PoseFrame, PoseStatus
from formcheck.review.schema import REVIEW_SCHEMA_ID, Review
from formcheck.specs import load_spec
from formcheck.specs.models import Condition, TurningPointFault

SIDE_ONLY_CHECKS = ("forward_lean", "heels_up", "shallow_depth")


@pytest.fixture(scope="module")
def squat():
    return load_spec("squat")


def review_of(frames: list[PoseFrame], spec) -> Review:
    return analyze_poses(frames, spec, source_info(frames))


def check(review: Review, check_id: str):
    return next(status for status in review.checks if status.id == check_id)


@pytest.mark.parametrize("reps", [1, 3, 5])
def test_counts_squats_from_the_side(squat, reps):
    frames = squat_frames(reps)
    review = review_of(frames, squat)
    assert review.rep_count == reps
    assert len(review.reps) == reps
    assert [rep.index for rep in review.reps] == list(range(1, reps + 1))
    assert review.view == "side"
    assert review.summary.partial_reps == 0
    for k, rep in enumerate(review.reps):
        assert rep.turn_s == pytest.approx(2.0 + 2 * k, abs=0.2)
        assert rep.start_s < rep.turn_s < rep.end_s
        assert rep.start_s == pytest.approx(1.0 + 2 * k, abs=0.4)
        assert rep.end_s == pytest.approx(3.0 + 2 * k, abs=0.4)


def test_each_rep_has_every_metric_at_its_turning_point(squat):
    review = review_of(squat_frames(3), squat)
    for rep in review.reps:
        assert set(rep.metrics) == set(squat.metrics)
        assert rep.metrics["knee_flexion_deg"] == pytest.approx(100.0, abs=5.0)
        assert rep.metrics["hip_flexion_deg"] == pytest.approx(105.0, abs=5.0)
        assert rep.metrics["trunk_lean_deg"] == pytest.approx(40.0, abs=3.0)
        # the rep metric is knee_bend_deg; the brief stand between synthetic reps is smoothed to 3-5 deg
        assert rep.metrics["knee_bend_deg"] == pytest.approx(100.0, abs=5.0)
        assert rep.range == pytest.approx(100.0, abs=6.0)


# The stick figure's hips reach knee height (0.06 torso lengths above) at a 135-degree knee bend; with
# the hip bending 0.95 x the knee its trunk then leans 40 degrees: a clean squat to parallel.
PARALLEL = {"depth_deg": 135.0, "hip_per_knee": 0.95}


def test_clean_squats_have_no_faults(squat):
    review = review_of(squat_frames(3, **PARALLEL), squat)
    assert review.rep_count == 3
    assert review.faults == []
    assert review.summary.clean_reps == 3
    assert review.summary.most_common_fault is None


def raised_heels(frames: list[PoseFrame], standing_m: float, bottom_m: float) -> list[PoseFrame]:
    """The frames with both heels raised in the image: by ``standing_m`` always (a camera a little above
    the floor, or thick heels) plus up to ``bottom_m`` more in proportion to the knee bend."""
    bends = squat_bend(np.array([frame.t_s for frame in frames]), 3, 2.0, PARALLEL["depth_deg"], 1.0)
    raised = []
    for frame, bend in zip(frames, bends):
        image_xy = frame.image_xy.copy()
        lift_m = standing_m + bottom_m * bend / PARALLEL["depth_deg"]
        image_xy[[Landmark.LEFT_HEEL, Landmark.RIGHT_HEEL], 1] -= lift_m * PX_PER_M / IMAGE_WH[1]
        raised.append(dataclasses.replace(frame, image_xy=image_xy))
    return raised


@pytest.mark.parametrize(
    ("standing_m", "bottom_m", "heels_up"),
    [
        pytest.param(0.0, 0.10, True, id="heels rise 10 cm"),
        pytest.param(0.06, 0.10, True, id="heels rise 10 cm from a raised stance"),
        pytest.param(0.0, 0.04, False, id="heels rise 4 cm"),
        pytest.param(0.10, 0.0, False, id="heels read 10 cm up while standing and stay there"),
    ],
)
def test_heels_up_is_the_rise_since_standing(squat, standing_m, bottom_m, heels_up):
    """The check reads the heels' rise since the person last stood (0.15 torso lengths = 7.8 cm on the
    figure's 52 cm torso), so a heel that already reads high while standing flat is not a fault."""
    review = review_of(raised_heels(squat_frames(3, **PARALLEL), standing_m, bottom_m), squat)
    assert review.rep_count == 3
    flagged = {fault.rep for fault in review.faults if fault.id == "heels_up"}
    assert flagged == ({1, 2, 3} if heels_up else set())


@pytest.mark.parametrize(("depth_deg", "shallow"), [(100.0, True), (110.0, True), (120.0, False), (135.0, False)])
def test_shallow_depth_is_hips_well_above_the_knees(squat, depth_deg, shallow):
    """The default 100-degree figure squat leaves the hips 0.39 torso lengths above the knees, a 110-degree
    one 0.30 (labelled shallow squats read 0.27 and more), a 120-degree one 0.20 (correct squats to about
    parallel read up to 0.17: in the margin, passes); at 135 degrees they reach knee height."""
    review = review_of(squat_frames(3, depth_deg=depth_deg, hip_per_knee=0.95), squat)
    assert review.rep_count == 3
    flagged = [any(fault.id == "shallow_depth" for fault in rep.faults) for rep in review.reps]
    assert flagged == [shallow] * 3


def test_series_has_time_and_every_metric_per_frame(squat):
    frames = squat_frames(2)
    review = review_of(frames, squat)
    assert set(review.series) == {"t_s"} | set(squat.metrics)
    assert {len(values) for values in review.series.values()} == {len(frames)}
    assert review.series["t_s"] == pytest.approx([frame.t_s for frame in frames], abs=1e-3)
    knee = np.array(review.series["knee_flexion_deg"], np.float64)
    assert knee.max() == pytest.approx(100.0, abs=5.0)


def test_review_identity_and_json(squat):
    frames = squat_frames(1)
    review = review_of(frames, squat)
    assert review.exercise == "squat"
    assert review.schema_id == REVIEW_SCHEMA_ID
    assert review.source.frames == len(frames)
    assert Review.model_validate_json(review.to_json()) == review


def test_forward_lean_is_reported_from_the_side(squat):
    """Trunk leaning 61 degrees at the bottom of a squat to parallel (the spec allows 48): every rep gets
    forward_lean."""
    review = review_of(squat_frames(3, depth_deg=135.0, hip_per_knee=1.1), squat)
    assert review.rep_count == 3
    assert [[fault.id for fault in rep.faults] for rep in review.reps] == [["forward_lean"]] * 3
    assert [fault.rep for fault in review.faults] == [1, 2, 3]
    assert review.summary.most_common_fault is not None and review.summary.most_common_fault.id == "forward_lean"


def test_front_view_never_reports_side_only_checks(squat):
    """From the front the trunk tilts 60 degrees sideways at the bottom, so trunk_lean_deg passes the
    forward_lean bound; the check is side/oblique only and must stay silent and say why."""
    review = review_of(squat_frames(3, view="front", side_lean_per_knee=0.6), squat)
    assert review.view == "front"
    assert review.rep_count == 3
    assert max(rep.metrics["trunk_lean_deg"] for rep in review.reps) > 48, "the test needs a lean past the bound"
    assert not {fault.id for fault in review.faults} & set(SIDE_ONLY_CHECKS)
    for check_id in SIDE_ONLY_CHECKS:
        status = check(review, check_id)
        assert status.judged_fraction == 0.0
        assert status.skipped_reason is not None and "front" in status.skipped_reason
    assert check(review, "knee_valgus").skipped_reason is None, "a front-view check is judged from the front"


def test_side_view_never_judges_front_only_checks(squat):
    review = review_of(squat_frames(2), squat)
    status = check(review, "knee_valgus")
    assert status.judged_fraction == 0.0
    assert status.skipped_reason is not None and "side" in status.skipped_reason


def test_frames_without_a_person_give_a_no_person_warning(squat):
    frames = squat_frames(2, tail_s=3.0)
    gap = range(int(5.5 * FPS), int(6.5 * FPS))  # one second out of view after the reps
    frames = [make_pose_frame(f.frame_index, f.t_s, status=PoseStatus.NO_PERSON) if f.frame_index in gap else f
              for f in frames]
    review = review_of(frames, squat)
    assert review.rep_count == 2
    [warning] = [w for w in review.warnings if w.id == "no_person"]
    assert warning.start_s == pytest.approx(5.5, abs=1.5 / FPS)
    assert warning.end_s == pytest.approx(6.5, abs=1.5 / FPS)
    assert review.series["knee_flexion_deg"][int(6.0 * FPS)] is None, "no person: the metrics are null"


def test_a_brief_dropout_is_not_worth_a_warning(squat):
    frames = squat_frames(2)
    gap = range(int(2.0 * FPS), int(2.2 * FPS))  # 0.2 s lost at the bottom of rep 1
    frames = [make_pose_frame(f.frame_index, f.t_s, status=PoseStatus.NO_PERSON) if f.frame_index in gap else f
              for f in frames]
    review = review_of(frames, squat)
    assert review.rep_count == 2
    assert not [w for w in review.warnings if w.id == "no_person"]


def test_nobody_in_view_at_all(squat):
    frames = [make_pose_frame(i, i / FPS, status=PoseStatus.NO_PERSON) for i in range(60)]
    review = review_of(frames, squat)
    assert review.rep_count == 0
    assert review.view is None
    assert [w.id for w in review.warnings] == ["no_person"]


def test_no_frames_at_all(squat):
    review = analyze_poses([], squat, source_info([]))
    assert review.rep_count == 0
    assert [w.id for w in review.warnings] == ["no_frames"]


def test_a_lying_figure_is_not_a_squat(squat):
    """Lying on the back bending the knees (a bridge set-up): the trunk is never upright, so the squat's
    start position is never seen and the knee bends never count."""
    times = np.arange(0.0, 8.0, 1 / FPS)
    bends = squat_bend(times, reps=3, period_s=2.0, depth_deg=100.0, lead_s=1.0)
    frames = [figure_frame(i, float(t), knee_flexion_deg=float(k), hip_flexion_deg=float(k), shin_lean_deg=0.0, lying=True)
              for i, (t, k) in enumerate(zip(times, bends))]
    review = review_of(frames, squat)
    assert review.rep_count == 0
    assert "not_in_position" in [w.id for w in review.warnings]


def test_frame_feedback_counts_live(squat):
    session = ExerciseSession(squat)
    counts, completed = [], []
    for frame in squat_frames(2):
        feedback = session.step(frame)
        counts.append(feedback.rep_count)
        if feedback.completed_rep is not None:
            completed.append((feedback.t_s, feedback.completed_rep.index))
    assert counts[0] == 0 and counts[-1] == 2
    assert [index for _, index in completed] == [1, 2]
    assert all(later >= earlier for earlier, later in itertools.pairwise(counts)), "the live count never goes down"
    assert session.finish(source_info([])).rep_count == 2


def test_metrics_do_not_depend_on_the_video_resolution(squat):
    """The same normalised landmarks (with 0.2 % jitter) in a 480x480 and a 2160x2160 video give the
    same angles: every image metric here is scale-free."""
    rng = np.random.default_rng(0)
    image_xy, world = stick_figure(knee_flexion_deg=20.0)
    noise = rng.normal(0.0, 0.002, (150, *image_xy.shape)).astype(np.float32)
    series = []
    for size in (480, 2160):
        session = ExerciseSession(squat)
        values = [session.step(make_pose_frame(i, i / FPS, image_xy=image_xy + noise[i], world_xyz=world,
                                               visibility=0.95, image_wh=(size, size))).metrics["trunk_lean_deg"]
                  for i in range(len(noise))]
        series.append(np.array(values))
    np.testing.assert_allclose(series[0], series[1], atol=1e-3)


def test_turning_point_checks_are_silent_where_the_landmarks_are_not_seen(squat):
    """The same forward-leaning squats with the shoulders barely visible: reps still count, but the
    forward_lean check (trunk from hips to shoulders) does not judge what it cannot see."""
    import dataclasses

    from formcheck.landmarks import Landmark

    def dim_shoulders(frame: PoseFrame) -> PoseFrame:
        visibility = frame.visibility.copy()
        visibility[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]] = 0.2
        return dataclasses.replace(frame, visibility=visibility)

    frames = squat_frames(3, hip_per_knee=1.25)
    assert "forward_lean" in {fault.id for fault in review_of(frames, squat).faults}
    review = review_of([dim_shoulders(frame) for frame in frames], squat)
    assert review.rep_count == 3
    assert "forward_lean" not in {fault.id for fault in review.faults}


def _with_trunk_upright_for(frames: list[PoseFrame], around_s: float, half_width_s: float) -> list[PoseFrame]:
    """Copies of ``frames`` whose shoulders sit straight above the hips within ``half_width_s`` of
    ``around_s``: a short landmark glitch that makes a leaning trunk read upright."""
    glitched = []
    for pose in frames:
        if abs(pose.t_s - around_s) <= half_width_s:
            image_xy = pose.image_xy.copy()
            for shoulder, hip in ((11, 23), (12, 24)):
                image_xy[shoulder] = image_xy[hip] - [0.0, 0.2]
            pose = make_pose_frame(pose.frame_index, pose.t_s, image_xy=image_xy, world_xyz=pose.world_xyz,
                                   visibility=pose.visibility, image_wh=pose.image_wh)
        glitched.append(pose)
    return glitched


def test_a_rep_requirement_is_judged_over_the_bottom_not_at_one_frame(squat):
    """``reps.require`` asks for a forward-leaning trunk at the bottom; a 0.1 s glitch exactly at
    the turning point reads it upright. The bottom as a whole leans, so the rep still counts."""
    leaning = squat.model_copy(update={"reps": squat.reps.model_copy(update={
        "require": (Condition(metric="trunk_lean_deg", min=40.0),)})})
    frames = squat_frames(1, hip_per_knee=1.25)
    clean = review_of(frames, leaning)
    assert clean.rep_count == 1
    turn_s = clean.reps[0].turn_s
    glitched = review_of(_with_trunk_upright_for(frames, turn_s, 0.05), leaning)
    at_turn = int(np.argmin(np.abs(np.asarray(glitched.series["t_s"]) - turn_s)))
    assert glitched.series["trunk_lean_deg"][at_turn] < 40  # the glitch shows at the turning point
    assert glitched.rep_count == 1
    # the same "glitch" over the whole bottom is no glitch: the trunk was upright and the rep fails
    assert review_of(_with_trunk_upright_for(frames, turn_s, 0.6), leaning).rep_count == 0


def test_each_rep_records_how_far_its_swing_cleared_min_range(squat):
    review = review_of(squat_frames(2), squat)
    for rep in review.reps:
        assert rep.margin == pytest.approx(rep.range - squat.reps.min_range, abs=0.06)
        assert rep.margin > 0
    assert '"margin"' in review.to_json()


def test_a_spec_whose_smallest_rep_is_within_the_noise_does_not_count(squat):
    """A min_range under twice the rep metric's pose noise cannot tell a rep from the pose's own jitter:
    the review says the movement is too small to judge instead of counting."""
    from formcheck.engine import SPEC_NOISE_FACTOR
    from formcheck.reps.noise import rep_noise

    noise = rep_noise(squat)
    tiny = squat.model_copy(update={"reps": squat.reps.model_copy(update={"min_range": 0.9 * SPEC_NOISE_FACTOR * noise})})
    review = review_of(squat_frames(2), tiny)
    assert review.rep_count == 0 and review.reps == []
    [warning] = [warning for warning in review.warnings if warning.id == "not_counted"]
    assert "too small to judge reliably from this view" in warning.message
    assert review.summary.prescription.endswith("asked, not counted")


def test_reps_and_faults_carry_the_noise_of_their_metric(squat):
    review = review_of(squat_frames(2), squat)
    assert all(rep.noise is not None and rep.noise > 0 for rep in review.reps)
    assert review.uncounted_reps == []


def test_a_rep_within_the_noise_of_min_range_is_reported_uncounted_with_why(squat):
    frames = squat_frames(1)
    [rep] = review_of(frames, squat).reps
    close = squat.model_copy(update={"reps": squat.reps.model_copy(update={"min_range": rep.range - rep.noise / 2})})
    review = review_of(frames, close)
    assert review.rep_count == 0 and review.reps == []
    [uncounted] = review.uncounted_reps
    assert uncounted.turn_s == pytest.approx(rep.turn_s, abs=0.05)
    assert 0 < uncounted.margin < rep.noise
    assert uncounted.reason.startswith("too small to judge reliably from this view")
    assert review.summary.partial_reps == 1


def test_a_measurement_is_a_value_held_not_one_frames_peak():
    from formcheck.engine import MEASURE_STRETCH_S, _held_values

    times = np.arange(0, 3, 1 / FPS)
    values = np.where((times > 1.0) & (times < 2.0), 90.0, 40.0)
    values[10] = 150.0  # a one-frame landmark jump
    values[70:72] = np.nan  # not measured
    held = _held_values(times, values)
    assert np.nanmax(held) == pytest.approx(90.0)
    assert np.isnan(held[70]) and held[10] == pytest.approx(40.0)
    assert MEASURE_STRETCH_S <= 1.0


@pytest.mark.parametrize("exercise", ["pelvic_tilt", "squat", "glute_bridge", "hip_hinge", "forward_lunge", "single_leg_bridge"])
def test_which_catalogue_reps_are_above_the_noise(exercise):
    """From the measured noise alone, the pelvic tilt (3 deg) is too small to count, as its spec already
    says; every other counted exercise's smallest rep is at least twice its rep noise."""
    from formcheck.engine import SPEC_NOISE_FACTOR
    from formcheck.reps.noise import rep_noise

    spec = load_spec(exercise)
    uncounted = spec.model_copy(update={"reps": spec.reps.model_copy(update={"not_counted": None})})
    too_small = ExerciseSession(uncounted).not_counted
    assert (too_small is not None) is (exercise == "pelvic_tilt")
    if too_small is None:
        assert spec.reps.min_range >= SPEC_NOISE_FACTOR * rep_noise(spec)
    else:
        assert too_small.startswith("too small to judge reliably from this view")


def _close_up(frames: list[PoseFrame], start_s: float, end_s: float, status: PoseStatus) -> list[PoseFrame]:
    """The frames between ``start_s`` and ``end_s`` filmed zoomed in 2x about the image's centre."""
    return [
        dataclasses.replace(frame, image_xy=(0.5 + 2.0 * (frame.image_xy - 0.5)).astype(np.float32), status=status)
        if start_s <= frame.t_s < end_s else frame
        for frame in frames
    ]


def test_a_cut_away_from_the_whole_body_is_reported_unseen_and_changes_no_count(squat):
    frames = squat_frames(4, tail_s=2.0)
    review = review_of(_close_up(frames, 5.0, 7.0, PoseStatus.PARTLY_OUT_OF_FRAME), squat)
    unseen_frames_only = review_of(
        [dataclasses.replace(f, status=PoseStatus.PARTLY_OUT_OF_FRAME) if 5.0 <= f.t_s < 7.0 else f for f in frames], squat
    )
    [span] = review.unseen_spans
    assert span.start_s == pytest.approx(5.0, abs=1.5 / FPS) and span.end_s == pytest.approx(7.0, abs=1.5 / FPS)
    assert review.summary.unseen_s == pytest.approx(2.0, abs=2 / FPS)
    [warning] = [w for w in review.warnings if w.id == "unseen"]
    assert (warning.start_s, warning.end_s, warning.message) == (span.start_s, span.end_s, span.description)
    assert unseen_frames_only.unseen_spans == []  # the same statuses without a cut: nothing is unseen
    assert review.rep_count == unseen_frames_only.rep_count


def test_a_zoom_that_keeps_the_whole_body_in_view_is_not_unseen(squat):
    review = review_of(_close_up(squat_frames(4, tail_s=2.0), 5.0, 7.0, PoseStatus.OK), squat)
    assert review.unseen_spans == [] and review.summary.unseen_s == 0.0
    assert not [w for w in review.warnings if w.id == "unseen"]


# --- per-rep faults at the moment they happen -------------------------------------------------------
LIVE_CUE_WITHIN_S = 0.5  # a turning-point cue must reach a live session this soon after the turn


def live_faults(frames: list[PoseFrame], spec) -> tuple[Review, list[tuple[float, str, int | None]], dict[int, float]]:
    """Stream ``frames`` through a session: the review, every fault of every frame's ``new_faults`` as
    (frame time, id, rep), and the time each rep was completed (counted) live."""
    session = ExerciseSession(spec)
    emitted, completed = [], {}
    for frame in frames:
        feedback = session.step(frame)
        emitted += [(feedback.t_s, fault.id, fault.rep) for fault in feedback.new_faults]
        if feedback.completed_rep is not None:
            completed[feedback.completed_rep.index] = feedback.t_s
    return session.finish(source_info(frames)), emitted, completed


def test_a_turning_point_fault_is_cued_live_just_after_the_turn_not_when_the_rep_is_back(squat):
    """Leaning squats (61 deg at the bottom, the spec allows 48): each rep's forward_lean reaches the live
    session once the knee bend is back 15 % from its bottom, about 0.25 s after the turn, once per rep; at the
    rep's completion (70 % back, about 0.6 s after the turn) it is not sent again."""
    review, emitted, completed = live_faults(squat_frames(3, depth_deg=135.0, hip_per_knee=1.1), squat)
    assert [[fault.id for fault in rep.faults] for rep in review.reps] == [["forward_lean"]] * 3
    cues = [(t_s, rep) for t_s, fault_id, rep in emitted if fault_id == "forward_lean"]
    assert [rep for _, rep in cues] == [1, 2, 3]
    for (t_s, _), rep in zip(cues, review.reps):
        assert rep.turn_s < t_s <= rep.turn_s + LIVE_CUE_WITHIN_S
        assert t_s < completed[rep.index]


def test_a_turning_point_fault_spans_the_bottom_not_the_whole_rep(squat):
    """The fault's span is where the body was in the faulty position around the turn: it holds the turn
    and lies in the bottom of the rep, well inside the rep's start and end. A bound on depth, which a standing
    person is beyond too, still spans only the bottom."""
    leaning = review_of(squat_frames(3, depth_deg=135.0, hip_per_knee=1.1), squat)
    shallow = review_of(squat_frames(3, depth_deg=70.0, hip_per_knee=0.95), squat)
    for review, fault_id in ((leaning, "forward_lean"), (shallow, "shallow_depth")):
        for rep in review.reps:
            [fault] = [fault for fault in rep.faults if fault.id == fault_id]
            assert fault.start_s <= rep.turn_s <= fault.end_s
            assert rep.turn_s - fault.start_s < 0.5 and fault.end_s - rep.turn_s < 0.5
            assert fault.start_s > rep.start_s + 0.3 and fault.end_s < rep.end_s - 0.3


def test_a_swing_that_will_not_count_is_not_cued_at_its_turn(squat):
    """A leaning swing that fails the spec's ``require`` at the turn is no rep: nothing is cued for it live,
    and the review holds no fault."""
    never_a_rep = squat.model_copy(update={"reps": squat.reps.model_copy(update={
        "require": (Condition(metric="trunk_lean_deg", max=20.0),)})})
    review, emitted, _ = live_faults(squat_frames(2, depth_deg=135.0, hip_per_knee=1.1), never_a_rep)
    assert review.rep_count == 0 and review.faults == []
    assert emitted == []


def test_a_check_read_at_the_rest_end_waits_for_the_rep_to_complete(squat):
    """A check read where the rep metric is lowest, for a squat the rest end (``at: rep_metric_min``, as a
    deadlift from the floor is read), is not decided by the turn: its fault is sent when the rep completes."""
    at_rest = TurningPointFault.model_validate({
        "kind": "turning_point", "id": "upright_at_rest", "metric": "trunk_lean_deg", "at": "rep_metric_min",
        "min": 10.0, "views": ["side"], "cue": "x",
    })
    with_rest_check = squat.model_copy(update={"faults": (at_rest,)})
    review, emitted, completed = live_faults(squat_frames(2, depth_deg=135.0, hip_per_knee=1.1), with_rest_check)
    assert [[fault.id for fault in rep.faults] for rep in review.reps] == [["upright_at_rest"]] * 2
    assert [(t_s, rep) for t_s, _, rep in emitted] == [(completed[1], 1), (completed[2], 2)]
