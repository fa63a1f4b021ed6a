"""The ``formcheck`` command: a thin door onto the same engine the API uses."""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from formcheck.errors import FormcheckError
from formcheck.pose.cache import PoseCache, default_cache_dir
from formcheck.review.schema import Review

if TYPE_CHECKING:
    from formcheck.folder import ClipOutcome
    from formcheck.pose.run import PoseTrack
    from formcheck.store.database import Database

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Check exercise form from video: reps, holds and faults.")
# Piped output (logs, CI) gets a wide fixed width instead of rich's 80-column default.
console = Console(width=None if sys.stdout.isatty() else 140)
error_console = Console(stderr=True, width=None if sys.stderr.isatty() else 140)
T = TypeVar("T")

EXIT_USER_ERROR = 1
EXIT_BUG = 3
EXIT_INTERRUPTED = 130  # the shell's code for Ctrl-C


def _run(action: Callable[[], T]) -> T:
    """Run a command body: expected failures print one line and exit 1; bugs exit 3 with a log."""
    try:
        return action()
    except FormcheckError as error:
        error_console.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_USER_ERROR) from None
    except KeyboardInterrupt:
        error_console.print("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as error:  # noqa: BLE001 - a bug: keep the traceback in a file, not on the user's screen
        log = _log_bug(traceback.format_exc())
        error_console.print(
            f"[bold red]internal error:[/] {error.__class__.__name__}: {error} (details in {log})", soft_wrap=True
        )
        raise typer.Exit(EXIT_BUG) from None


def _log_bug(details: str) -> Path:
    """Keep a bug's traceback in a file for a report, off the user's screen; returns the file."""
    log = default_cache_dir().parent / "last-error.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(details)
    return log


def _fmt(value: float | None, digits: int = 0, unit: str = "") -> str:
    return "-" if value is None else f"{value:.{digits}f}{unit}"


def print_review(review: Review) -> None:
    """The per-rep table and the summary, as a person reads them."""
    from formcheck.review.words import fault_name, metric_label
    from formcheck.specs import load_spec

    spec = load_spec(review.exercise)
    source = review.source
    console.print(
        f"[bold]{spec.title}[/] - {Path(source.path).name}: {source.duration_s:.1f} s, {source.width}x{source.height}, "
        f"view: {review.view or 'unknown'}" + (f", near side: {review.near_side}" if review.near_side else "")
    )
    if review.reps:
        rep_metric = spec.reps.metric if spec.reps is not None else ""
        table = Table(show_header=True, header_style="bold")
        for column in ("rep", "time s", "side", metric_label(rep_metric), "out s", "back s", "faults"):
            table.add_column(column)
        for rep in review.reps:
            faults = ", ".join(f"[red]{fault_name(f.id)}[/]" for f in rep.faults) or "[green]clean[/]"
            table.add_row(
                str(rep.index), f"{rep.start_s:.1f}-{rep.end_s:.1f}", rep.side or "-",
                _fmt(rep.metrics.get(rep_metric)), f"{rep.tempo_out_s:.1f}", f"{rep.tempo_return_s:.1f}", faults,
            )
        console.print(table)
    if review.holds:
        table = Table(show_header=True, header_style="bold")
        for column in ("hold", "time s", "side", "held s", "good form s", "faults (s)"):
            table.add_column(column)
        for number, hold in enumerate(review.holds, start=1):
            faults = ", ".join(
                f"[red]{fault_name(fault_id)}[/] {seconds:.1f}" for fault_id, seconds in hold.fault_s.items()
            ) or "[green]clean[/]"
            table.add_row(
                str(number), f"{hold.start_s:.1f}-{hold.end_s:.1f}", hold.side or "-", f"{hold.end_s - hold.start_s:.1f}",
                f"{hold.good_form_s:.1f}", faults,
            )
        console.print(table)
    cues = {f.id: f.cue for f in review.faults}
    for fault_id, cue in cues.items():
        console.print(f"  [red]{fault_name(fault_id)}[/]: {cue}")
    for measurement in review.measurements:
        verdict = {True: "[green]target met[/]", False: "[yellow]target not met[/]", None: ""}[measurement.target_met]
        value = "not measured" if measurement.value is None else f"{measurement.value:.0f} {measurement.unit}"
        console.print(f"{measurement.id}: {value} {verdict} - {measurement.description}")
    for warning in review.warnings:
        console.print(f"[yellow]warning[/] {warning.start_s:.1f}-{warning.end_s:.1f} s: {warning.message}")
    for check in review.checks:
        if check.skipped_reason:
            console.print(f"[dim]not judged: {fault_name(check.id)} ({check.skipped_reason})[/]")
    summary = review.summary
    unit = ("hold" if spec.reps is None else "rep") + ("" if review.rep_count == 1 else "s")
    line = f"[bold]{review.rep_count} {unit}[/], {summary.clean_reps} clean"
    if summary.per_side:
        line += " (" + ", ".join(f"{side} {count}" for side, count in sorted(summary.per_side.items())) + ")"
    if summary.hold_s is not None:
        line += f", held {summary.hold_s:.1f} s ({summary.good_form_s:.1f} s good form)"
    if summary.partial_reps:
        line += f", {summary.partial_reps} partial (not counted)"
    if summary.prescription:
        line += f" - {summary.prescription}"
    console.print(line)
    if summary.most_common_fault:
        fault = summary.most_common_fault
        console.print(f"most common fault: [red]{fault_name(fault.id)}[/] ({fault.count}x) - {fault.cue}")
    if summary.processing:
        speed = summary.processing
        cached = " (pose from cache)" if speed.pose_from_cache else ""
        console.print(f"[dim]processed at {speed.frames_per_s:.0f} frames/s, {speed.x_real_time:.1f}x real time{cached}[/]")


@app.command()
def analyze(
    source: Annotated[str, typer.Argument(help="video file (mp4, mov, avi, webm, gif), still image, or a folder of videos")],
    exercise: Annotated[str, typer.Option("--exercise", "-e", help="exercise id (see `formcheck exercises`)")],
    json_path: Annotated[Path | None, typer.Option("--json", help="write the review JSON here (for a folder: into this folder, one per clip, e.g. set1.mp4.json)")] = None,
    model: Annotated[Path | None, typer.Option("--model", help="an official pose landmarker .task file")] = None,
    use_cache: Annotated[bool, typer.Option("--cache/--no-cache", help="reuse pose results of a clip seen before")] = True,
    annotate: Annotated[Path | None, typer.Option("--annotate", help="write a copy of the video with skeleton, reps and cues (mp4; for a folder: into this folder, e.g. set1.mp4.annotated.mp4)")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="for a folder: clips analysed at once, each in its own process (default: one per core)")] = None,
) -> None:
    """Review a recorded set: reps, tempo, faults and cues. Given a folder, review every video in it."""
    from formcheck.pipeline import review_with_poses, write_review_json
    from formcheck.pose.estimator import threads_per_job

    if Path(source).is_dir():
        analyze_folder(Path(source), exercise, json_path, model, use_cache, annotate, jobs)
        return

    def body() -> tuple[Review, PoseTrack]:
        progress = Progress(
            TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("frames"), TextColumn("{task.fields[fps]} fps"), TimeRemainingColumn(),
            console=error_console, transient=True,
        )
        task = progress.add_task("analysing", total=None, fps="-")
        started = time.perf_counter()

        def on_frame(done: int, expected: int) -> None:
            # The bar appears with the first frame, so a bad id or an unreadable file fails with
            # its one line and no half-drawn display.
            if not progress.live.is_started:
                progress.start()
            rate = done / max(time.perf_counter() - started, 1e-6)
            progress.update(task, completed=done, total=expected or None, fps=f"{rate:.0f}")

        try:
            review, track = review_with_poses(
                source, exercise, model_path=model, cache=PoseCache() if use_cache else None, progress=on_frame,
                model_threads=threads_per_job(1),
            )
        finally:
            if progress.live.is_started:
                progress.stop()
        if json_path is not None:
            write_review_json(review, json_path)
        return review, track

    review, track = _run(body)
    print_review(review)
    if json_path is not None:
        console.print(f"[dim]review written to {json_path}[/]")
    if annotate is not None:
        # After the review is shown and saved: a video that cannot be written loses nothing else.
        from formcheck.render.video import write_annotated_video

        _run(lambda: write_annotated_video(source, track.frames, review, annotate))
        console.print(f"[dim]annotated video written to {annotate}[/]")
    if track.interrupted and not source.isdigit():  # Ctrl-C is how a webcam set ends; a file had more to give
        raise typer.Exit(EXIT_INTERRUPTED)


