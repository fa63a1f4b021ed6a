"""A trainer's verdicts on an analysis's faults, and the fault labels they make of its review.

``confirm`` and ``dismiss`` name a fault the review flagged: by its rep, or by a time inside it for a fault
outside reps. ``add`` names one the checks missed, by rep or by time span. A clip's labelled faults are the
review's, less the dismissed ones, plus the added ones: a trainer who judged a clip and left a flagged fault
standing is taken to agree with it.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy.orm import Session

from formcheck.review.schema import FaultEvent, Review
from formcheck.specs.loader import FAULTS_FILE, default_spec_dir, load_fault_names
from formcheck.store.errors import InvalidRecordError
from formcheck.store.models import Judgement

Verdict = Literal["confirm", "dismiss", "add"]


def _is_target(fault: FaultEvent, fault_id: str, rep: int | None, at_s: float | None) -> bool:
    if fault.id != fault_id:
        return False
    if rep is not None:
        return fault.rep == rep
    return at_s is not None and fault.start_s <= at_s <= fault.end_s


def _where(rep: int | None, start_s: float | None) -> str:
    return f"in rep {rep}" if rep is not None else f"at {start_s} s"


def add_judgement(
    session: Session, analysis_id: str, review: Review, verdict: Verdict, fault_id: str, *, rep: int | None = None,
    start_s: float | None = None, end_s: float | None = None, note: str = "",
) -> Judgement:
    """Record a verdict on ``review`` (the analysis's); refuses one that names no fault it can apply to.

    Raises:
        InvalidRecordError: e.g. ``no forward_lean flagged in rep 3``, ``unknown fault id 'x'``.
    """
    if (rep is None) == (start_s is None):
        raise InvalidRecordError("a judgement places its fault by rep or by start_s (one of the two)")
    if verdict in ("confirm", "dismiss"):
        if not any(_is_target(fault, fault_id, rep, start_s) for fault in review.faults):
            raise InvalidRecordError(f"no {fault_id} flagged {_where(rep, start_s)} to {verdict}")
        end_s = None
    else:
        if fault_id not in load_fault_names(default_spec_dir() / FAULTS_FILE).faults:
            raise InvalidRecordError(f"unknown fault id {fault_id!r} (the fault ids are in the labels README)")
        if rep is not None and not 1 <= rep <= review.rep_count:
            raise InvalidRecordError(f"rep {rep} is not one of the {review.rep_count} reps counted")
        if start_s is not None and (end_s is None or not 0 <= start_s < end_s <= review.source.duration_s + 1e-6):
            raise InvalidRecordError(f"a fault added by time needs 0 <= start_s < end_s <= {review.source.duration_s} s")
    judgement = Judgement(
        analysis_id=analysis_id, verdict=verdict, fault_id=fault_id, rep=rep, start_s=start_s, end_s=end_s, note=note.strip()
    )
    session.add(judgement)
    session.commit()
    return judgement


def labelled_faults(review: Review, judgements: list[Judgement]) -> list[dict[str, Any]]:
    """The clip's faults in the formcheck.labels/1 form: ``{id, reps: [...]}`` per fault id for faults in reps,
    ``{id, span: [start, end]}`` for each one outside reps."""
    dismissed = [j for j in judgements if j.verdict == "dismiss"]
    kept = [
        fault for fault in review.faults
        if not any(_is_target(fault, j.fault_id, j.rep, j.start_s) for j in dismissed)
    ]
    reps_by_id: dict[str, set[int]] = {}
    spans: list[dict[str, Any]] = []
    for fault in kept:
        if fault.rep is not None:
            reps_by_id.setdefault(fault.id, set()).add(fault.rep)
        else:
            spans.append({"id": fault.id, "span": [fault.start_s, fault.end_s]})
    for added in (j for j in judgements if j.verdict == "add"):
        if added.rep is not None:
            reps_by_id.setdefault(added.fault_id, set()).add(added.rep)
        else:
            spans.append({"id": added.fault_id, "span": [added.start_s, added.end_s]})
    return [{"id": fault_id, "reps": sorted(reps)} for fault_id, reps in sorted(reps_by_id.items())] + spans
