"""The Pandera schemas are derived from the Table Schemas, so the two cannot drift.

Each drift case builds a tiny package, proves it valid, then tightens one constraint in the Table
Schema JSON only (no code, no data change) and demands that validation now rejects exactly the cells
that break the new constraint, with the Frictionless rule name, CSV line and column. A second group
derives the schemas of the real tables and checks that every constraint written in schemas/ has its
Pandera check. A third proves that pandas' usual traps (truthy strings, NaN in integer columns,
a failed dtype skipping the other checks) do not apply.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from banjska.package.types import parse
from banjska.validate.core import validate_package
from banjska.validate.frames import pandera_schemas

from repo import TABLES

# --- building tiny packages --------------------------------------------------------------------------

V2 = "https://datapackage.org/profiles/2.0/datapackage.json"  # field-level missingValues, exclusive bounds


def field(name: str, type_: str = "string", **extra) -> dict:
    return {"name": name, "type": type_, **extra}


def write_package(root: Path, tables: dict[str, tuple[dict, str]], schema_files: bool = False) -> Path:
    """Write a package: {resource name: (Table Schema, CSV text)}; schemas inline or as files."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    resources = []
    for name, (schema, text) in tables.items():
        (root / "data" / f"{name}.csv").write_text(text, encoding="utf-8")
        res = {"name": name, "type": "table", "path": f"data/{name}.csv", "format": "csv",
               "mediatype": "text/csv", "encoding": "utf-8", "schema": schema}
        if schema_files:
            (root / "schemas").mkdir(exist_ok=True)
            (root / "schemas" / f"{name}.schema.json").write_text(json.dumps(schema, indent=2), encoding="utf-8")
            res["schema"] = f"schemas/{name}.schema.json"
        resources.append(res)
    desc = {"$schema": V2, "name": "tiny", "resources": resources}
    (root / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")
    return root


def edit_schema(root: Path, table: str, change: Callable[[dict], None]) -> None:
    """Change a resource's Table Schema where it lives (inline in the descriptor or in its file)."""
    desc_path = root / "datapackage.json"
    desc = json.loads(desc_path.read_text(encoding="utf-8"))
    res = next(r for r in desc["resources"] if r["name"] == table)
    if isinstance(res["schema"], str):
        path = root / res["schema"]
        schema = json.loads(path.read_text(encoding="utf-8"))
        before = copy.deepcopy(schema)
        change(schema)
        assert schema != before, "the change must alter the Table Schema"
        path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    else:
        before = copy.deepcopy(res["schema"])
        change(res["schema"])
        assert res["schema"] != before, "the change must alter the Table Schema"
        desc_path.write_text(json.dumps(desc, indent=2), encoding="utf-8")


def fld(schema: dict, name: str) -> dict:
    return next(f for f in schema["fields"] if f["name"] == name)


def constrain(name: str, **cons) -> Callable[[dict], None]:
    def change(schema):
        fld(schema, name).setdefault("constraints", {}).update(cons)
    return change


def set_key(key: str, value) -> Callable[[dict], None]:
    def change(schema):
        schema[key] = value
    return change


def set_field(name: str, **props) -> Callable[[dict], None]:
    def change(schema):
        f = fld(schema, name)
        for k, v in props.items():
            if v is None:
                f.pop(k, None)
            else:
                f[k] = v
    return change


def findings(root: Path) -> set[tuple[str, str, int | None, str]]:
    """(table, rule, line, column) of every issue."""
    return {(i.table, i.rule, i.line, i.column) for i in validate_package(root).issues}


def tbl(fields: list[dict], csv: str, **schema) -> tuple[dict, str]:
    """A Table Schema and CSV with a leading 'row' column (r1, r2, ...), so that no row is ever blank
    (a row of missing values only is a blank-row error) and line numbers stay those of `csv`."""
    lines = csv.splitlines()
    body = [f"r{n},{line}" for n, line in enumerate(lines[1:], 1)]
    return {"fields": [field("row"), *fields], **schema}, "\n".join([f"row,{lines[0]}", *body]) + "\n"


def one_table(fields: list[dict], csv: str, **schema) -> dict[str, tuple[dict, str]]:
    return {"t": tbl(fields, csv, **schema)}


# --- the drift cases -----------------------------------------------------------------------------------
# (id, tables, table to change, change, findings that must appear, findings that may also appear)

PARENT = tbl([field("id")], "id\na\nb\n", primaryKey=["id"])
COMPOSITE = "a,b,c\nx,1,p\nx,2,q\ny,1,r\nx,1,s\n"        # a and b repeat alone; (a, b) repeats at line 5
COMPOSITE_FIELDS = [field("a"), field("b", "integer"), field("c")]

DRIFT = [
    ("type-integer", one_table([field("n")], "n\n1\nx2\n3\n"), "t", set_field("n", type="integer"),
     {("t", "type-error", 3, "n")}, set()),
    ("type-number", one_table([field("n")], "n\n1.5\n1.5.2\n-2e3\n"), "t", set_field("n", type="number"),
     {("t", "type-error", 3, "n")}, set()),
    ("format-strict-iso-date", one_table([field("d")], "d\n2021-01-05\n2021-1-5\n2020-02-29\n"), "t",
     set_field("d", type="date"), {("t", "type-error", 3, "d")}, set()),
    ("format-real-date", one_table([field("d")], "d\n2021-01-31\n2021-02-29\n"), "t",
     set_field("d", type="date"), {("t", "type-error", 3, "d")}, set()),
    ("format-email", one_table([field("e")], "e\na@example.org\nnot-an-email\n"), "t", set_field("e", format="email"),
     {("t", "type-error", 3, "e")}, set()),
    ("format-custom-date-to-default", one_table([field("d", "date", format="%d/%m/%Y")], "d\n05/01/2021\n"), "t",
     set_field("d", format="default"), {("t", "type-error", 2, "d")}, set()),
    ("time", one_table([field("t")], "t\n03:00:00\n3:00:00\n23:59:59\n24:00:00\n"), "t", set_field("t", type="time"),
     {("t", "type-error", 3, "t"), ("t", "type-error", 5, "t")}, set()),
    ("datetime", one_table([field("ts")], "ts\n2021-01-05T10:00:00Z\n2021-01-05 10:00:00\n2021-02-30T10:00:00\n"
                                          "2021-01-05T10:00:00\n"), "t",
     set_field("ts", type="datetime"), {("t", "type-error", 3, "ts"), ("t", "type-error", 4, "ts")}, set()),
    ("required", one_table([field("id"), field("v")], "id,v\na,x\nb,\nc,z\n"), "t", constrain("v", required=True),
     {("t", "constraint-error:required", 3, "v")}, set()),
    ("unique", one_table([field("v")], "v\na\nb\na\n"), "t", constrain("v", unique=True),
     {("t", "unique-error", 4, "v")}, {("t", "unique-error", 2, "v")}),
    ("enum", one_table([field("v")], "v\nx\ny\nz\n"), "t", constrain("v", enum=["x", "y"]),
     {("t", "constraint-error:enum", 4, "v")}, set()),
    ("enum-integer", one_table([field("n", "integer")], "n\n1\n02\n3\n"), "t", constrain("n", enum=[1, 2]),
     {("t", "constraint-error:enum", 4, "n")}, set()),
    ("pattern", one_table([field("c")], "c\nAB\nCd\n"), "t", constrain("c", pattern="[A-Z]{2}"),
     {("t", "constraint-error:pattern", 3, "c")}, set()),
    ("pattern-is-anchored", one_table([field("c")], "c\nAB\nABC\nxAB\n"), "t", constrain("c", pattern="[A-Z]{2}"),
     {("t", "constraint-error:pattern", 3, "c"), ("t", "constraint-error:pattern", 4, "c")}, set()),
    ("minLength", one_table([field("s")], "s\nabc\na\nabcdef\n"), "t", constrain("s", minLength=2),
     {("t", "constraint-error:length", 3, "s")}, set()),
    ("maxLength", one_table([field("s")], "s\nabc\na\nabcdef\n"), "t", constrain("s", maxLength=5),
     {("t", "constraint-error:length", 4, "s")}, set()),
    ("minimum", one_table([field("n", "integer")], "n\n1\n5\n10\n"), "t", constrain("n", minimum=2),
     {("t", "constraint-error:range", 2, "n")}, set()),
    ("maximum", one_table([field("n", "integer")], "n\n1\n5\n10\n"), "t", constrain("n", maximum=9),
     {("t", "constraint-error:range", 4, "n")}, set()),
    ("maximum-number", one_table([field("x", "number")], "x\n0.5\n1.25\n"), "t", constrain("x", maximum=1.2),
     {("t", "constraint-error:range", 3, "x")}, set()),
    ("exclusiveMaximum", one_table([field("n", "integer")], "n\n1\n5\n10\n"), "t", constrain("n", exclusiveMaximum=10),
     {("t", "constraint-error:range", 4, "n")}, set()),
    ("maximum-date", one_table([field("d", "date")], "d\n2021-01-31\n2021-02-01\n"), "t",
     constrain("d", maximum="2021-01-31"), {("t", "constraint-error:range", 3, "d")}, set()),
    ("primaryKey", one_table([field("id"), field("v")], "id,v\na,1\nb,2\na,3\n"), "t", set_key("primaryKey", ["id"]),
     {("t", "primary-key", 4, "id")}, {("t", "primary-key", 2, "id")}),
    ("primaryKey-composite", one_table(COMPOSITE_FIELDS, COMPOSITE, primaryKey=["a", "b", "c"]), "t",
     set_key("primaryKey", ["a", "b"]), {("t", "primary-key", 5, "a")}, {("t", "primary-key", 2, "a")}),
    ("uniqueKeys-composite", one_table(COMPOSITE_FIELDS, COMPOSITE, uniqueKeys=[["a", "c"]]), "t",
     set_key("uniqueKeys", [["a", "b"]]), {("t", "unique-error", 5, "a")}, {("t", "unique-error", 2, "a")}),
    ("uniqueKeys-duplicate-beside-missing-parts", one_table(COMPOSITE_FIELDS, "a,b,c\nx,1,p\nx,,q\nx,,r\nx,1,s\n",
                                                            uniqueKeys=[["a", "c"]]), "t",
     set_key("uniqueKeys", [["a", "b"]]), {("t", "unique-error", 5, "a")}, {("t", "unique-error", 2, "a")}),
    ("foreignKey", {"p": PARENT, "c": tbl([field("pid")], "pid\na\n\nz\nb\n")}, "c",
     set_key("foreignKeys", [{"fields": ["pid"], "reference": {"resource": "p", "fields": ["id"]}}]),
     {("c", "foreign-key", 4, "pid")}, set()),
    ("foreignKey-self", one_table([field("id"), field("parent")], "id,parent\na,\nb,a\nc,x\n"), "t",
     set_key("foreignKeys", [{"fields": ["parent"], "reference": {"fields": ["id"]}}]),
     {("t", "foreign-key", 4, "parent")}, set()),
    ("foreignKey-self-v1", one_table([field("id"), field("parent")], "id,parent\na,\nb,a\nc,x\n"), "t",
     set_key("foreignKeys", [{"fields": "parent", "reference": {"resource": "", "fields": "id"}}]),
     {("t", "foreign-key", 4, "parent")}, set()),
    ("foreignKey-composite",
     {"p": tbl([field("x", "integer"), field("y")], "x,y\n1,a\n2,b\n", primaryKey=["x", "y"]),
      "c": tbl([field("x", "integer"), field("y")], "x,y\n1,a\n1,b\n2,b\n")}, "c",
     set_key("foreignKeys", [{"fields": ["x", "y"], "reference": {"resource": "p", "fields": ["x", "y"]}}]),
     {("c", "foreign-key", 3, "x")}, set()),
    ("missingValues", one_table([field("n", "integer")], "n\n1\nNA\n3\n", missingValues=["", "NA"]), "t",
     set_key("missingValues", [""]), {("t", "type-error", 3, "n")}, set()),
    ("missingValues-field-removed",
     one_table([field("n", "integer", missingValues=["", "-"])], "n\n1\n-\n3\n", missingValues=[""]), "t",
     set_field("n", missingValues=None), {("t", "type-error", 3, "n")}, set()),
    ("missingValues-field-overrides-schema",
     one_table([field("n", "integer"), field("m", "integer")], "n,m\n1,NA\nNA,2\n", missingValues=["", "NA"]), "t",
     set_field("n", missingValues=[""]), {("t", "type-error", 3, "n")}, set()),
    ("missingValues-count-as-missing-for-required",
     one_table([field("n", "integer")], "n\n1\nNA\n", missingValues=["", "NA"]), "t", constrain("n", required=True),
     {("t", "constraint-error:required", 3, "n")}, set()),
    ("boolean-trueValues", one_table([field("b", "boolean", trueValues=["yes"], falseValues=["no"])], "b\nyes\nno\n"),
     "t", set_field("b", trueValues=None, falseValues=None),
     {("t", "type-error", 2, "b"), ("t", "type-error", 3, "b")}, set()),
    ("boolean-custom-replaces-defaults", one_table([field("b", "boolean")], "b\ntrue\nfalse\n"), "t",
     set_field("b", trueValues=["T"]), {("t", "type-error", 2, "b")}, set()),
    ("nullable-integer-range", one_table([field("n", "integer", constraints={"minimum": 0})], "n\n1\n\n3\n"), "t",
     constrain("n", minimum=2), {("t", "constraint-error:range", 2, "n")}, set()),
    ("nullable-integer-unique", one_table([field("n", "integer")], "n\n1\n\n\n3\n1\n"), "t", constrain("n", unique=True),
     {("t", "unique-error", 6, "n")}, {("t", "unique-error", 2, "n")}),
]


@pytest.mark.parametrize("schema_files", [False, True], ids=["inline", "file"])
@pytest.mark.parametrize("tables,table,change,must,may", [c[1:] for c in DRIFT], ids=[c[0] for c in DRIFT])
def test_tightening_a_table_schema_rejects_what_it_accepted(tmp_path, schema_files, tables, table, change, must, may):
    root = write_package(tmp_path / "pkg", copy.deepcopy(tables), schema_files)
    assert findings(root) == set(), "the package must be valid before the change"
    edit_schema(root, table, change)
    got = findings(root)
    assert must <= got, f"missing {must - got}; got {got}"
    assert got <= must | may, f"unexpected {got - must - may}"


@pytest.mark.parametrize("value", ["2021-1-5", "2021-01-5", "21-01-05", "2021/01/05", "20210105", "2021-13-01",
                                   "2021-00-10", "2021-04-31", "2021-02-29", " 2021-01-05", "2021-01-05T00:00:00",
                                   "2021-01-05Z", "05.01.2021", "2021-W01-2"])
def test_only_strict_iso_dates_are_dates(tmp_path, value):
    root = write_package(tmp_path / "pkg", one_table([field("d", "date")], f'd\n2021-01-05\n"{value}"\n2020-02-29\n'))
    assert findings(root) == {("t", "type-error", 3, "d")}


@pytest.mark.parametrize("value", ["3:00:00", "24:00:00", "03:60:00", "03:00", "0300", "03:00:00 PM", "T03:00:00"])
def test_only_strict_iso_times_are_times(tmp_path, value):
    root = write_package(tmp_path / "pkg", one_table([field("t", "time")], f"t\n00:00:00\n{value}\n23:59:59\n"))
    assert findings(root) == {("t", "type-error", 3, "t")}


@pytest.mark.parametrize("value", ["2021-01-05", "2021-1-5T10:00:00", "2021-01-05 10:00:00", "2021-02-30T10:00:00",
                                   "2021-01-05T25:00:00", "2021-01-05T10:00", "2021-01-05T10:00:00+1"])
def test_only_strict_iso_datetimes_are_datetimes(tmp_path, value):
    root = write_package(tmp_path / "pkg", one_table([field("ts", "datetime")],
                                                     f"ts\n2021-01-05T10:00:00Z\n{value}\n2021-01-05T10:00:00+01:00\n"))
    assert findings(root) == {("t", "type-error", 3, "ts")}


def test_a_composite_key_is_not_checked_field_by_field(tmp_path):
    # a and b each repeat, their combination does not: valid as primary key, unique key and foreign key.
    tables = {"p": tbl(COMPOSITE_FIELDS[:2], "a,b\nx,1\nx,2\ny,1\n", primaryKey=["a", "b"], uniqueKeys=[["a", "b"]]),
              "c": tbl(COMPOSITE_FIELDS[:2], "a,b\ny,1\nx,2\n,\nx,\n",
                       foreignKeys=[{"fields": ["a", "b"], "reference": {"resource": "p", "fields": ["a", "b"]}}])}
    assert findings(write_package(tmp_path / "pkg", tables)) == set()


def test_a_unique_key_with_a_missing_part_is_not_a_duplicate(tmp_path):
    tables = one_table([field("a"), field("b")], "a,b\nx,\nx,\n", uniqueKeys=[["a", "b"]])
    assert findings(write_package(tmp_path / "pkg", tables)) == set()


def test_a_missing_primary_key_is_reported(tmp_path):
    root = write_package(tmp_path / "pkg", one_table([field("id"), field("v")], "id,v\na,1\n,2\nc,3\n",
                                                     primaryKey=["id"]))
    assert findings(root) == {("t", "primary-key", 3, "id")}


def test_a_composite_primary_key_with_a_missing_part_and_a_duplicate(tmp_path):
    root = write_package(tmp_path / "pkg", one_table(COMPOSITE_FIELDS[:2], "a,b\nx,1\nx,\ny,2\nx,1\n",
                                                     primaryKey=["a", "b"]))
    # line 3 has a missing part; lines 2 and 5 are the same key (both occurrences are reported)
    assert findings(root) == {("t", "primary-key", line, "a") for line in (2, 3, 5)}


def test_an_empty_enum_is_a_schema_error_and_the_table_is_not_read(tmp_path):
    """Both official profiles require at least one enum value (frictionless agrees); the data of a table
    whose Table Schema is wrong is not checked against it."""
    root = write_package(tmp_path / "pkg", one_table([field("v", constraints={"enum": []})], "v\nx\n\ny\n"))
    assert findings(root) == {("t", "package-error", None, "")}


# --- the real schemas: every constraint written in schemas/ has its Pandera check --------------------

def derived_schemas(monkeypatch, target: Path, rules=None) -> dict:
    """The Pandera schema of each table of `target` (validate/frames.py)."""
    return pandera_schemas(target, rules=rules)


def check_names(column) -> Counter:
    return Counter(c.name for c in column.checks if not c.name.startswith("dataset:"))


@pytest.mark.parametrize("table", TABLES)
def test_a_new_constraint_in_a_schema_file_reaches_the_derived_schema(monkeypatch, repo, table):
    """Add an enum to a real schema file (no code change): the derived schema and the verdict follow."""
    schema_path = repo / "schemas" / f"{table}.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    pk = schema["primaryKey"][0] if isinstance(schema["primaryKey"], list) else schema["primaryKey"]
    lines = (repo / "data" / f"{table}.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    assert header[0] == pk  # ids come first and are simple tokens in every table
    ids = [line.split(",")[0] for line in lines[1:]]
    assert validate_package(repo, rules=None).valid

    before = check_names(derived_schemas(monkeypatch, repo)[table].columns[pk])
    fld(schema, pk)["constraints"]["enum"] = ids[:-1] + ["not-an-id"]   # the last row's id is no longer allowed
    schema_path.chmod(0o644)
    schema_path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    after = check_names(derived_schemas(monkeypatch, repo)[table].columns[pk])
    assert after - before == Counter({"constraint-error:enum": 1})

    report = validate_package(repo, rules=None)
    assert {(i.table, i.rule, i.line, i.column, i.value) for i in report.issues} == \
        {(table, "constraint-error:enum", len(lines), pk, ids[-1])}


# --- pandas traps -------------------------------------------------------------------------------------


def test_boolean_parsing_has_no_truthy_strings():
    parsed = parse(pa.array(["true", "yes", "", "false", "0", "1", "no", "False"]), field("b", "boolean"), [""])
    assert parsed.typed.to_pylist() == [True, None, None, False, False, True, None, False]
    assert parsed.invalid.to_pylist() == [False, True, False, False, False, False, True, False]
    assert parsed.missing.to_pylist() == [False, False, True, False, False, False, False, False]


def test_a_boolean_yes_or_empty_is_not_accepted_as_true(tmp_path):
    # enum [true]: were 'yes' or '' read as True (pandas truthiness), they would pass silently.
    root = write_package(tmp_path / "pkg", one_table([field("b", "boolean", constraints={"enum": [True], "required": True})],
                                                     "b\ntrue\nyes\n\n"))
    assert findings(root) == {("t", "type-error", 3, "b"), ("t", "constraint-error:required", 4, "b")}


def test_a_false_boolean_is_false_not_a_truthy_string(tmp_path):
    root = write_package(tmp_path / "pkg", one_table([field("b", "boolean", constraints={"enum": [True]})],
                                                     "b\ntrue\nfalse\nFalse\n0\n"))
    assert findings(root) == {("t", "constraint-error:enum", line, "b") for line in (3, 4, 5)}


def test_an_integer_column_with_missing_values_is_nullable(tmp_path, monkeypatch):
    root = write_package(tmp_path / "pkg", one_table([field("n", "integer", constraints={"minimum": 0, "unique": True})],
                                                     "n\n1\n\n3\n\n"))
    assert findings(root) == set()
    parsed = parse(pa.array(["1", "", "3"]), field("n", "integer"), [""])
    assert parsed.typed.type == pa.int64() and parsed.typed.to_pylist() == [1, None, 3]
    col = derived_schemas(monkeypatch, root)["t"].columns["n"]
    assert col.nullable


def test_a_cell_that_fails_type_parsing_does_not_hide_range_errors_in_other_cells(tmp_path):
    root = write_package(tmp_path / "pkg", one_table([field("n", "integer", constraints={"minimum": 0})],
                                                     "n\nabc\n-5\n7\n1.5\n"))
    assert findings(root) == {("t", "type-error", 2, "n"), ("t", "constraint-error:range", 3, "n"),
                              ("t", "type-error", 5, "n")}


def test_a_date_that_fails_parsing_does_not_hide_enum_and_range_errors(tmp_path):
    cons = {"minimum": "2021-01-01", "enum": ["2021-01-05", "2020-12-31"]}
    root = write_package(tmp_path / "pkg", one_table([field("d", "date", constraints=cons)],
                                                     "d\n2021-01-05\n2021-1-5\n2020-12-31\n2021-01-06\n"))
    assert findings(root) == {("t", "type-error", 3, "d"), ("t", "constraint-error:range", 4, "d"),
                              ("t", "constraint-error:enum", 5, "d")}


def issue_keys(report):
    return sorted((i.table, i.rule, i.line, i.column, i.value, i.message) for i in report.issues)


def test_arrow_and_pandera_engines_report_the_same_issues(tmp_path):
    """The default runner evaluates the derived checks directly; Pandera running them must agree exactly."""
    from synth import generate

    pkg = generate(tmp_path / "faulty", 3000, faults=40).path
    arrow = validate_package(pkg, max_errors=100000, engine="arrow")
    pandera = validate_package(pkg, max_errors=100000, engine="pandera")
    assert not arrow.valid and len(arrow.issues) >= 40
    assert issue_keys(arrow) == issue_keys(pandera)
    assert arrow.total == pandera.total


URIS = ["https://example.org/a", "http:x", "mailto:a@b", "urn:isbn:1", "a+b.c-d:rest", "1http://x", "://x", "//host/p",
        "/just/path", "", "noscheme", "é:x", "x y:z", "HTTPS://X", "h:", ":", "a:b:c", "?q:x", "#f:x", "ab/cd:e",
        "data:text/plain,hi", " http://x", "http ://x", "\thttp://x", "http://exa mple.org"]


def test_uri_format_agrees_with_rfc3986():
    """The uri format test is frictionless's own (rfc3986 with a required scheme), without the import."""
    import rfc3986
    from rfc3986 import validators

    from banjska.package.types import _string_format_reader

    def frictionless_reads(cell: str) -> bool:
        try:
            validators.Validator().require_presence_of("scheme").validate(rfc3986.uri_reference(cell))
        except rfc3986.exceptions.ValidationError:
            return False
        return True

    read = _string_format_reader("uri")
    assert [read(u) is not None for u in URIS] == [frictionless_reads(u) for u in URIS]


def test_uri_format_agrees_with_rfc3986_on_random_text():
    import rfc3986
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from rfc3986 import validators

    from banjska.package.types import _string_format_reader

    read = _string_format_reader("uri")

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet="aZ09+.-:/?#@ é", max_size=12))
    def agree(cell):
        try:
            validators.Validator().require_presence_of("scheme").validate(rfc3986.uri_reference(cell))
            expected = True
        except rfc3986.exceptions.ValidationError:
            expected = False
        assert (read(cell) is not None) == expected

    agree()
