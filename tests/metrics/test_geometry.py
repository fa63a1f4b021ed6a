"""Geometry on hand-computed cases: every expected value below can be checked with a protractor."""

from __future__ import annotations

import math
from contextlib import nullcontext as does_not_raise

import numpy as np
import pytest

from formcheck.metrics.geometry import (
    distance,
    inclination_deg,
    joint_angle_deg,
    signed_inclination_deg,
    yaw_to_camera_deg,
)

NAN = float("nan")


@pytest.mark.parametrize(
    ("a", "b", "c", "expected"),
    [
        pytest.param((1, 0), (0, 0), (0, 1), 90.0, id="right angle"),
        pytest.param((-1, 0), (0, 0), (1, 0), 180.0, id="straight"),
        pytest.param((2, 0), (0, 0), (1, 1), 45.0, id="45 degrees"),
        pytest.param((1, 0), (0, 0), (1, 0), 0.0, id="folded shut"),
        pytest.param((0, 5), (0, 0), (3, -3), 135.0, id="135, unequal lengths"),
        pytest.param((1, 0, 0), (0, 0, 0), (0, 0, 1), 90.0, id="3-D right angle out of the image plane"),
        pytest.param((1, 1, 0), (0, 0, 0), (0, 1, 1), 60.0, id="3-D 60 degrees"),
        pytest.param((10, 20), (10, 10), (20, 10), 90.0, id="right angle away from the origin"),
    ],
)
def test_joint_angle_hand_computed(a, b, c, expected):
    assert joint_angle_deg(np.array(a, float), np.array(b, float), np.array(c, float)) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("a", "b", "c"),
    [
        pytest.param((NAN, 0), (0, 0), (0, 1), id="NaN in a"),
        pytest.param((1, 0), (0, NAN), (0, 1), id="NaN in b"),
        pytest.param((1, 0, 0), (0, 0, 0), (0, 0, NAN), id="NaN in c, 3-D"),
        pytest.param((0, 0), (0, 0), (0, 1), id="zero-length ray"),
    ],
)
def test_joint_angle_is_nan_when_undefined(a, b, c):
    assert math.isnan(float(joint_angle_deg(np.array(a, float), np.array(b, float), np.array(c, float))))


def test_joint_angle_is_vectorised_over_frames():
    a = np.array([[1, 0], [-1, 0], [NAN, 0]], float)
    b = np.zeros((3, 2))
    c = np.array([[0, 1], [1, 0], [0, 1]], float)
    result = joint_angle_deg(a, b, c)
    assert result.shape == (3,)
    np.testing.assert_allclose(result[:2], [90.0, 180.0])
    assert math.isnan(result[2])


@pytest.mark.parametrize(
    ("a", "b", "reference", "expected", "raises"),
    [
        pytest.param((0, 0), (0, 10), "vertical", 0.0, does_not_raise(), id="vertical segment from vertical"),
        pytest.param((0, 10), (0, 0), "vertical", 0.0, does_not_raise(), id="direction is ignored"),
        pytest.param((0, 0), (10, 0), "vertical", 90.0, does_not_raise(), id="horizontal segment from vertical"),
        pytest.param((0, 0), (10, 0), "horizontal", 0.0, does_not_raise(), id="horizontal from horizontal"),
        pytest.param((0, 0), (0, 10), "horizontal", 90.0, does_not_raise(), id="vertical from horizontal"),
        pytest.param((0, 0), (10, 10), "vertical", 45.0, does_not_raise(), id="diagonal"),
        pytest.param((0, 0), (-10, 10), "vertical", 45.0, does_not_raise(), id="diagonal the other way, unsigned"),
        pytest.param((0, 0), (1, math.sqrt(3)), "vertical", 30.0, does_not_raise(), id="30 from vertical"),
        pytest.param((0, 0), (1, math.sqrt(3)), "horizontal", 60.0, does_not_raise(), id="60 from horizontal"),
        pytest.param((0, 0, 5), (0, 10, -7), "vertical", 0.0, does_not_raise(), id="depth is ignored"),
        pytest.param((0, 0), (1, 1), "diagonal", None, pytest.raises(ValueError, match="reference must be"), id="bad reference"),
    ],
)
def test_inclination(a, b, reference, expected, raises):
    with raises:
        result = inclination_deg(np.array(a, float), np.array(b, float), reference)
        assert result == pytest.approx(expected, abs=1e-9)


def test_inclination_nan_in_nan_out():
    assert math.isnan(float(inclination_deg(np.array([NAN, 0.0]), np.array([0.0, 1.0]))))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # image y grows downwards: "up" is -y
        pytest.param((0, 0), (0, -10), 0.0, id="straight up"),
        pytest.param((0, 0), (10, -10), 45.0, id="up and to the image right is positive"),
        pytest.param((0, 0), (-10, -10), -45.0, id="up and to the image left is negative"),
        pytest.param((0, 0), (10, 0), 90.0, id="image right"),
        pytest.param((0, 0), (-10, 0), -90.0, id="image left"),
        pytest.param((0, 0), (0, 10), 180.0, id="straight down"),
    ],
)
def test_signed_inclination_sign_convention(a, b, expected):
    assert signed_inclination_deg(np.array(a, float), np.array(b, float)) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        pytest.param((0.2, 0, 0), (-0.2, 0, 0), 0.0, id="facing the camera"),
        pytest.param((-0.2, 0, 0), (0.2, 0, 0), 0.0, id="back to the camera"),
        pytest.param((0, 0, -0.2), (0, 0, 0.2), 90.0, id="side-on, left side near"),
        pytest.param((0, 0, 0.2), (0, 0, -0.2), 90.0, id="side-on, right side near"),
        pytest.param((0.2, 0, 0.2), (-0.2, 0, -0.2), 45.0, id="half-way"),
        pytest.param((0.2, 0.3, 0), (-0.2, -0.3, 0), 0.0, id="a tilted shoulder line is still facing"),
    ],
)
def test_yaw_to_camera(left, right, expected):
    assert yaw_to_camera_deg(np.array(left, float), np.array(right, float)) == pytest.approx(expected, abs=1e-9)


def test_distance():
    assert distance(np.array([0.0, 0.0]), np.array([3.0, 4.0])) == pytest.approx(5.0)
    assert math.isnan(float(distance(np.array([NAN, 0.0]), np.array([3.0, 4.0]))))
