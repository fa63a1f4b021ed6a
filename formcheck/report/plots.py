"""Plots of the review's metric series, drawn server-side with matplotlib (Agg) into PNG bytes.

Only ``matplotlib.figure.Figure`` is used, never pyplot: no global figure state, so the API can
draw reports in several threads at once.
"""

from __future__ import annotations

import io
import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from formcheck.review.schema import Review
from formcheck.review.words import fault_name, metric_label

REP_SHADE = "#1f77b4"
FAULT_SHADE = "#d62728"
DPI = 120


def measured_series(review: Review, rep_metric: str | None) -> list[str]:
    """The metrics with at least one value, rep metric first, then those a fault was judged from."""
    measured = [name for name, values in review.series.items() if name != "t_s" and any(v is not None for v in values)]
    judged = {fault.metric for fault in review.faults}
    return sorted(measured, key=lambda name: (name != rep_metric, name not in judged))


def plot_series(review: Review, metric: str) -> bytes:
    """One metric over time: reps and holds shaded blue and numbered, spans of the faults judged from it shaded red."""
    times = [math.nan if t is None else t for t in review.series["t_s"]]
    values = [math.nan if v is None else v for v in review.series[metric]]
    # Constrained layout makes room for the tick labels as finally drawn (tight_layout measures them once, before
    # the new axes height changes the ticks, and can cut "12.5" to ".5").
    figure = Figure(figsize=(7.0, 1.9), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for rep in review.reps:
        axes.axvspan(rep.start_s, rep.end_s, color=REP_SHADE, alpha=0.10, lw=0)
        axes.axvline(rep.turn_s, color=REP_SHADE, alpha=0.5, lw=0.8, ls=":")
        axes.text(rep.turn_s, 1.0, str(rep.index), transform=axes.get_xaxis_transform(), ha="center", va="bottom",
                  fontsize=7, color=REP_SHADE)
    for number, hold in enumerate(review.holds, start=1):
        axes.axvspan(hold.start_s, hold.end_s, color=REP_SHADE, alpha=0.10, lw=0)
        axes.text((hold.start_s + hold.end_s) / 2, 1.0, f"hold {number}", transform=axes.get_xaxis_transform(),
                  ha="center", va="bottom", fontsize=7, color=REP_SHADE)
    shown: set[str] = set()
    for fault in review.faults:
        if fault.metric == metric:
            label = None if fault.id in shown else fault_name(fault.id)
            shown.add(fault.id)
            axes.axvspan(fault.start_s, max(fault.end_s, fault.start_s + 0.05), color=FAULT_SHADE, alpha=0.25, lw=0,
                         label=label)
    axes.plot(times, values, color="black", lw=1.2)
    axes.set_title(metric_label(metric), fontsize=8, loc="left")
    axes.set_xlabel("time (s)", fontsize=7)
    axes.tick_params(labelsize=7)
    axes.margins(x=0.01)
    if shown:
        axes.legend(loc="best", fontsize=7, framealpha=0.8)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
