"""The report page from a review: what it says, in words, and that it needs nothing from outside."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.errors import SourceError
from formcheck.pipeline import analyze_video
from formcheck.pose.cache import PoseCache
from formcheck.pose.run import estimate_source
from formcheck.render.video import write_annotated_video
from formcheck.report import build_report
from formcheck.report.plots import measured_series, plot_series
from formcheck.report.stills import Stills, annotated_stills, grab_stills, worst_events, worst_moment
from formcheck.review.schema import CheckStatus, Hold, Review
from formcheck.review.words import fault_name


class PageParts(HTMLParser):
    """The tags with their attributes, and the text a reader sees."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_style = False
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.text.append(data)

    def figures(self, kind: str) -> list[str]:
        return [attrs["data-key"] or "" for tag, attrs in self.tags if tag == "figure" and attrs.get("class") == kind]

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture(scope="module")
def page(faulty_review: Review, faulty_stills: Stills) -> PageParts:
    return PageParts(build_report(faulty_review, faulty_stills))


def test_one_keyframe_per_rep_one_worst_frame_per_fault_one_plot_per_measured_series(
    faulty_review: Review, page: PageParts
) -> None:
    assert faulty_review.rep_count == 3  # the labelled count
    assert page.figures("keyframe") == ["1", "2", "3"]
    assert sorted(page.figures("worst")) == sorted({fault.id for fault in faulty_review.faults})
    plotted = page.figures("plot")
    assert plotted == measured_series(faulty_review, "knee_bend_deg") and plotted[0] == "knee_bend_deg"
    assert len(plotted) == sum(
        any(value is not None for value in values) for name, values in faulty_review.series.items() if name != "t_s"
    )


def test_the_page_loads_nothing_from_outside(page: PageParts) -> None:
    assert not [tag for tag, _ in page.tags if tag in ("script", "link", "iframe", "object", "embed")]
    sources = [value or "" for _, attrs in page.tags for name, value in attrs.items() if name in ("src", "href")]
    assert sources and all(source.startswith(("data:image/jpeg;base64,", "data:image/png;base64,")) for source in sources)


def test_summary_dose_reps_and_cues_are_in_words(faulty_review: Review, page: PageParts) -> None:
    words = page.words
    assert "3 of 8-12 reps" in words and "3 reps counted, 0 clean" in words
    for fault in faulty_review.faults:
        assert fault_name(fault.id) in words and fault.cue in words
        assert fault.id not in words  # ids stay in attributes, for programs
    assert "knee bend (deg) at the turning point" in words and "Range: knee bend (deg)" in words
    rep = faulty_review.reps[0]
    assert f"{rep.tempo_out_s:.1f} / {rep.tempo_return_s:.1f}" in words
    assert f"{rep.start_s:.1f}-{rep.end_s:.1f}" in words


def test_what_was_not_judged_says_why(faulty_review: Review) -> None:
    checks = [*faulty_review.checks, CheckStatus(id="heels_up", judged_fraction=0.0, skipped_reason="feet not seen")]
    words = PageParts(build_report(faulty_review.model_copy(update={"checks": checks}))).words
    assert "Heels lifting: not judged - feet not seen" in words
    knees = next(check for check in faulty_review.checks if check.id == "knee_valgus")
    assert knees.judged_fraction < 0.5  # a side view: the knees' width is seldom judged
    assert f"Knees caving in: judged in only {knees.judged_fraction:.0%} of the frames" in words


def test_without_the_video_the_page_says_why_it_has_no_stills(faulty_review: Review) -> None:
    parts = PageParts(build_report(faulty_review, None, "the video was deleted"))
    assert not parts.figures("keyframe") and not parts.figures("worst")
    assert "No keyframes in this report: the video was deleted." in parts.words
    assert parts.figures("plot")


def test_each_fault_is_shown_at_its_worst_value_within_its_span(faulty_review: Review, faulty_stills: Stills) -> None:
    times = faulty_review.series["t_s"]
    for fault_id, event in worst_events(faulty_review).items():
        assert event.margin == max(f.margin or 0 for f in faulty_review.faults if f.id == fault_id)
        moment = worst_moment(faulty_review, event)
        assert event.start_s <= moment <= event.end_s
        value = faulty_review.series[event.metric or ""][times.index(moment)]
        assert value == pytest.approx(event.worst_value, abs=0.01)
        assert faulty_stills.faults[fault_id].t_s == pytest.approx(moment, abs=0.02)
    for rep in faulty_review.reps:
        assert faulty_stills.reps[rep.index].t_s == pytest.approx(rep.turn_s, abs=0.02)


