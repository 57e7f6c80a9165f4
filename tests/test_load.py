"""banjska.load: every table and column typed from its Table Schema, missing exactly where the schema says."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import pandas as pd
import pyarrow as pa
import pytest

import banjska
from banjska.consume.load import load
from banjska.errors import DataInvalid, InputError

from corrupt import copy_package
from pkgtools import csv_rows, rehash, schema_of, zip_package
from pkgtools import set_table_cell as set_cell  # test_r.py imports copy_package and set_cell from here
from repo import ROOT, TABLES

DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text())


def expected_dtype(field: dict):
    """What the loader must produce for a field, written independently of banjska.load."""
    enum = (field.get("constraints") or {}).get("enum")
    if enum:
        return "category"
    return {"string": pd.StringDtype(), "integer": pd.Int64Dtype(), "number": pd.Float64Dtype(),
            "boolean": pd.BooleanDtype(), "date": pd.ArrowDtype(pa.date32()),
            "time": pd.ArrowDtype(pa.time64("us"))}[field["type"]]


def as_text(field: dict, value) -> str:
    """The Table Schema text form of a loaded value."""
    if field["type"] == "boolean":
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


@pytest.fixture(scope="module")
def tables():
    return load(ROOT)


def test_banjska_load_is_the_public_loader():
    assert banjska.load is load


def test_every_table_is_loaded_in_package_order(tables):
    assert list(tables) == list(TABLES)
    for table in TABLES:
        assert len(tables[table]) == len(csv_rows(ROOT, table)), table
        assert list(tables[table].columns) == [f["name"] for f in schema_of(ROOT, table)["fields"]], table


@pytest.mark.parametrize("table", TABLES)
def test_every_column_has_the_schema_type_and_every_cell_its_csv_value(tables, table):
    frame = tables[table]
    rows = csv_rows(ROOT, table)
    for field in schema_of(ROOT, table)["fields"]:
        col = frame[field["name"]]
        want = expected_dtype(field)
        where = f"{table}.{field['name']}"
        if want == "category":
            assert isinstance(col.dtype, pd.CategoricalDtype), where
            enum = field["constraints"]["enum"]
            assert list(col.cat.categories) == enum, where
            assert col.cat.ordered is bool(field.get("categoriesOrdered", False)), where
        else:
            assert col.dtype == want, f"{where}: {col.dtype} != {want}"
        for i, row in enumerate(rows):
            text, value = row[field["name"]], col.iloc[i]
            if text == "":  # missingValues [""]: the only missing value
                assert pd.isna(value), f"{where} row {i}: {value!r} should be missing"
            else:
                assert not pd.isna(value), f"{where} row {i}: {text!r} loaded as missing"
                assert as_text(field, value) == text, f"{where} row {i}"


def test_types_that_matter_to_analysts(tables):
    events = tables["events"]
    assert isinstance(events["date"].dropna().iloc[0], dt.date)
    assert events["cameo_code"].dropna().astype(str).str.len().min() >= 3  # "010" keeps its zero
    assert isinstance(tables["statements"]["precedes_event"].dtype, pd.BooleanDtype)
    assert list(events["geo_precision"].cat.categories) == [1, 2, 3]


def test_literal_na_in_text_is_text_not_missing(tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    set_cell(pkg, "actors", 0, "title", "NA")
    set_cell(pkg, "places", 0, "notes", "N/A")
    rehash(pkg)
    assert pd.isna(pd.read_csv(pkg / "data/actors.csv")["title"][0])  # the trap: pandas' default NA list
    typed = load(pkg)
    assert typed["actors"]["title"][0] == "NA"
    assert typed["places"]["notes"][0] == "N/A"


def test_datapackage_json_path_and_release_zip_load_the_same(tmp_path, tables):
    zpath = zip_package(ROOT, tmp_path / "release.zip")
    for source in (ROOT / "datapackage.json", str(zpath)):
        other = load(source)
        assert list(other) == list(tables)
        for name in tables:
            pd.testing.assert_frame_equal(other[name], tables[name])


def test_zip_member_escaping_the_archive_is_rejected(tmp_path):
    zpath = tmp_path / "evil.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.write(ROOT / "datapackage.json", "datapackage.json")
        zf.writestr("../outside.txt", "x")
    with pytest.raises(InputError, match=r"zip member '\.\./outside\.txt' would escape the archive"):
        load(zpath)


def test_zip_with_a_wrapping_folder_loads_like_the_directory(tmp_path, tables):
    zpath = tmp_path / "wrapped.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for path in sorted(p for p in ROOT.glob("*") if p.name in ("datapackage.json", "data", "schemas", "seeds")):
            for f in sorted([path] if path.is_file() else path.rglob("*")):
                zf.write(f, "pkg/" + f.relative_to(ROOT).as_posix())
    wrapped = load(zpath)
    assert list(wrapped) == list(tables)
    for name in tables:
        pd.testing.assert_frame_equal(wrapped[name], tables[name])


def test_zip_without_a_descriptor_is_an_input_error(tmp_path):
    zpath = tmp_path / "two.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.write(ROOT / "datapackage.json", "a/datapackage.json")
        zf.write(ROOT / "datapackage.json", "b/datapackage.json")
    with pytest.raises(InputError, match="no datapackage.json at the top of the archive or in one top folder"):
        load(zpath)


def test_resource_path_escaping_the_package_is_rejected(tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    doc = json.loads((pkg / "datapackage.json").read_text())
    doc["resources"][0]["path"] = "../../etc/passwd"
    (pkg / "datapackage.json").write_text(json.dumps(doc))
    with pytest.raises(DataInvalid, match=r"\[unsafe-path\] path '\.\./\.\./etc/passwd' refused: paths may not contain '\.\.'"):
        load(pkg)


def test_a_bad_value_is_an_error_naming_table_line_and_column(tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    set_cell(pkg, "casualties", 1, "count", "three")
    rehash(pkg)
    with pytest.raises(DataInvalid) as err:
        load(pkg)
    assert "data/casualties.csv:3 column count: [type-error]" in err.value.one_line()
    with pytest.raises(DataInvalid) as err:  # unvalidated, a cell that does not parse still stops the load
        load(pkg, validate=False)
    assert err.value.one_line().startswith("data/casualties.csv:3: column count: value 'three' is not a valid integer")


def test_a_value_outside_the_enum_is_an_error_not_a_silent_nan(tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    set_cell(pkg, "events", 0, "cameo_code", "999")
    with pytest.raises(DataInvalid, match="not one of the allowed values"):
        load(pkg)


def test_a_header_out_of_schema_order_is_an_error(tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    path = pkg / "data/places.csv"
    lines = path.read_text().split("\n")
    head = lines[0].split(",")
    head[0], head[1] = head[1], head[0]
    path.write_text("\n".join([",".join(head)] + lines[1:]))
    with pytest.raises(DataInvalid, match="header"):
        load(pkg)


def test_tables_selects_and_unknown_names_are_refused():
    assert list(load(ROOT, tables=["events"])) == ["events"]
    with pytest.raises(InputError, match="no table"):
        load(ROOT, tables=["nope"])
    with pytest.raises(InputError, match="no data package"):
        load(ROOT / "nowhere")
