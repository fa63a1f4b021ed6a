"""Stills of positions (../shared/images, see its README): one frame is enough to recognise a
held position or a start position, and the wrong positions are not taken for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.engine import ExerciseSession
from formcheck.pose.cache import PoseCache
from formcheck.pose.run import estimate_source
from formcheck.specs import load_spec

IMAGES = Path(__file__).resolve().parents[2].parent / "shared" / "images"


def _first_frame(exercise: str, image: str):
    path = IMAGES / image
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    pose = estimate_source(path, cache=PoseCache()).frames[0]
    return ExerciseSession(load_spec(exercise)).step(pose)


@pytest.mark.parametrize(
    ("exercise", "image"),
    [
        ("plank", "Plank/Plank_1.jpg"),
        ("plank", "Plank/wahoo_plank_t12.0s.jpg"),
        ("plank", "Plank/Push_Up_to_Side_Plank_0.jpg"),
        ("side_plank", "Side_Plank/wahoo_side_plank_t13.0s.jpg"),
        ("side_plank", "Side_Plank/Side_Bridge_1.jpg"),
        ("bird_dog", "Bird_Dog/polybag_bird_dog_t3.0s_extended.jpg"),
        ("bird_dog", "Bird_Dog/polybag_bird_dog_t9.5s_extended.jpg"),
        ("cat_cow", "Cat_Stretch/polybag_kocici_hrbet_t1.4s_cat.jpg"),
        ("cat_cow", "Cat_Stretch/Cat_Stretch_1.jpg"),
        ("single_leg_bridge", "Bridge/Single_Leg_Glute_Bridge_1.jpg"),
    ],
)
def test_held_position_is_recognised(exercise: str, image: str) -> None:
    assert _first_frame(exercise, image).holding


@pytest.mark.parametrize(
    ("exercise", "image"),
    [
        ("plank", "Superman/Superman_0.jpg"),
        ("plank", "Superman/darebee_super_t3.5s_down.jpg"),
        ("plank", "Bridge/Butt_Lift_Bridge_1.jpg"),
        ("single_leg_bridge", "Superman/Superman_0.jpg"),
        ("single_leg_bridge", "Superman/darebee_super_t1.5s_up.jpg"),
        ("cat_cow", "Cat_Stretch/polybag_kocici_hrbet_t5.2s_cow.jpg"),  # the cow end is not the held cat
        ("bird_dog", "Bird_Dog/polybag_bird_dog_t0.25s_start.jpg"),  # on all fours, nothing reached yet
        ("side_plank", "Plank/Plank_1.jpg"),
    ],
)
def test_other_positions_are_not_taken_for_the_hold(exercise: str, image: str) -> None:
    assert not _first_frame(exercise, image).holding


@pytest.mark.parametrize(
    ("exercise", "image"),
    [
        ("glute_bridge", "Bridge/Butt_Lift_Bridge_0.jpg"),
        ("dead_bug", "Dead_Bug/Dead_Bug_0.jpg"),
        ("bird_dog", "Bird_Dog/polybag_bird_dog_t0.25s_start.jpg"),
        ("cat_cow", "Cat_Stretch/Cat_Stretch_0.jpg"),
    ],
)
def test_start_position_is_recognised(exercise: str, image: str) -> None:
    assert _first_frame(exercise, image).phase != "setup"


@pytest.mark.parametrize(
    ("exercise", "image"),
    [
        ("glute_bridge", "Plank/Plank_1.jpg"),
        ("dead_bug", "Plank/Plank_1.jpg"),
        ("bird_dog", "Superman/Superman_1.jpg"),
        ("squat", "Plank/Plank_1.jpg"),
    ],
)
def test_wrong_start_position_stays_in_set_up(exercise: str, image: str) -> None:
    assert _first_frame(exercise, image).phase == "setup"
