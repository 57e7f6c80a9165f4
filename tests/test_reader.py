"""The one package reader: path safety, zips read member by member, v1 and v2 descriptors, batches, and
consumers (load, export, diff) that refuse what validate rejects."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import banjska
import banjska.package.reader as reader
from banjska.errors import DataInvalid, InputError
from banjska.package.reader import open_package
from banjska.package.tables import read_text_table, text_batches
from banjska.validate import validate_package

from corrupt import copy_package, tree_digest
from pkgtools import find_row, line_of, read_rows, rehash, set_cell, write_rows
from repo import ROOT, TABLES

MAKE_DATA = Path(sys.executable).with_name("make-data")


def located(report) -> list[tuple[str, str, str]]:
    return [(i.table, i.rule, i.message) for i in report.issues]


# --- path safety ----------------------------------------------------------------------------------

def test_a_resource_linked_outside_the_package_is_refused_and_never_printed(tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    target = pkg / "data" / "places.csv"
    target.unlink()
    target.symlink_to("/proc/self/environ")
    env = {**os.environ, "BANJSKA_SECRET": "do-not-print-me"}
    proc = subprocess.run([str(MAKE_DATA), "validate", str(pkg)], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 1
    assert "do-not-print-me" not in proc.stdout + proc.stderr
    assert "data/places.csv is a link to a file outside the package" in proc.stdout
    with pytest.raises(DataInvalid, match="data/places.csv is a link to a file outside the package"):
        banjska.load(pkg)


def test_a_link_inside_the_package_is_followed(tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    (pkg / "data" / "places-real.csv").write_bytes((pkg / "data" / "places.csv").read_bytes())
    (pkg / "data" / "places.csv").unlink()
    (pkg / "data" / "places.csv").symlink_to("places-real.csv")
    assert validate_package(pkg).valid


def test_a_fifo_schema_is_refused_without_waiting(tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    schema = pkg / "schemas" / "places.schema.json"
    schema.unlink()
    os.mkfifo(schema)
    proc = subprocess.run([str(MAKE_DATA), "validate", str(pkg), "--format", "json"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 1, proc.stderr
    errors = json.loads(proc.stdout)["errors"]
    assert {(e["table"], e["rule"], e["message"]) for e in errors if e["table"] == "places"} == {
        ("places", "unsafe-path", "schema schemas/places.schema.json is not a regular file (a FIFO, device, socket or "
                                  "directory)")}


def test_load_of_a_resource_linked_to_a_device_is_refused(tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    (pkg / "data" / "units.csv").unlink()
    (pkg / "data" / "units.csv").symlink_to("/dev/zero")
    with pytest.raises(DataInvalid, match="data/units.csv is a link to a file outside the package"):
        banjska.load(pkg)
    with open_package(pkg) as package, pytest.raises(DataInvalid, match="outside the package"):
        package.data("data/units.csv")


@pytest.mark.parametrize("path, reason", [
    ("../outside.csv", "paths may not contain '..'"),
    ("/etc/passwd", "absolute paths are not allowed"),
    ("https://example.org/places.csv", "remote paths (URLs) are not read: download the file into the package"),
])
def test_unsafe_resource_paths_are_refused_naming_the_resource(tmp_path, path, reason):
    pkg = copy_package(tmp_path / "pkg")
    desc = json.loads((pkg / "datapackage.json").read_text())
    next(r for r in desc["resources"] if r["name"] == "places")["path"] = path
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    before = tree_digest(pkg)
    report = validate_package(pkg)
    assert ("places", "unsafe-path", f"path {path!r} refused: {reason}") in located(report)
    assert tree_digest(pkg) == before


def test_a_remote_package_is_an_input_error(cli):
    res = cli("validate", "https://example.org/datapackage.json")
    assert res.exit_code == 2
    assert res.stderr.startswith("Error: https://example.org/datapackage.json is a URL: remote packages are not read.")


def test_a_csv_file_is_not_a_package(cli):
    res = cli("validate", ROOT / "data" / "events.csv")
    assert res.exit_code == 2
    assert res.stderr.startswith(f"Error: {ROOT / 'data' / 'events.csv'} is not a data package.")


# --- zips ----------------------------------------------------------------------------------------

def _zip(pkg: Path, dest: Path, prefix: str = "", extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in pkg.rglob("*") if p.is_file()):
            zf.write(path, prefix + path.relative_to(pkg).as_posix())
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return dest


def test_zip_members_no_resource_references_are_never_read(tmp_path, monkeypatch):
    pkg = copy_package(tmp_path / "pkg")
    archive = _zip(pkg, tmp_path / "p.zip", extra={"notes/huge.bin": b"\0" * (1 << 20)})
    read = []
    real = reader.ZipSource.data
    monkeypatch.setattr(reader.ZipSource, "data", lambda self, rel: read.append(rel) or real(self, rel))
    assert validate_package(archive).valid
    desc = json.loads((pkg / "datapackage.json").read_text())
    referenced = {"datapackage.json"} | {r["path"] for r in desc["resources"]} | {
        r["schema"] for r in desc["resources"] if isinstance(r.get("schema"), str)}
    assert sorted(read) == sorted(referenced)  # each once; not notes/huge.bin, not the seed's metadata
    assert not any(p.name.startswith("make-data-zip") for p in Path(os.environ.get("TMPDIR", "/tmp")).iterdir())


def test_zip_members_are_read_up_to_a_cap(tmp_path, monkeypatch):
    pkg = copy_package(tmp_path / "pkg")
    archive = _zip(pkg, tmp_path / "p.zip", prefix="pkg/")
    monkeypatch.setattr(reader, "MAX_READ", 30_000)
    report = validate_package(archive)
    assert ("evidence", "source-error", "zip member data/evidence.csv would take the archive past 0 GiB unpacked") \
        in located(report)


def test_a_tampered_release_zip_is_refused_by_load(tmp_path):
    """Re-packed with an extra row, the zip's hash entries no longer match: load refuses it."""
    pkg = copy_package(tmp_path / "pkg")
    header, rows = read_rows(pkg / "data" / "casualties.csv")
    write_rows(pkg / "data" / "casualties.csv", header, rows + [[c + "-x" if i == 0 else c for i, c in enumerate(rows[0])]])
    archive = _zip(pkg, tmp_path / "tampered.zip")
    with pytest.raises(DataInvalid, match=r"data/casualties.csv: \[byte-count\]"):
        banjska.load(archive)