def analyze_folder(
    folder: Path, exercise: str, json_dir: Path | None, model: Path | None, use_cache: bool, annotate_dir: Path | None,
    jobs: int | None,
) -> None:
    """``analyze FOLDER``: one progress bar over the clips, then one row per clip; exit 1 when any failed."""
    from formcheck.folder import FolderRun, default_jobs, review_folder, videos_in

    workers = jobs or default_jobs()
    started = time.perf_counter()

    def body() -> list[ClipOutcome]:
        videos = videos_in(folder)
        progress = Progress(
            TextColumn("analysing"), BarColumn(), MofNCompleteColumn(), TextColumn(f"clips ({workers} at once)"),
            TimeElapsedColumn(), console=error_console, transient=True,
        )
        task = progress.add_task("clips", total=len(videos))
        run = FolderRun(exercise, model, use_cache, json_dir, annotate_dir)
        with progress:
            return review_folder(videos, run, workers, on_done=lambda _: progress.advance(task))

    outcomes = _run(body)
    print_folder_table(outcomes)
    failed = [outcome for outcome in outcomes if outcome.review is None]
    console.print(
        f"[bold]{len(outcomes)} clips[/]: {len(outcomes) - len(failed)} analysed, {len(failed)} failed "
        f"in {time.perf_counter() - started:.1f} s ({workers} at once)"
    )
    if json_dir is not None:
        console.print(f"[dim]reviews written to {json_dir}[/]")
    if annotate_dir is not None:
        console.print(f"[dim]annotated videos written to {annotate_dir}[/]")
    bugs = [outcome.bug for outcome in failed if outcome.bug is not None]
    if bugs:
        error_console.print(f"[bold red]internal error[/] on {len(bugs)} clips (details in {_log_bug(chr(10).join(bugs))})")
        raise typer.Exit(EXIT_BUG)
    if failed:
        raise typer.Exit(EXIT_USER_ERROR)


