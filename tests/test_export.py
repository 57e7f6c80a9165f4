"""make-data export: SQLite with keys and indexes, Parquet with the schema's types; both read back equal to the CSVs."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corrupt import copy_package
from pkgtools import csv_rows, rehash, schema_of, set_table_cell, zip_package
from repo import ROOT, TABLES


def sql_text(field: dict, value) -> str:
    """An SQLite value back in Table Schema text form ('' for NULL)."""
    if value is None:
        return ""
    if field["type"] == "boolean":
        assert value in (0, 1)
        return "true" if value else "false"
    if field["type"] == "integer":
        assert isinstance(value, int)
    return str(value)


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory):
    from click.testing import CliRunner

    from banjska.cli import main

    out = tmp_path_factory.mktemp("sqlite") / "banjska.sqlite"
    res = CliRunner().invoke(main, ["export", "--format", "sqlite", "--output", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == str(out)
    con = sqlite3.connect(out)
    yield con
    con.close()


@pytest.mark.parametrize("table", TABLES)
def test_sqlite_rows_equal_the_csv(sqlite_db, table):
    fields = schema_of(ROOT, table)["fields"]
    got = sqlite_db.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
    want = csv_rows(ROOT, table)
    assert len(got) == len(want)
    for row, expected in zip(got, want, strict=False):
        assert {f["name"]: sql_text(f, v) for f, v in zip(fields, row, strict=False)} == expected


def test_sqlite_has_the_schemas_keys_and_indexes(sqlite_db):
    for table in TABLES:
        s = schema_of(ROOT, table)
        info = sqlite_db.execute(f'PRAGMA table_info("{table}")').fetchall()
        assert [r[1] for r in info] == [f["name"] for f in s["fields"]]
        assert [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]] == s["primaryKey"]
        fks = {(r[2], r[3], r[4]) for r in sqlite_db.execute(f'PRAGMA foreign_key_list("{table}")')}
        want = {(fk["reference"].get("resource", table), fk["fields"][0], fk["reference"]["fields"][0])
                for fk in s.get("foreignKeys", [])}
        assert fks == want, table
        indexed = {sqlite_db.execute(f'PRAGMA index_info("{r[1]}")').fetchone()[2]
                   for r in sqlite_db.execute(f'PRAGMA index_list("{table}")')}
        assert {fk["fields"][0] for fk in s.get("foreignKeys", [])} <= indexed, table
    assert sqlite_db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_sqlite_enforces_enums_and_required_fields(sqlite_db):
    sqlite_db.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        sqlite_db.execute("UPDATE casualties SET outcome = 'wounded'")
    with pytest.raises(sqlite3.IntegrityError, match="NOT NULL"):
        sqlite_db.execute("UPDATE events SET date_precision = NULL")
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        sqlite_db.execute("UPDATE casualties SET event_id = 'no-such-event'")
    sqlite_db.rollback()


ARROW = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(),
         "date": pa.date32(), "time": pa.time64("us")}


def test_parquet_keeps_the_schema_types_and_the_values(tmp_path, cli):
    res = cli("export", "--format", "parquet", "-o", tmp_path / "pq")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "pq").iterdir()) == sorted(f"{t}.parquet" for t in TABLES)
    for table in TABLES:
        t = pq.read_table(tmp_path / "pq" / f"{table}.parquet")
        fields = schema_of(ROOT, table)["fields"]
        assert t.column_names == [f["name"] for f in fields]
        for f, col in zip(fields, t.itercolumns(), strict=False):
            enum = (f.get("constraints") or {}).get("enum")
            where = f"{table}.{f['name']}"
            if enum and f["type"] == "string":
                assert pa.types.is_dictionary(col.type), where
                assert col.combine_chunks().dictionary.to_pylist() == enum, where
            else:
                assert col.type == ARROW[f["type"]], f"{where}: {col.type}"
            assert t.schema.field(f["name"]).nullable is not bool((f.get("constraints") or {}).get("required"))
            values = col.to_pylist()
            for value, row in zip(values, csv_rows(ROOT, table), strict=False):
                text = row[f["name"]]
                if value is None:
                    assert text == "", where
                elif f["type"] == "boolean":
                    assert ("true" if value else "false") == text, where
                elif isinstance(value, (dt.date, dt.time)):
                    assert value.isoformat() == text, where
                else:
                    assert str(value) == text, where


def test_default_output_is_under_build_and_no_temp_files_are_left(repo, cli, monkeypatch):
    monkeypatch.chdir(repo / "data")  # the package is found upward; the output goes under the working directory
    res = cli("export", "--format", "sqlite", "--json")
    assert res.exit_code == 0, res.output
    out = Path(json.loads(res.stdout)["files"][0])
    name = json.loads((repo / "datapackage.json").read_text())["name"]
    assert out == repo / "data" / "build" / "export" / f"{name}.sqlite" and out.is_file()
    assert [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")] == []
    # a second export replaces the file whole
    assert cli("export", "--format", "sqlite").exit_code == 0


def test_export_reads_a_release_zip(tmp_path, cli):
    zpath = zip_package(ROOT, tmp_path / "release.zip")
    res = cli("export", zpath, "--format", "sqlite", "-o", tmp_path / "z.sqlite")
    assert res.exit_code == 0, res.output
    con = sqlite3.connect(tmp_path / "z.sqlite")
    assert con.execute("SELECT count(*) FROM evidence").fetchone()[0] == len(csv_rows(ROOT, "evidence"))
    con.close()


def test_broken_foreign_key_fails_and_leaves_no_file(tmp_path, cli):
    pkg = copy_package(tmp_path / "pkg")
    line = set_table_cell(pkg, "casualties", 0, "event_id", "no-such-event")
    rehash(pkg)
    out = tmp_path / "out" / "x.sqlite"
    res = cli("export", pkg, "--format", "sqlite", "-o", out)  # refused by validation first
    assert res.exit_code == 1
    # the broken key, and the dataset rule that a casualty's event is violent (its event is gone), both there
    want = [("data/casualties.csv", line, "event_id", rule)
            for rule in ("foreign-key",)]  # a missing event is not also a "non-violent" one
    assert res.stderr.startswith(f"Error: {pkg / 'datapackage.json'} is not a valid package ({len(want)} error(s)): ")
    found = re.findall(r"(data/[\w.]+):(\d+) column (\w+): \[([\w:-]+)\]", res.stderr)
    assert [(f, int(n), c, r) for f, n, c, r in found] == want
    assert not out.parent.exists()
    res = cli("export", pkg, "--format", "sqlite", "-o", out, "--no-validate")  # SQLite's own check still refuses
    assert res.exit_code == 1
    assert res.stderr == "Error: SQLite rejected the data: FOREIGN KEY constraint failed. Run `make-data validate`.\n"
    assert not out.exists() and list(out.parent.glob("*")) == []


def test_unknown_format_is_a_usage_error(cli):
    assert cli("export", "--format", "xlsx").exit_code == 2