# --- consumers refuse what validate rejects ----------------------------------------------------------

@pytest.mark.parametrize("break_it, finding", [
    (lambda p: set_cell(p / "data/places.csv", 1, "place_id", read_rows(p / "data/places.csv")[1][0][0]),
     "[primary-key]"),
    (lambda p: set_cell(p / "data/casualties.csv", 0, "event_id", "no-such-event"), "[foreign-key]"),
])
def test_load_export_and_diff_refuse_an_invalid_package(tmp_path, cli, break_it, finding):
    pkg = copy_package(tmp_path / "pkg")
    break_it(pkg)
    rehash(pkg)
    with pytest.raises(DataInvalid, match=r"is not a valid package .*" + finding.replace("[", r"\[").replace("]", r"\]")):
        banjska.load(pkg)
    out = tmp_path / "parquet"
    res = cli("export", pkg, "--format", "parquet", "-o", out)
    assert res.exit_code == 1 and finding in res.stderr and not out.exists()
    res = cli("diff", ROOT, pkg)
    assert res.exit_code == 1 and finding in res.stderr and res.stdout == ""
    assert banjska.load(pkg, validate=False)["places"].shape[0] == len(read_rows(pkg / "data/places.csv")[1])


def test_a_wrong_hash_is_refused_by_load(tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    set_cell(pkg / "data/places.csv", 0, "notes", "edited by hand")
    with pytest.raises(DataInvalid, match=r"data/places.csv: \[hash-count\]"):
        banjska.load(pkg)


# --- Data Package v1 and v2, inline schemas ----------------------------------------------------------

def _foreign_v1(root: Path) -> Path:
    """A Data Package v1 written by another tool: `profile` only (no `type`), an inline schema."""
    root.mkdir()
    (root / "people.csv").write_text("id,name,born,height\n1,Ada,1815-12-10,1.65\n2,NA,,\n", encoding="utf-8")
    (root / "datapackage.json").write_text(json.dumps({
        "profile": "tabular-data-package", "name": "people",
        "resources": [{"name": "people", "path": "people.csv", "profile": "tabular-data-resource",
                       "schema": {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"},
                                             {"name": "born", "type": "date"}, {"name": "height", "type": "number"}],
                                  "primaryKey": "id"}}]}), encoding="utf-8")
    return root


def test_a_foreign_v1_package_validates_and_loads_typed(tmp_path, cli):
    pkg = _foreign_v1(tmp_path / "v1")
    assert validate_package(pkg).valid
    people = banjska.load(pkg)["people"]
    assert people.dtypes.astype(str).to_dict() == {"id": "Int64", "name": "string", "born": "date32[day][pyarrow]",
                                                    "height": "Float64"}
    assert people["name"].tolist() == ["Ada", "NA"]
    assert people["born"].isna().tolist() == [False, True]
    out = tmp_path / "v1.sqlite"
    assert cli("export", pkg, "--format", "sqlite", "-o", out).exit_code == 0
    import sqlite3

    with sqlite3.connect(out) as con:
        assert con.execute("SELECT id, name FROM people ORDER BY id").fetchall() == [(1, "Ada"), (2, "NA")]


def test_a_v1_resource_without_profile_is_still_a_table(tmp_path):
    pkg = _foreign_v1(tmp_path / "v1")
    desc = json.loads((pkg / "datapackage.json").read_text())
    del desc["resources"][0]["profile"]
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    assert list(banjska.load(pkg)) == ["people"]


# --- batches -------------------------------------------------------------------------------------

def test_batches_collect_to_the_whole_table_with_exact_lines(tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    csv = pkg / "data" / "units.csv"
    row = find_row(csv, "unit_id", "src-000/L03S01")
    set_cell(csv, row, "text", "a cell\nover two lines")  # later rows move down a line
    with open_package(pkg) as package:
        res = package.resource("units")
        schema = package.schema(res)
        batches = list(text_batches(package, res, schema, rows=4))
        whole = read_text_table(package, res, schema)
    n = len(read_rows(csv)[1])
    assert [b.first_row for b in batches] == list(range(0, n, 4))
    assert pa.concat_arrays([b.columns["unit_id"] for b in batches]).equals(whole.column("unit_id").combine_chunks())
    assert [int(line) for b in batches for line in b.lines] == [line_of(csv, i) for i in range(n)]


def test_load_gives_every_table_of_the_shipped_package():
    frames = banjska.load(ROOT)
    assert list(frames) == list(TABLES)
    assert all(isinstance(f, pd.DataFrame) for f in frames.values())
    assert [len(f) for f in frames.values()] == [len(read_rows(ROOT / "data" / f"{t}.csv")[1]) for t in TABLES]


def test_load_without_a_path_is_a_type_error():
    with pytest.raises(TypeError):
        banjska.load()  # the library never guesses a package: pass one


def test_opening_a_missing_package_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no data package at"), open_package(tmp_path / "nowhere"):
        pass