def print_folder_table(outcomes: list[ClipOutcome]) -> None:
    """One row per clip: its count, clean reps and most common fault, or why it has no review."""
    from formcheck.review.words import fault_name
    from formcheck.specs import load_spec

    table = Table(show_header=True, header_style="bold")
    for column in ("clip", "count", "clean", "most common fault", "result"):
        table.add_column(column)
    for outcome in outcomes:
        review = outcome.review
        if review is None:
            table.add_row(outcome.path.name, "-", "-", "-", f"[red]{outcome.reason}[/]")
            continue
        unit = "holds" if load_spec(review.exercise).reps is None else "reps"
        fault = review.summary.most_common_fault
        table.add_row(
            outcome.path.name, f"{review.rep_count} {unit}", str(review.summary.clean_reps),
            f"{fault_name(fault.id)} ({fault.count}x)" if fault else "-", "[green]ok[/]",
        )
    console.print(table)


@app.command()
def report(
    review_path: Annotated[Path, typer.Argument(help="a review JSON (`formcheck analyze ... --json`, or the API's)")],
    html_path: Annotated[Path, typer.Option("--html", help="write the report here (one self-contained HTML file)")],
    video: Annotated[Path | None, typer.Option("--video", help="the source video, for the stills (default: the review's source path, when it exists)")] = None,
    use_cache: Annotated[bool, typer.Option("--cache/--no-cache", help="reuse pose results of a clip seen before")] = True,
) -> None:
    """Write a report to send: summary, reps, cues, a still of each rep and fault, and plots."""
    from formcheck.report.files import write_report

    with_stills = _run(lambda: write_report(review_path, html_path, video, PoseCache() if use_cache else None))
    console.print(f"[dim]report written to {html_path}" + ("" if with_stills else " (no stills: the video was not found)") + "[/]")


@app.command()
def exercises() -> None:
    """List the exercise catalogue and the camera view each exercise needs."""
    from formcheck.specs import catalogue

    specs = _run(catalogue)
    table = Table(show_header=True, header_style="bold")
    for column in ("id", "exercise", "views", "camera"):
        table.add_column(column)
    for spec in specs.values():
        table.add_row(spec.id, f"[bold]{spec.title}[/]\n{spec.description}", ", ".join(spec.views), spec.camera)
    console.print(table)


@app.command(name="eval")
def evaluate_command(
    labels: Annotated[Path, typer.Option(help="labels file (formcheck.labels/1)")] = Path("../shared/labels/clips.yaml"),
    clips: Annotated[Path, typer.Option(help="folder the label paths are relative to")] = Path("../shared/clips"),
    out: Annotated[Path, typer.Option(help="where to write the metrics JSON")] = Path("evaluation/metrics.json"),
    exercise: Annotated[list[str] | None, typer.Option(help="only these exercise ids (repeatable)")] = None,
) -> None:
    """Score rep counts, rep timing and faults against labelled clips."""
    from formcheck.evaluation import ClipResult, evaluate, write_metrics

    def on_clip(result: ClipResult) -> None:
        mark = "[green]ok[/] " if result.within_tolerance else "[yellow]unseen[/]" if result.not_seen_by_camera else "[red]off[/]"
        wanted = f"{result.labelled_reps}" + (f"-{result.labelled_reps + result.partial_reps}" if result.partial_reps else "")
        faults = f"faults {result.faults_reported_correct}/{result.faults_reported} right, {result.faults_found}/{result.faults_labelled} found"
        extra = f" [red]{result.error}[/]" if result.error else ""
        if result.not_seen_by_camera:
            extra += f" [yellow]({result.unseen_reps} labelled reps not seen by the camera)[/]"
        console.print(f"{mark} {result.path} ({result.exercise}, {result.view}): counted {result.counted}, labelled {wanted}; {faults}{extra}", highlight=False, soft_wrap=True)

    def body() -> dict[str, Any]:
        metrics = evaluate(labels, clips, exercises=set(exercise) if exercise else None, on_clip=on_clip)
        write_metrics(metrics, out)
        return metrics

    metrics = _run(body)
    print_metrics(metrics)
    console.print(f"[dim]metrics written to {out}[/]")


def _proportion(figure: dict[str, Any]) -> str:
    if not figure["n"]:
        return "-"
    low, high = figure["ci95"]
    return f"{figure['rate']:.2f} {figure['k']}/{figure['n']} [{low:.2f}-{high:.2f}]"


def print_loso(loso: dict[str, Any]) -> None:
    """In-sample and out-of-source (leave one source out) figures side by side, then the held-out sources."""
    console.print(
        "[bold]Leave one source out[/]: each source group scored with the fitted thresholds refitted on the other "
        f"groups; held out of every fit: {', '.join(loso['held_out_sources'])}. Figures: rate k/n [95 % Wilson]."
    )
    if not loso["fitted_file_is_current"]:
        console.print("[yellow]exercise_specs/fitted.yaml is not what the labels fit now: run `formcheck calibrate`[/]")
    table = Table(show_header=True, header_style="bold")
    for column in ("group", "clips", "count ok in / out", "off<=1 in / out", "fault precision in / out",
                   "fault recall in / out"):
        table.add_column(column)
    inside, outside = loso["in_sample"], loso["out_of_source"]
    rows = [("overall", "overall", "")] + [("by_exercise", name, "") for name in inside["by_exercise"]]
    rows += [("by_view", name, "view: ") for name in inside["by_view"]]
    rows += [("by_fault", name, "fault: ") for name in inside["by_fault"]]
    for section, name, prefix in rows:
        a = inside[section] if section == "overall" else inside[section][name]
        b = outside[section] if section == "overall" else outside[section].get(name)
        if b is None:
            continue
        refit = "" if section != "by_fault" else (" (refit)" if a["refit"] else " (fixed)")
        table.add_row(
            f"{prefix}{name}{refit}", str(a["clips"]),
            *(f"{_proportion(a[key])}\n{_proportion(b[key])}" for key in (
                "count_within_tolerance", "count_off_by_at_most_one", "fault_precision", "fault_recall")),
        )
    console.print(table)
    held = loso["held_out"]["overall"]
    console.print(
        f"held-out sources ({held['clips']} clips): count ok {_proportion(held['count_within_tolerance'])}, "
        f"fault precision {_proportion(held['fault_precision'])}, recall {_proportion(held['fault_recall'])}"
    )


def print_metrics(metrics: dict[str, Any]) -> None:
    table = Table(show_header=True, header_style="bold")
    for column in ("group", "clips", "exact", "count ok", "off<=1", "MAE", "time err s", "fault precision", "fault recall"):
        table.add_column(column)
    rows = [("overall", metrics["overall"])] + list(metrics["by_exercise"].items()) + [(f"view: {k}", v) for k, v in metrics["by_view"].items()]
    for name, figures in rows:
        table.add_row(
            name, str(figures["clips"]), _fmt(figures["count_exact"], 2), _fmt(figures["count_within_tolerance"], 3), _fmt(figures["count_off_by_at_most_one"], 3),
            _fmt(figures["count_mean_abs_error"], 2), _fmt(figures["rep_time_mean_abs_error_s"], 2),
            _fmt(figures["fault_precision"], 2) + f" ({figures['faults_reported']})", _fmt(figures["fault_recall"], 2) + f" ({figures['faults_labelled']})",
        )
    console.print(table)
    if metrics.get("not_seen_by_camera"):
        console.print(
            "[yellow]count misses not seen by the camera[/] (off by <= 1 judged on the reps seen): "
            + ", ".join(metrics["not_seen_by_camera"]), highlight=False, soft_wrap=True,
        )
    if "loso" in metrics:
        print_loso(metrics["loso"])


@app.command()
def calibrate(
    labels: Annotated[Path, typer.Option(help="labels file (formcheck.labels/1)")] = Path("../shared/labels/clips.yaml"),
    clips: Annotated[Path, typer.Option(help="folder the label paths are relative to")] = Path("../shared/clips"),
    out: Annotated[Path | None, typer.Option(help="where to write the fitted thresholds (default: fitted.yaml beside the specs)")] = None,
) -> None:
    """Fit every spec threshold whose origin is `fitted` from the labelled clips (held-out sources left out)."""
    from formcheck.calibration import calibrate as fit
    from formcheck.calibration import write_fitted
    from formcheck.evaluation import load_labels
    from formcheck.specs import default_spec_dir
    from formcheck.specs.loader import FITTED_FILE
    from formcheck.specs.models import FittedFile

    target = out or default_spec_dir() / FITTED_FILE

    def body() -> FittedFile:
        fitted, _ = fit(load_labels(labels), clips, cache=PoseCache())
        write_fitted(fitted, target)
        return fitted

    fitted = _run(body)
    table = Table(show_header=True, header_style="bold")
    for column in ("exercise/fault", "bound", "value", "margin", "fault reps", "other reps", "fault range", "other range"):
        table.add_column(column)
    for exercise, faults in fitted.thresholds.items():
        for fault_id, entry in faults.items():
            value = "[yellow]not separable: fixed value stays[/]" if entry.value is None else f"{entry.value:g}"
            span = {key: "-" if r is None else f"{r[0]:g} .. {r[1]:g}" for key, r in
                    (("fault", entry.fault_range), ("other", entry.no_fault_range))}
            table.add_row(
                f"{exercise}/{fault_id}", entry.bound, value, _fmt(entry.margin, 3), str(entry.fault_reps),
                str(entry.no_fault_reps), span["fault"], span["other"],
            )
    console.print(table)
    console.print(f"[dim]fitted thresholds written to {target} (held out: {', '.join(fitted.held_out)})[/]")


