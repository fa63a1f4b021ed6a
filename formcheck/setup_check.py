"""The set-up check before a live set: is the whole body seen, from a view the exercise is judged from, in enough light?

The guided session counts no rep until this says nothing is left to fix. It reads what the engine already reports
(pose status, the camera advice of ``ExerciseSession``) and adds the one thing the engine cannot see: a dark room.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from formcheck.engine import FrameFeedback
from formcheck.landmarks import PoseStatus

# Mean pixel level (0-255) under which the picture is too dark. A design value, not fitted: lit rooms on webcams
# read 80-150, and under 40 a webcam's noise and the pose model's misses grow fast.
DARK_MEAN_LEVEL = 40.0
TOO_DARK = "too dark: turn on a light, or face a window"
# The pose model finds no one when too little of the body is in the picture (standing close with the feet cut
# off), so "no one in view" alone sends a person who is in view looking for the fault elsewhere.
NO_ONE_SEEN = "no one seen yet: step back until your whole body, head to feet, is in the picture"
HARD_TO_SEE = "hard to see you: more light, or clothes that stand out from the room"


def brightness(image: npt.NDArray[np.uint8]) -> float:
    """The picture's mean level (0-255), from every 8th pixel each way: a cheap, steady estimate."""
    return float(image[::8, ::8].mean())


def setup_advice(feedback: FrameFeedback, level: float) -> str | None:
    """What to fix before the set can start, the most basic first; None when the set-up is good.

    Args:
        feedback: the engine's view of the frame.
        level: the frame's ``brightness``.
    """
    if level < DARK_MEAN_LEVEL:
        return TOO_DARK
    if feedback.status is PoseStatus.NO_PERSON:
        return NO_ONE_SEEN
    if feedback.guidance is not None:  # no one in view, a body part out of frame, the wrong view
        return feedback.guidance
    if feedback.status is PoseStatus.LOW_VISIBILITY:
        return HARD_TO_SEE
    return None
