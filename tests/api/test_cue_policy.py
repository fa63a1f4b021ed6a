"""CuePolicy: coaching rules on synthetic fault sequences (stream time, no model, no clock)."""

from __future__ import annotations

import pytest

from formcheck.live import CueCandidate, CueDecision, CuePolicy

FPS = 10
DEPTH = CueCandidate("shallow_depth", "Sit deeper", "warning", rep=1)
LEAN = CueCandidate("forward_lean", "Chest up", "warning", rep=1)
VALGUS = CueCandidate("knee_valgus", "Knees out", "major", rep=1)


def at_rep(candidate: CueCandidate, rep: int) -> CueCandidate:
    return CueCandidate(candidate.fault_id, candidate.text, candidate.severity, rep)


def run(events: dict[float, list[CueCandidate]], until_s: float, policy: CuePolicy | None = None) -> list[tuple[float, CueDecision]]:
    """Feed frames at FPS from 0 to ``until_s``; ``events`` maps a frame time to the faults confirmed then."""
    policy = policy or CuePolicy(display_s=2.5, cooldown_s=6.0, max_wait_s=2.0)
    decisions = []
    for index in range(round(until_s * FPS) + 1):
        t_s = round(index / FPS, 3)
        decisions.append((t_s, policy.update(t_s, events.get(t_s, []))))
    return decisions


def shown(decisions: list[tuple[float, CueDecision]], text: str) -> list[float]:
    return [t_s for t_s, decision in decisions if decision.text == text]


def spoken(decisions: list[tuple[float, CueDecision]]) -> list[tuple[float, str | None]]:
    return [(t_s, decision.text) for t_s, decision in decisions if decision.speak]


def test_a_cue_is_held_long_enough_to_read_then_cleared() -> None:
    decisions = run({1.0: [DEPTH]}, until_s=5.0)

    times = shown(decisions, "Sit deeper")
    assert (times[0], times[-1]) == (1.0, 3.4)  # 2.5 s on screen at 10 fps
    assert decisions[-1][1] == CueDecision()
    assert spoken(decisions) == [(1.0, "Sit deeper")]


def test_the_same_fault_every_frame_is_not_nagged_about() -> None:
    every_frame = {round(i / FPS, 3): [at_rep(DEPTH, 1 + i // 20)] for i in range(10, 100)}  # 1 s .. 10 s

    decisions = run(every_frame, until_s=10.0)

    times = shown(decisions, "Sit deeper")
    starts = [t for t in times if round(t - 1 / FPS, 3) not in times]
    assert starts == [1.0, 7.0]  # shown again only once the 6 s cooldown is over
    assert [t for t, _ in spoken(decisions)] == [1.0, 7.0]


def test_a_new_fault_waits_for_the_cue_on_screen_instead_of_cutting_it_short() -> None:
    decisions = run({1.0: [DEPTH], 2.0: [at_rep(LEAN, 2)]}, until_s=7.0)

    assert shown(decisions, "Sit deeper")[-1] == 3.4
    assert shown(decisions, "Chest up")[0] == 3.5
    assert spoken(decisions) == [(1.0, "Sit deeper"), (3.5, "Chest up")]


def test_advice_that_waited_too_long_is_dropped() -> None:
    decisions = run({1.0: [DEPTH], 1.2: [LEAN]}, until_s=7.0, policy=CuePolicy(display_s=2.5, cooldown_s=6.0, max_wait_s=1.0))

    assert shown(decisions, "Chest up") == []


def test_the_more_severe_fault_wins_the_banner_and_the_waiting_slot() -> None:
    together = run({1.0: [LEAN, VALGUS]}, until_s=2.0)
    waiting = run({1.0: [DEPTH], 1.5: [VALGUS], 1.6: [LEAN]}, until_s=5.0)

    assert together[10][1].text == "Knees out"
    assert shown(waiting, "Knees out")[0] == 3.5
    assert shown(waiting, "Chest up") == []


@pytest.mark.parametrize(
    ("second_rep", "speaks"),
    [(1, False), (2, True)],
    ids=["same-rep-stays-silent", "next-rep-speaks"],
)
def test_speech_at_most_once_per_rep(second_rep: int, speaks: bool) -> None:
    decisions = run({1.0: [DEPTH], 4.0: [at_rep(LEAN, second_rep)]}, until_s=6.0)

    assert shown(decisions, "Chest up")[0] == 4.0
    assert [text for _, text in spoken(decisions)] == ["Sit deeper"] + (["Chest up"] if speaks else [])