@app.command()
def margins(
    labels: Annotated[Path, typer.Option(help="labels file (formcheck.labels/1)")] = Path("../shared/labels/clips.yaml"),
    clips: Annotated[Path, typer.Option(help="folder the label paths are relative to")] = Path("../shared/clips"),
    exercise: Annotated[list[str] | None, typer.Option(help="only these exercise ids (repeatable)")] = None,
) -> None:
    """Measure the margins of the conditions and rep/hold settings of every spec on the labelled clips (held-out
    sources left out) and print them as ready-to-paste `origin:` entries."""
    from formcheck.evaluation import load_labels
    from formcheck.margins import origin_entries, spec_margins, trace_labels
    from formcheck.specs.loader import bare_catalogue

    def body() -> str:
        specs = {id_: spec for id_, spec in bare_catalogue(draft=True).items() if not exercise or id_ in exercise}
        traced = trace_labels(load_labels(labels), clips, specs, cache=PoseCache())
        return "\n\n".join(origin_entries(spec, spec_margins(spec, traced[spec.id])) for spec in specs.values())

    sys.stdout.write(_run(body) + "\n")


@app.command()
def schema(
    out: Annotated[Path | None, typer.Option(help="write here instead of printing")] = None,
    spec: Annotated[bool, typer.Option("--spec", help="the exercise spec format instead of the review")] = False,
) -> None:
    """Print the JSON Schema of the review format (or, with --spec, of an exercise spec file)."""
    from formcheck.specs.models import ExerciseSpec

    model = ExerciseSpec if spec else Review
    text = json.dumps(model.model_json_schema(by_alias=True), indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


@app.command()
def program(
    program_file: Annotated[Path, typer.Argument(help="program YAML (see programs/)")],
    videos: Annotated[list[str] | None, typer.Argument(help="one recording per exercise, in order ('-' skips one)")] = None,
    json_dir: Annotated[Path | None, typer.Option(help="write each review JSON into this folder")] = None,
) -> None:
    """Show a program's session plan, or review one recording per exercise against its dose."""
    from formcheck.pipeline import analyze_video
    from formcheck.program import load_program
    from formcheck.specs import load_spec

    plan = _run(lambda: load_program(program_file))
    console.print(f"[bold]{plan.name}[/] - {plan.description}")
    recordings = list(videos or [])
    if len(recordings) > len(plan.exercises):
        error_console.print(f"[bold red]error:[/] {len(recordings)} videos for {len(plan.exercises)} exercises")
        raise typer.Exit(EXIT_USER_ERROR)
    table = Table(show_header=True, header_style="bold")
    for column in ("#", "exercise", "dose", "result"):
        table.add_column(column)
    for number, entry in enumerate(plan.exercises, start=1):
        spec = load_spec(entry.exercise)
        result = ""
        video = recordings[number - 1] if number <= len(recordings) else "-"
        if video != "-":
            review = _run(partial(analyze_video, video, entry.exercise, cache=PoseCache()))
            unit = "holds" if spec.reps is None else "reps"
            result = f"{review.rep_count} {unit} ({review.summary.clean_reps} clean)"
            if review.summary.most_common_fault:
                result += f"; {review.summary.most_common_fault.cue}"
            if json_dir is not None:
                json_dir.mkdir(parents=True, exist_ok=True)
                (json_dir / f"{number:02d}_{entry.exercise}.json").write_text(review.to_json() + "\n", encoding="utf-8")
        table.add_row(str(number), spec.title + (f"\n[dim]{entry.note}[/]" if entry.note else ""), entry.dose(), result)
    console.print(table)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    https: Annotated[
        bool,
        typer.Option(
            help="serve https with a self-signed certificate made here, for a phone's camera (its browser asks for a "
            "secure page); the phone warns once. Serve its address: --host 0.0.0.0 and "
            "FORMCHECK_ALLOWED_HOSTS='[\"localhost\", \"192.168.1.20\"]'"
        ),
    ] = False,
) -> None:
    """Start the API, the live-coaching page (http://HOST:PORT/) and the guided session (/session)."""
    from formcheck.api.server import run_server

    _run(lambda: run_server(host=host, port=port, https=https))


