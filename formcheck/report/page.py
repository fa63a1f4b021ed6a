"""The report page: the review's summary, reps, cues, what was not judged, stills and plots, in one HTML file."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from formcheck.report.plots import measured_series, plot_series
from formcheck.report.stills import Stills, worst_events
from formcheck.review.schema import Review
from formcheck.review.words import fault_name, metric_label
from formcheck.specs import load_spec

# Sized for A4/Letter print as well as a screen: nothing is wider than its column, pictures shrink to fit,
# and a figure or a table row is never split across pages.
REPORT_CSS = """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;margin:0;background:#fff}
main{max-width:900px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid #e3e3e3;padding-bottom:4px;break-after:avoid}
p,li,figcaption{overflow-wrap:anywhere}
td,th{overflow-wrap:break-word}
.meta{color:#555;margin:0 0 16px}
.dose{font-size:22px;font-weight:600;margin:8px 0}
.fault{color:#b3261e;font-weight:600}
.clean{color:#1b7f3b;font-weight:600}
.note{background:#fff6e0;border-left:4px solid #e0a800;padding:8px 12px}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4;font-size:13px}
tr{break-inside:avoid}
ul{padding-left:20px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:12px}
figure{margin:0;break-inside:avoid}
figure img{display:block;max-width:100%;height:auto;border:1px solid #ddd}
.grid figure img{max-height:320px;margin:0 auto}
figcaption{font-size:12px;color:#333;margin-top:4px}
.plots figure{margin-bottom:10px}
@page{size:A4;margin:12mm}
@media print{main{padding:0;max-width:none}body{font-size:12px}}
"""


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _number(value: float | None, unit: str = "", digits: int = 0) -> str:
    return "not measured" if value is None else f"{value:.{digits}f}{unit}"


def _faults_in_words(ids: list[str]) -> str:
    if not ids:
        return '<span class="clean">clean</span>'
    return ", ".join(f'<span class="fault">{escape(fault_name(fault_id))}</span>' for fault_id in dict.fromkeys(ids))


def _summary(review: Review, title: str, counted_word: str) -> str:
    summary = review.summary
    source = review.source
    lines = [
        f"<h1>{escape(title)}: form report</h1>",
        f'<p class="meta">{escape(Path(source.path).name)} - {source.duration_s:.1f} s, {source.width}x{source.height}, '
        f"camera view: {escape(review.view or 'unknown')}"
        + (f", near side: {escape(review.near_side)}" if review.near_side else "") + "</p>",
        f'<p class="dose">{escape(summary.prescription or f"{review.rep_count} {counted_word}")}</p>',
    ]
    facts = [f"{review.rep_count} {counted_word} counted, {summary.clean_reps} clean"]
    if summary.per_side:
        facts.append(", ".join(f"{side}: {count}" for side, count in sorted(summary.per_side.items())))
    if summary.hold_s is not None:
        facts.append(f"held {summary.hold_s:.1f} s, {_number(summary.good_form_s, ' s', 1)} with good form")
    if summary.partial_reps:
        facts.append(f"{summary.partial_reps} partial (not counted)")
    lines.append("<p>" + escape("; ".join(facts)) + "</p>")
    if summary.most_common_fault:
        common = summary.most_common_fault
        lines.append(
            f'<p>Most common fault: <span class="fault">{escape(fault_name(common.id))}</span> '
            f"({common.count} times) - {escape(common.cue)}</p>"
        )
    return "\n".join(lines)


def _rep_table(review: Review, rep_metric: str) -> str:
    label = escape(metric_label(rep_metric))
    sided = any(rep.side for rep in review.reps)
    head = ["Rep", "Time (s)", *(["Side"] if sided else []), f"{label} at the turning point", f"Range: {label}",
            "Tempo: out / back (s)", "Faults"]
    rows = []
    for rep in review.reps:
        cells = [
            str(rep.index), f"{rep.start_s:.1f}-{rep.end_s:.1f}", *([escape(rep.side or "-")] if sided else []),
            _number(rep.metrics.get(rep_metric)), _number(rep.range), f"{rep.tempo_out_s:.1f} / {rep.tempo_return_s:.1f}",
            _faults_in_words([fault.id for fault in rep.faults]),
        ]
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    header = "".join(f"<th>{cell}</th>" for cell in head)
    return f'<table class="reps"><thead><tr>{header}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _hold_table(review: Review) -> str:
    rows = []
    for number, hold in enumerate(review.holds, start=1):
        faults = ", ".join(
            f'<span class="fault">{escape(fault_name(fault_id))}</span> {seconds:.1f} s'
            for fault_id, seconds in hold.fault_s.items()
        ) or '<span class="clean">clean</span>'
        rows.append(
            f"<tr><td>{number}</td><td>{hold.start_s:.1f}-{hold.end_s:.1f}</td><td>{hold.end_s - hold.start_s:.1f}</td>"
            f"<td>{hold.good_form_s:.1f}</td><td>{faults}</td></tr>"
        )
    return (
        '<table class="holds"><thead><tr><th>Hold</th><th>Time (s)</th><th>Held (s)</th><th>Good form (s)</th>'
        f'<th>Faults (time)</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _cues(review: Review) -> str:
    counts: dict[str, int] = {}
    cues: dict[str, str] = {}
    for fault in review.faults:
        counts[fault.id] = counts.get(fault.id, 0) + 1
        cues.setdefault(fault.id, fault.cue)
    if not cues:
        return "<p>No faults seen: nothing to correct.</p>"
    items = "".join(
        f'<li><span class="fault">{escape(fault_name(fault_id))}</span> ({counts[fault_id]}x): {escape(cue)}</li>'
        for fault_id, cue in cues.items()
    )
    return f'<ul class="cues">{items}</ul>'


def _not_judged(review: Review) -> str:
    items = []
    for check in review.checks:
        if check.skipped_reason:
            items.append(f"{escape(fault_name(check.id))}: not judged - {escape(check.skipped_reason)}")
        elif check.judged_fraction < 0.5:
            items.append(
                f"{escape(fault_name(check.id))}: judged in only {check.judged_fraction:.0%} of the frames with a person "
                "(the camera view or visibility did not allow more)"
            )
    for uncounted in review.uncounted_reps:
        items.append(f"Swing at {uncounted.start_s:.1f} - {uncounted.end_s:.1f} s not counted: {escape(uncounted.reason)}")
    for span in review.unseen_spans:
        items.append(f"{span.start_s:.1f} - {span.end_s:.1f} s not seen: {escape(span.description)}")
    for warning in review.warnings:
        items.append(f"{warning.start_s:.1f} - {warning.end_s:.1f} s: {escape(warning.message)}")
    if not items:
        return "<p>Every check was judged through the set.</p>"
    return '<ul class="not-judged">' + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _figure(kind: str, key: str, uri: str, alt: str, caption: str = "") -> str:
    return (
        f'<figure class="{kind}" data-key="{escape(key)}"><img src="{uri}" alt="{escape(alt)}">'
        + (f"<figcaption>{caption}</figcaption>" if caption else "") + "</figure>"
    )


def _stills(review: Review, stills: Stills, rep_metric: str) -> str:
    label = metric_label(rep_metric)
    rep_figures = []
    for rep in review.reps:
        still = stills.reps.get(rep.index)
        if still is not None:
            caption = (
                f"<b>Rep {rep.index}</b>, {still.t_s:.2f} s (turning point): {escape(label)} "
                f"{_number(rep.metrics.get(rep_metric))}; {_faults_in_words([fault.id for fault in rep.faults])}"
            )
            rep_figures.append(_figure("keyframe", str(rep.index), _data_uri("image/jpeg", still.jpeg),
                                       f"rep {rep.index} at its turning point", caption))
    fault_figures = []
    for fault_id, event in worst_events(review).items():
        still = stills.faults.get(fault_id)
        if still is not None:
            value = (
                f": {escape(metric_label(event.metric))} {event.worst_value:.3g}"
                if event.metric is not None and event.worst_value is not None else ""
            )
            where = f"rep {event.rep}, " if event.rep is not None else ""
            caption = f'<span class="fault">{escape(fault_name(fault_id))}</span> at its worst ({where}{still.t_s:.2f} s){value}'
            fault_figures.append(_figure("worst", fault_id, _data_uri("image/jpeg", still.jpeg),
                                         f"{fault_name(fault_id)} at its worst", caption))
    hold_figures = []
    for number, hold in enumerate(review.holds, start=1):
        still = stills.holds.get(number)
        if still is not None:
            caption = (
                f"<b>Hold {number}</b>, {still.t_s:.2f} s (its middle): held {hold.end_s - hold.start_s:.1f} s, "
                f"{hold.good_form_s:.1f} s in good form; {_faults_in_words(list(hold.fault_s))}"
            )
            hold_figures.append(_figure("holdframe", str(number), _data_uri("image/jpeg", still.jpeg),
                                        f"hold {number} at its middle", caption))
    parts = []
    if review.reps:
        parts.append('<h2>Each rep at its turning point</h2><div class="grid keyframes">' + "".join(rep_figures) + "</div>")
    if review.holds:
        parts.append('<h2>Each hold at its middle</h2><div class="grid holdframes">' + "".join(hold_figures) + "</div>")
    if review.faults:
        parts.append('<h2>Each fault at its worst</h2><div class="grid worst-frames">' + "".join(fault_figures) + "</div>")
    return "\n".join(parts)


def build_report(review: Review, stills: Stills | None = None, no_stills_reason: str | None = None) -> str:
    """The whole report as one HTML document.

    Args:
        review: the finished review.
        stills: the pictures from the source video; None when the video is not at hand.
        no_stills_reason: why there are no stills, said in the page in their place.
    """
    spec = load_spec(review.exercise)
    rep_metric = spec.reps.metric if spec.reps is not None else ""
    counted_word = ("hold" if spec.reps is None else "rep") + ("" if review.rep_count == 1 else "s")
    body = [_summary(review, spec.title, counted_word)]
    if review.reps:
        body.append("<h2>Reps</h2>" + _rep_table(review, rep_metric))
    if review.holds:
        body.append("<h2>Holds</h2>" + _hold_table(review))
    body.append("<h2>What to work on</h2>" + _cues(review))
    body.append("<h2>What was not judged, and why</h2>" + _not_judged(review))
    if review.measurements:
        items = "".join(
            f"<li>{escape(m.description)}: {_number(m.value, ' ' + m.unit)}"
            + {True: " (target met)", False: " (target not met)", None: ""}[m.target_met] + "</li>"
            for m in review.measurements
        )
        body.append(f"<h2>Measurements</h2><ul>{items}</ul>")
    if stills is not None:
        body.append(_stills(review, stills, rep_metric))
    elif review.reps or review.faults:
        reason = no_stills_reason or "the source video is not available"
        body.append(f'<h2>Pictures</h2><p class="note no-stills">No keyframes in this report: {escape(reason)}.</p>')
    plots = "".join(
        _figure("plot", metric, _data_uri("image/png", plot_series(review, metric)), f"{metric_label(metric)} over time")
        for metric in measured_series(review, rep_metric or None)
    )
    body.append(
        "<h2>Measured over the set</h2><p>Each measure over time: "
        + ("reps shaded blue and numbered at their turning point (dotted line)" if review.reps else "holds shaded blue")
        + f', the spans of the faults judged from that measure shaded red.</p><div class="plots">{plots}</div>'
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(spec.title)} - form report</title><style>{REPORT_CSS}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )
