"""Load exercise specs from YAML, turning every problem into one ``SpecError`` line.

The message names the file, the path to the field and the reason, e.g.
``exercise_specs/squat.yaml: reps.min_range: Input should be greater than 0``.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from formcheck.errors import SpecError, UnknownExerciseError
from formcheck.specs.models import (
    BASELINE_METRICS,
    CombinedMetric,
    ExerciseSpec,
    FaultsFile,
    FittedFile,
    FittedThreshold,
    MeasuresFile,
    TempoFault,
    TurningPointFault,
)

FITTED_FILE = "fitted.yaml"  # beside the specs: the thresholds `formcheck calibrate` fitted (not a spec)
MEASURES_FILE = "measures.yaml"  # beside the specs: the shared vocabulary of measures (not a spec)
FAULTS_FILE = "faults.yaml"  # beside the specs: the fault ids a spec may use and their names (not a spec)
NOT_SPECS = frozenset({FITTED_FILE, MEASURES_FILE, FAULTS_FILE})
# libyaml's safe loader where PyYAML was built with it: the catalogue loads 5x faster at every start-up
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def default_spec_dir() -> Path:
    configured = os.environ.get("FORMCHECK_SPEC_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "exercise_specs"


def _field_path(location: tuple[int | str, ...], raw: object = None) -> str:
    """``faults[2].max_deg`` from pydantic's error location.

    Walking the raw YAML alongside drops the tag pydantic inserts for a discriminated union
    (``faults[2].turning_point.max_deg``): a part that is no key of its mapping but equals
    the mapping's ``kind``.
    """
    text = ""
    node = raw
    for part in location:
        if isinstance(node, dict) and part not in node and node.get("kind") == part:
            continue
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return text


def _read_yaml(path: Path) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except OSError as error:
        raise SpecError(f"{path}: cannot be read ({error.strerror})") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise SpecError(f"{path}: not valid YAML{where}") from error


def _invalid(path: Path, raw: object, error: ValidationError, hidden: frozenset[str] = frozenset()) -> SpecError:
    """One line for a file that fails validation: "<path>: <field path>: <reason>" (the first error; path parts
    named in ``hidden`` are the model's own nesting, not the file's, and left out)."""
    first = error.errors()[0]
    location = _field_path(tuple(part for part in first["loc"] if part not in hidden), raw)
    message = first["msg"].removeprefix("Value error, ")
    return SpecError(f"{path}: {location + ': ' if location else ''}{message}")


Model = TypeVar("Model", bound=BaseModel)


def read_model(path: Path, model: type[Model], hidden: frozenset[str] = frozenset()) -> Model:
    """A YAML file read into ``model``.

    Raises:
        SpecError: unreadable, bad YAML, or a field that fails validation: "<path>: <field path>: <reason>"
            (path parts named in ``hidden`` are the model's own nesting, not the file's).
    """
    raw = _read_yaml(path)
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise _invalid(path, raw, error, hidden) from error


def load_fitted(path: Path) -> FittedFile | None:
    """The fitted thresholds file, or None when there is none.

    Raises:
        SpecError: unreadable, bad YAML, or a field that fails validation.
    """
    if not path.is_file():
        return None
    return read_model(path, FittedFile)


@functools.lru_cache(maxsize=8)
def load_measures(path: Path) -> MeasuresFile:
    """The shared measures file.

    Raises:
        SpecError: missing, unreadable, bad YAML, or a field that fails validation.
    """
    if not path.is_file():
        raise SpecError(f"{path}: the shared measures file is missing")
    return read_model(path, MeasuresFile, hidden=frozenset({"definition"}))


@functools.lru_cache(maxsize=8)
def load_fault_names(path: Path) -> FaultsFile:
    """The fault vocabulary.

    Raises:
        SpecError: missing, unreadable, bad YAML, or a field that fails validation.
    """
    if not path.is_file():
        raise SpecError(f"{path}: the fault vocabulary is missing")
    return read_model(path, FaultsFile)


def _check_fault_ids(spec: ExerciseSpec, path: Path) -> None:
    """Every fault id is one of the vocabulary's, so reviews, labels and reports speak one language.

    Raises:
        SpecError: a fault id the vocabulary does not have.
    """
    vocabulary = path.parent / FAULTS_FILE
    known = load_fault_names(vocabulary).faults
    for index, fault in enumerate(spec.faults):
        if fault.id not in known:
            raise SpecError(f"{path}: faults[{index}].id: unknown fault id {fault.id!r} (the fault ids are in {vocabulary})")


def _with_measures(raw: dict[str, object], path: Path, table: MeasuresFile) -> dict[str, object]:
    """The raw spec with its listed measures resolved into ``metrics`` beside its own combinations.

    Raises:
        SpecError: an unknown or repeated measure, a spec metric that redefines a shared measure, or one
            that defines geometry of its own (geometry is named once, in the shared file).
    """
    where = path.parent / MEASURES_FILE
    names = raw.get("measures", [])
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise SpecError(f"{path}: measures: expected a list of measure names (see {where})")
    own = raw.get("metrics") or {}
    if not isinstance(own, dict):
        return raw  # the model's validation names the problem
    for name, definition in own.items():
        if name in table.measures:
            raise SpecError(f"{path}: metrics.{name}: is a shared measure; list it under measures instead")
        if isinstance(definition, dict) and definition.get("kind") not in ("combine", "from_rest", "from_rep_max"):
            raise SpecError(
                f"{path}: metrics.{name}: geometry is named once, in {where}: add it there and list it under "
                "measures (a spec's own metrics combine measures or take their change since rest)"
            )
    resolved: dict[str, object] = {}
    for index, name in enumerate(names):
        if name not in table.measures:
            raise SpecError(f"{path}: measures[{index}]: unknown measure {name!r} (the shared measures are in {where})")
        if name in resolved:
            raise SpecError(f"{path}: measures[{index}]: {name!r} is listed twice")
        resolved[name] = table.measures[name].definition.model_dump(mode="json")
    return {**raw, "metrics": {**resolved, **own}}


def _check_views(spec: ExerciseSpec, path: Path, table: MeasuresFile) -> None:
    """Every fault is judged only from views its measure is valid from.

    Raises:
        SpecError: a fault lists a view its metric's measure (or, for a combination, one of its
            measures) does not mean what it says from.
    """
    def valid_views(metric: str) -> set[str]:
        definition = spec.metrics[metric]
        if isinstance(definition, CombinedMetric):
            return set.intersection(*(valid_views(operand) for operand in definition.of))
        if isinstance(definition, BASELINE_METRICS):
            return valid_views(definition.of)
        return set(table.measures[metric].views)

    for index, fault in enumerate(spec.faults):
        if isinstance(fault, TempoFault):
            continue
        invalid = [view for view in fault.views if view not in valid_views(fault.metric)]
        if invalid:
            raise SpecError(
                f"{path}: faults[{index}].views: {fault.metric} is not valid from {', '.join(invalid)} "
                f"(its views in {MEASURES_FILE}: {', '.join(sorted(valid_views(fault.metric))) or 'none'})"
            )


def with_fitted(spec: ExerciseSpec, fitted: dict[str, FittedThreshold], where: str = "fitted") -> ExerciseSpec:
    """The spec with its ``fitted`` thresholds set to the fitted values (those with a value).

    Raises:
        SpecError: an entry names no fault of the spec, a fault whose origin is not ``fitted``, or the
            wrong bound.
    """
    by_id = {fault.id: fault for fault in spec.faults}
    for fault_id, fitted_entry in fitted.items():
        fault = by_id.get(fault_id)
        if not isinstance(fault, TurningPointFault) or fault.origin_kind != "fitted":
            raise SpecError(f"{where}: {spec.id}.{fault_id}: no turning_point fault of that id with origin fitted")
        if fitted_entry.bound != fault.bound:
            raise SpecError(
                f"{where}: {spec.id}.{fault_id}: bound {fitted_entry.bound!r}, but the spec bounds {fault.bound!r}"
            )
    faults = tuple(
        fault.model_copy(update={entry.bound: entry.value})
        if (entry := fitted.get(fault.id)) is not None and entry.value is not None else fault
        for fault in spec.faults
    )
    return spec.model_copy(update={"faults": faults})


def load_spec_file(path: Path, fitted: FittedFile | None = None) -> ExerciseSpec:
    """Load and validate one spec file, with the fitted thresholds of ``fitted`` (by default those of
    the ``fitted.yaml`` beside it) laid over its ``fitted`` ones.

    Raises:
        SpecError: unreadable file, bad YAML, or a field that fails validation.
    """
    spec = _load_bare_spec(path)
    fitted_path = path.parent / FITTED_FILE
    fitted = fitted if fitted is not None else load_fitted(fitted_path)
    if fitted is not None and spec.id in fitted.thresholds:
        return with_fitted(spec, fitted.thresholds[spec.id], str(fitted_path))
    return spec


def load_bare_spec_file(path: Path, draft: bool = False) -> ExerciseSpec:
    """One spec file as written, with no fitted values laid over it (the calibration's starting point);
    ``draft``: its conditions and rep/hold settings need not name their origins yet (``formcheck margins``
    measures them)."""
    return _load_bare_spec(path, draft)


def _load_bare_spec(path: Path, draft: bool = False) -> ExerciseSpec:
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise SpecError(f"{path}: expected a mapping of fields at the top level")
    if raw.get("id") != path.stem:
        raise SpecError(f"{path}: id: must equal the file name {path.stem!r}, got {raw.get('id')!r}")
    table = load_measures(path.parent / MEASURES_FILE)
    raw = _with_measures(raw, path, table)
    try:
        spec = ExerciseSpec.model_validate(raw, context={"spec_file": True, "origins_pending": draft})
    except ValidationError as error:
        raise _invalid(path, raw, error) from error
    _check_views(spec, path, table)
    _check_fault_ids(spec, path)
    return spec


@functools.lru_cache(maxsize=8)
def catalogue(spec_dir: Path | None = None) -> dict[str, ExerciseSpec]:
    """Every spec in the folder, by id, in alphabetical order."""
    folder = spec_dir or default_spec_dir()
    if not folder.is_dir():
        raise SpecError(f"{folder}: exercise spec folder not found")
    fitted = load_fitted(folder / FITTED_FILE)
    specs = {path.stem: load_spec_file(path, fitted) for path in spec_files(folder)}
    if fitted is not None:
        for exercise_id in fitted.thresholds:
            if exercise_id not in specs:
                raise SpecError(f"{folder / FITTED_FILE}: thresholds.{exercise_id}: no spec has that id")
    return specs


def spec_files(folder: Path) -> list[Path]:
    """The spec files of a folder (every ``*.yaml`` but the fitted thresholds and the shared measures), sorted."""
    return sorted(path for path in folder.glob("*.yaml") if path.name not in NOT_SPECS)


def load_spec(exercise_id: str, spec_dir: Path | None = None) -> ExerciseSpec:
    """The spec for one exercise id.

    Raises:
        UnknownExerciseError: no spec has that id (the message lists the known ones).
    """
    specs = catalogue(spec_dir)
    if exercise_id not in specs:
        raise UnknownExerciseError(f"unknown exercise {exercise_id!r}; choose one of: {', '.join(specs)}")
    return specs[exercise_id]


def bare_catalogue(spec_dir: Path | None = None, draft: bool = False) -> dict[str, ExerciseSpec]:
    """Every spec as written, with no fitted values laid over it (a fit's starting point); ``draft``: see
    ``load_bare_spec_file``."""
    folder = spec_dir or default_spec_dir()
    return {path.stem: load_bare_spec_file(path, draft) for path in spec_files(folder)}
