"""Causal landmark filters: what a caller can rely on, on synthetic streams at 30 fps."""

from __future__ import annotations

from contextlib import nullcontext as does_not_raise

import numpy as np
import pytest

from formcheck.metrics.smoothing import NoFilter, OneEuroFilter, make_filter

FPS = 30.0


def run(filter_, values, fps: float = FPS) -> np.ndarray:
    return np.array([filter_.update(i / fps, np.asarray(v, np.float64)) for i, v in enumerate(values)])


def test_constant_input_stays_constant():
    out = run(OneEuroFilter(), [np.array([3.5, -2.0, 0.25])] * 60)
    np.testing.assert_allclose(out, np.tile([3.5, -2.0, 0.25], (60, 1)))


def test_first_value_passes_through():
    assert OneEuroFilter().update(0.0, np.array([7.0]))[0] == 7.0


def test_step_converges_and_does_not_overshoot():
    values = [0.0] * 30 + [100.0] * 60  # a jump of 100 (px) held for 2 s
    out = run(OneEuroFilter(), [[v] for v in values])[:, 0]
    after = out[30:]
    assert after[0] < 100.0, "a causal smoother cannot jump the whole step at once"
    assert np.all(np.diff(after) >= -1e-9), "the output should approach the step monotonically"
    assert after.max() <= 100.0 + 1e-9
    assert after[-1] == pytest.approx(100.0, abs=0.5), f"still {after[-1]:.2f} two seconds after the step"


def test_jitter_is_reduced():
    """The defaults are tuned for normalised image coordinates (module docstring): a still landmark
    with 0.2 % of the image of noise comes out with less than half the spread."""
    rng = np.random.default_rng(7)
    noisy = 0.5 + rng.normal(0.0, 0.002, size=(300, 2))
    out = run(OneEuroFilter(), noisy)
    # ignore the first second while the filter settles
    assert out[30:].std(axis=0).max() < 0.5 * noisy[30:].std(axis=0).min(), (
        f"output std {out[30:].std(axis=0)} vs input {noisy[30:].std(axis=0)}"
    )
    assert out[30:].mean(axis=0) == pytest.approx(noisy[30:].mean(axis=0), abs=0.001)


def test_nan_gap_stays_nan_and_the_filter_restarts_after_it():
    values = [[10.0]] * 30 + [[np.nan]] * 10 + [[50.0]] * 20
    out = run(OneEuroFilter(), values)[:, 0]
    assert np.all(np.isnan(out[30:40])), "a gap must stay a gap: nothing is invented across it"
    assert out[40] == 50.0, "the first value after a gap is passed through (the filter restarts)"
    assert np.all(out[40:] == pytest.approx(50.0))


def test_gap_in_one_coordinate_leaves_the_others_filtered():
    filter_ = OneEuroFilter()
    filter_.update(0.0, np.array([0.0, 0.0]))
    out = filter_.update(1 / FPS, np.array([np.nan, 100.0]))
    assert np.isnan(out[0])
    assert 0.0 < out[1] < 100.0


def test_time_going_backwards_restarts_the_filter():
    filter_ = OneEuroFilter()
    filter_.update(1.0, np.array([0.0]))
    assert filter_.update(0.5, np.array([42.0]))[0] == 42.0


def test_no_filter_passes_values_through():
    values = np.array([[1.0], [5.0], [np.nan], [2.0]])
    np.testing.assert_array_equal(run(NoFilter(), values), values)


@pytest.mark.parametrize(
    ("name", "expected_type", "raises"),
    [
        ("one_euro", OneEuroFilter, does_not_raise()),
        ("none", NoFilter, does_not_raise()),
        ("kalman", None, pytest.raises(ValueError, match=r"unknown filter 'kalman'; choose one of none, one_euro")),
        ("", None, pytest.raises(ValueError, match=r"unknown filter ''")),
    ],
)
def test_make_filter_by_name(name, expected_type, raises):
    with raises:
        assert isinstance(make_filter(name), expected_type)


def test_make_filter_gives_independent_filters():
    first, second = make_filter("one_euro"), make_filter("one_euro")
    first.update(0.0, np.array([1.0]))
    assert second.update(0.0, np.array([9.0]))[0] == 9.0