def test_stills_are_drawn_as_in_the_annotated_video(faulty_stills: Stills) -> None:
    image = cv2.imdecode(np.frombuffer(faulty_stills.reps[1].jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape[:2] == (360, 202)
    blue, green, red = image.astype(int).transpose(2, 0, 1)
    assert ((green > 180) & (red < 60) & (blue > 80)).sum() > 100  # the skeleton's bones
    assert ((red > 200) & (green < 110) & (blue < 110)).sum() > 200  # faults in red: the segment at fault, the names


def test_stills_refuse_a_video_other_than_the_one_reviewed(faulty_review: Review, squat_clip: Path) -> None:
    with pytest.raises(SourceError, match="not the video reviewed"):
        grab_stills(faulty_review, squat_clip, PoseCache())


def _red_columns(png: bytes) -> int:
    """Columns of the picture with reddish pixels (the fault shade, also where it lies over a rep's blue)."""
    blue, green, red = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR).astype(int).transpose(2, 0, 1)
    return int(((red - blue > 25) & (red - green > 25)).any(axis=0).sum())


def test_plots_shade_the_spans_of_the_faults_judged_from_their_metric(faulty_review: Review) -> None:
    assert _red_columns(plot_series(faulty_review, "trunk_lean_deg")) > 50  # forward lean is judged from it
    assert _red_columns(plot_series(faulty_review, "knee_width_ratio")) == 0  # nothing is


def test_a_series_never_measured_gets_no_plot(faulty_review: Review) -> None:
    series = {**faulty_review.series, "heel_rise_norm": [None] * len(faulty_review.series["t_s"])}
    assert "heel_rise_norm" not in measured_series(faulty_review.model_copy(update={"series": series}), "knee_bend_deg")


def test_text_from_the_review_is_escaped(faulty_review: Review) -> None:
    source = faulty_review.source.model_copy(update={"path": "<b onclick=x>.mp4"})
    page = build_report(faulty_review.model_copy(update={"source": source}))
    assert "<b onclick" not in page and "&lt;b onclick=x&gt;.mp4" in page


def test_plots_keep_their_tick_labels_inside_the_picture(faulty_review: Review) -> None:
    for metric in measured_series(faulty_review, "knee_bend_deg"):
        image = cv2.imdecode(np.frombuffer(plot_series(faulty_review, metric), np.uint8), cv2.IMREAD_GRAYSCALE)
        edges = min(image[:, :2].min(), image[:, -2:].min(), image[:2].min(), image[-2:].min())
        assert edges > 200, f"{metric}: something drawn at the picture's edge (a label cut off)"


def test_holds_are_tabled_and_shaded_like_reps(faulty_review: Review) -> None:
    hold = Hold(start_s=1.0, end_s=4.0, good_form_s=2.5, fault_s={"forward_lean": 0.5})
    review = faulty_review.model_copy(update={"reps": [], "holds": [hold], "faults": []})
    words = PageParts(build_report(review)).words
    assert "1.0-4.0 3.0 2.5 Leaning forward 0.5 s" in words and "holds shaded blue" in words
    png = plot_series(review, "knee_bend_deg")
    blue, green, red = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR).astype(int).transpose(2, 0, 1)
    shaded = ((blue - red > 10) & (green > 200)).any(axis=0).sum()
    assert shaded > 0.25 * blue.shape[1]  # 3 s of an 8.9 s clip


def test_a_fault_without_a_metric_is_shown_at_its_start(faulty_review: Review) -> None:
    fault = faulty_review.faults[0].model_copy(update={"metric": None, "worst_value": None})
    assert worst_moment(faulty_review, fault) == fault.start_s


def test_stills_from_the_annotated_video_are_its_frames_at_the_same_moments(
    faulty_review: Review, faulty_stills: Stills, faulty_squat: Path, tmp_path: Path
) -> None:
    annotated = tmp_path / "annotated.mp4"
    write_annotated_video(faulty_squat, estimate_source(faulty_squat, cache=PoseCache()).frames, faulty_review, annotated)
    stills = annotated_stills(faulty_review, annotated)
    assert stills.reps.keys() == faulty_stills.reps.keys() and stills.faults.keys() == faulty_stills.faults.keys()
    for index, still in stills.reps.items():
        assert still.t_s == pytest.approx(faulty_stills.reps[index].t_s, abs=0.04)
        drawn, kept = (cv2.imdecode(np.frombuffer(one.jpeg, np.uint8), cv2.IMREAD_COLOR)[:360, :202].astype(int)
                       for one in (faulty_stills.reps[index], still))
        assert np.abs(drawn - kept).mean() < 10  # the same drawing, but for the video's compression


def test_a_held_exercise_gets_a_still_of_each_hold_at_its_middle(shared: Path) -> None:
    """A plank is judged over its hold, not at a turn: the report shows each hold at its middle."""
    clip = shared / "clips/TomNotchYmk-lightweight-human-pose-estimation-3d-demo.pytorch/plank.mp4"
    if not clip.is_file():
        pytest.skip(f"shared clip not available: {clip}")
    review = analyze_video(clip, "plank", cache=PoseCache())
    assert len(review.holds) == 1  # the labelled count
    stills = grab_stills(review, clip, PoseCache())
    (hold,) = review.holds
    assert list(stills.holds) == [1]
    assert abs(stills.holds[1].t_s - (hold.start_s + hold.end_s) / 2) < 0.1
    assert PageParts(build_report(review, stills)).figures("holdframe") == ["1"]