@app.command()
def worker(
    concurrency: Annotated[
        int | None, typer.Option(min=1, help="analyses at once (default: this machine's cores)")
    ] = None,
    name: Annotated[str | None, typer.Option(help="the worker's name (default: formcheck@HOST)")] = None,
) -> None:
    """Run queued uploads' analyses for `formcheck serve` on any machine (needs FORMCHECK_BROKER_URL, and the
    server's FORMCHECK_DATABASE_URL, FORMCHECK_UPLOAD_DIR and FORMCHECK_DATA_DIR, on shared storage)."""
    from formcheck.api.queue import run_worker
    from formcheck.api.settings import load_settings

    _run(lambda: run_worker(load_settings(), concurrency or os.cpu_count() or 1, name))


trainers_app = typer.Typer(no_args_is_help=True, help="Trainers who sign in to the service (formcheck serve).")
labels_app = typer.Typer(no_args_is_help=True, help="Trainers' judgements as labelled clips.")
app.add_typer(trainers_app, name="trainers")
app.add_typer(labels_app, name="labels")


def _database() -> Database:
    """The service's database, as ``formcheck serve`` would open it (FORMCHECK_DATA_DIR, FORMCHECK_DATABASE_URL)."""
    from formcheck.api.settings import load_settings
    from formcheck.store.database import open_database

    return open_database(load_settings().database)


@trainers_app.command("add")
def trainers_add(name: Annotated[str, typer.Argument(help="the trainer's name (unique)")]) -> None:
    """Create a trainer and print their sign-in token: shown this once, stored only as a hash."""
    from formcheck.store.accounts import add_trainer

    def body() -> str:
        with _database().session() as session:
            return add_trainer(session, name)[1]

    token = _run(body)
    console.print(f"trainer {name!r} added; sign-in token (shown once, keep it):")
    print(token)


@trainers_app.command("list")
def trainers_list() -> None:
    """The trainers' names."""
    from formcheck.store.accounts import trainers

    def body() -> list[str]:
        with _database().session() as session:
            return [trainer.name for trainer in trainers(session)]

    for name in _run(body):
        print(name)


@labels_app.command("export")
def labels_export(
    folder: Annotated[Path, typer.Argument(help="write clips.yaml and videos/ here")],
    trainer: Annotated[str, typer.Option(help="whose judgements (a trainer's name)")],
    client: Annotated[int | None, typer.Option(help="only this client (id) of theirs")] = None,
) -> None:
    """Write a trainer's judged clips in the formcheck.labels/1 format: `formcheck eval --labels FOLDER/clips.yaml
    --clips FOLDER` scores the checks against them."""
    from formcheck.store.accounts import client_of, trainer_by_name
    from formcheck.store.labels import LABELS_FILE, export_labels

    def body() -> int:
        with _database().session() as session:
            who = trainer_by_name(session, trainer)
            return export_labels(session, who, folder, client_of(session, who, client) if client is not None else None)

    clips = _run(body)
    console.print(f"{clips} judged clips -> {folder / LABELS_FILE}")


def main() -> None:
    app()
