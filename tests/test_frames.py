"""Pandera schemas for users' DataFrames (`pandera_schemas`, `validate_frames`) and the pandera engine of
`make-data validate`, which must find what the arrow engine finds (a differential test over the hostile
corpus and a seeded fuzz of mutated packages)."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pandera.errors as pe
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandera.engines.pandas_engine import Engine

import banjska
from banjska.package.dtypes import pandas_dtype
from banjska.validate import validate_package
from banjska.validate.frames import FramesInvalid, pandera_schemas, validate_frames

from corrupt import no_unraisable
from mutate import hostile_names, hostile_target, mutated_package, mutations
from repo import ROOT, TABLES


@pytest.fixture(scope="module")
def frames():
    return banjska.load(ROOT)


@pytest.fixture(scope="module")
def schemas():
    return pandera_schemas(ROOT)


def schema_of(table: str) -> dict:
    return json.loads((ROOT / "schemas" / f"{table}.schema.json").read_text(encoding="utf-8"))


def failures(err: pe.SchemaErrors) -> set[tuple]:
    cases = err.failure_cases
    return {(row.column, row.check, str(row.failure_case)) for row in cases.itertuples()}


# --- derived from the Table Schemas ----------------------------------------------------------------

def test_the_shipped_frames_pass_their_schemas(frames, schemas):
    assert list(schemas) == list(TABLES)
    for table in TABLES:
        schemas[table].validate(frames[table], lazy=True)
    assert validate_frames(frames, ROOT) is None


@pytest.mark.parametrize("table", TABLES)
def test_every_field_and_constraint_is_translated(table, schemas):
    schema, derived = schema_of(table), schemas[table]
    key = schema["primaryKey"] if isinstance(schema["primaryKey"], list) else [schema["primaryKey"]]
    assert list(derived.columns) == [f["name"] for f in schema["fields"]]
    assert derived.unique == key and derived.strict and derived.ordered
    for f in schema["fields"]:
        col, cons = derived.columns[f["name"]], f.get("constraints") or {}
        assert col.dtype == Engine.dtype(pandas_dtype(schema, f)), f["name"]  # the dtype load() gives
        assert col.nullable == (not cons.get("required") and f["name"] not in key), f["name"]
        assert col.unique == bool(cons.get("unique")), f["name"]
        names = sorted(c.name for c in col.checks if not c.name.startswith("dataset:"))
        want = sorted({"enum": "constraint-error:enum", "pattern": "constraint-error:pattern",
                       "minLength": "constraint-error:length", "maxLength": "constraint-error:length",
                       "minimum": "constraint-error:range", "maximum": "constraint-error:range"}[k]
                      for k in cons if k not in ("required", "unique"))
        assert names == sorted(set(want)), f["name"]


def test_row_rules_are_frame_checks_whose_error_is_the_docstring(schemas):
    from banjska.dataset.rules import RULES

    checks = {c.name: c.error for c in schemas["casualties"].checks}
    rule = next(r for r in RULES if r.fn.__name__ == "casualty_count_consistent")
    assert checks["dataset:casualty_count_consistent"] == rule.fn.__doc__.strip().splitlines()[0]


# --- what a user's edit breaks -------------------------------------------------------------------------

def test_a_value_outside_the_enum_is_named_with_its_value(frames, schemas):
    cas = frames["casualties"].copy()
    cas["outcome"] = cas["outcome"].cat.add_categories(["maimed"])
    cas.loc[0, "outcome"] = "maimed"
    with pytest.raises(pe.SchemaErrors) as err:
        schemas["casualties"].validate(cas, lazy=True)
    assert ("outcome", "The value is not one of the allowed values (constraints.enum).", "maimed") in failures(err.value)
    as_text = frames["casualties"].copy()
    as_text["outcome"] = as_text["outcome"].astype("string")
    as_text.loc[1, "outcome"] = "maimed"
    with pytest.raises(pe.SchemaErrors) as err:
        schemas["casualties"].validate(as_text, lazy=True)
    assert ("outcome", "The value is not one of the allowed values (constraints.enum).", "maimed") in failures(err.value)


def test_negative_count_broken_pattern_empty_required_and_repeated_key(frames, schemas):
    cas = frames["casualties"].copy()
    cas.loc[0, "count"] = -1
    with pytest.raises(pe.SchemaErrors) as err:
        schemas["casualties"].validate(cas, lazy=True)
    assert ("count", "The value is outside the allowed range (minimum / maximum).", "-1") in failures(err.value)

    units = frames["units"].copy()
    units.loc[0, "unit_id"] = "line one"
    with pytest.raises(pe.SchemaErrors) as err:
        schemas["units"].validate(units, lazy=True)
    assert ("unit_id", "The value does not match the field's pattern (constraints.pattern).", "line one") \
        in failures(err.value)

    actors = frames["actors"].copy()
    required = next(f["name"] for f in schema_of("actors")["fields"]
                    if (f.get("constraints") or {}).get("required") and f["name"] != "actor_id")
    actors.loc[0, required] = pd.NA
    actors.loc[1, "actor_id"] = actors.loc[2, "actor_id"]
    with pytest.raises(pe.SchemaErrors) as err:
        schemas["actors"].validate(actors, lazy=True)
    cases = err.value.failure_cases
    assert set(cases[cases.check == "not_nullable"].column) == {required}
    dup = cases[cases.column == "actor_id"]  # the field's `unique` and the primary key both fire
    assert sorted(zip(dup.check, dup["index"], strict=True)) == [
        ("field_uniqueness", 1), ("field_uniqueness", 2), ("multiple_fields_uniqueness", 1),
        ("multiple_fields_uniqueness", 2)]


def test_validate_frames_reports_foreign_keys_and_cross_table_rules_with_their_table(frames):
    edited = dict(frames)
    cas = frames["casualties"].copy()
    cas.loc[0, "event_id"] = "no-such-event"
    edited["casualties"] = cas
    with pytest.raises(FramesInvalid) as err:
        validate_frames(edited, ROOT)
    cases = err.value.failure_cases
    assert isinstance(err.value, pe.SchemaErrors)
    assert set(zip(cases.table, cases.column, cases.failure_case, strict=True)) == {
        ("casualties", "event_id", "no-such-event")}
    assert set(cases.check) == {"The value does not match a key of the referenced table (foreignKeys)."}


def test_load_filter_validate(frames):
    """README: load, filter or modify, validate_frames (a filter that keeps every referenced row passes)."""
    subset = {name: frame for name, frame in frames.items() if name in ("places", "events", "casualties")}
    assert validate_frames(subset, ROOT) is None
    subset["events"] = subset["events"][subset["events"]["event_id"] != "banjska-attack"]
    with pytest.raises(FramesInvalid) as err:
        validate_frames(subset, ROOT)
    assert set(err.value.failure_cases.table) == {"casualties"}


def test_bad_frames_raise_schema_errors_or_a_clear_value_error(frames):
    missing = {"places": frames["places"].drop(columns=["notes"])}
    extra = {"places": frames["places"].assign(extra=1)}
    wrong = {"places": frames["places"].assign(place_id=range(len(frames["places"])))}
    for bad, check in ((missing, "column_in_dataframe"), (extra, "column_in_schema"), (wrong, "dtype('string[pyarrow]')")):
        with pytest.raises(FramesInvalid) as err:
            validate_frames(bad, ROOT)
        assert check in set(err.value.failure_cases.check), check
    with pytest.raises(ValueError, match="no table\\(s\\) nope in the package; its tables are: sources, units"):
        validate_frames({"nope": frames["places"]}, ROOT)


# --- the pandera engine agrees with the arrow engine -----------------------------------------------------

def kinds(report) -> set[tuple[str, str, str]]:
    return {(i.table, i.column, i.rule) for i in report.issues}


def both_engines(target: Path) -> tuple:
    arrow = validate_package(target, max_errors=100_000, engine="arrow")
    pandera = validate_package(target, max_errors=100_000, engine="pandera")
    return arrow, pandera


def test_engines_agree_on_the_shipped_and_a_generated_faulty_package(tmp_path):
    from synth import generate

    for target in (ROOT, generate(tmp_path / "faulty", 3000, faults=40).path):
        arrow, pandera = both_engines(target)
        assert (arrow.valid, kinds(arrow)) == (pandera.valid, kinds(pandera))
        assert sorted((i.table, i.rule, i.line, i.column, i.message, i.hint) for i in arrow.issues) == \
            sorted((i.table, i.rule, i.line, i.column, i.message, i.hint) for i in pandera.issues)


@pytest.mark.parametrize("name", hostile_names())
def test_engines_agree_on_the_hostile_corpus(name, tmp_path):
    from banjska.errors import MakeDataError

    target = hostile_target(name, tmp_path)
    try:
        arrow, pandera = both_engines(target)
    except MakeDataError as exc:  # unreadable input: both engines stop before any check
        with pytest.raises(type(exc)):
            validate_package(target, engine="pandera")
        return
    assert (arrow.valid, kinds(arrow)) == (pandera.valid, kinds(pandera))


CELLS = st.one_of(st.sampled_from(["", "x", "-1", "0", "3", "1e3", "true", "2023-02-30", "2023-09-24", "25:00:00",
                                   "=1", "killed", "exact", "day", "kosovo", "banjska-attack", "L02S01", "NA"]),
                  st.text(alphabet="ab-019:=é ", max_size=8))


FUZZ = settings(max_examples=500, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(mutations(CELLS))
def test_engines_agree_on_mutated_packages(mutation):
    """A seeded fuzz (500 cases): one cell changed and the package re-hashed, both engines give the same
    verdict and the same (table, field, kind) findings."""
    with tempfile.TemporaryDirectory() as tmp:
        root = mutated_package(Path(tmp) / "pkg", mutation)
        with no_unraisable():
            arrow, pandera = both_engines(root)
        assert (arrow.valid, kinds(arrow)) == (pandera.valid, kinds(pandera)), mutation
    shutil.rmtree(tmp, ignore_errors=True)
