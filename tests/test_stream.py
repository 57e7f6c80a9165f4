"""Streaming validation (validate/stream.py): a table read in batches, with its keys kept as hashes, gives
exactly the findings of the same table read whole (same rule, line, column, value, message and count).

The budget is set so small that every table is cut into many batches, so each finding is made in one
batch and moved to the file's own line. A differential test over the hostile corpus and a seeded fuzz
compares the two paths; the cases below cover what only streaming does (cutting rows, hashes and their
collisions, references to tables not finished yet, spilling to disk, zip members, interruption).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import banjska.validate.stream as stream
from banjska.errors import MakeDataError
from banjska.package.csvread import Dialect
from banjska.package.reader import ZipSource
from banjska.validate import validate_package
from banjska.validate.budget import Budget, parse_size

from corrupt import Pkg, copy_package, no_unraisable
from mutate import hostile_names, hostile_target, mutated_package, mutations
from pkgtools import line_of, zip_package
from repo import ROOT

WHOLE = Budget(stream_at=1 << 62)


def tiny(batch: int = 1024, spill_at: int = 1 << 30, tmpdir: Path | None = None) -> Budget:
    """Every table streamed, in batches of about `batch` bytes."""
    return Budget(batch=batch, stream_at=0, spill_at=spill_at, tmpdir=str(tmpdir) if tmpdir else None)


def findings(report) -> list[tuple]:
    return sorted((i.table, i.rule, i.line or 0, i.column, i.value, i.message, i.hint, i.file) for i in report.issues)


def assert_same(target, budget: Budget, rules=None) -> tuple:
    whole = validate_package(target, max_errors=100_000, rules=rules, budget=WHOLE)
    streamed = validate_package(target, max_errors=100_000, rules=rules, budget=budget)
    assert findings(streamed) == findings(whole)
    assert (streamed.total, streamed.checked, streamed.valid) == (whole.total, whole.checked, whole.valid)
    assert streamed.counts == whole.counts and sum(whole.counts.values()) == whole.total
    return whole, streamed


def write_package(root: Path, tables: dict[str, tuple[dict, list[list[str]]]], name: str = "streamed") -> Path:
    """A package of inline-schema CSV tables: {name: (schema, rows with the header first)}."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    resources = []
    for table, (schema, rows) in tables.items():
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        (root / "data" / f"{table}.csv").write_text(out.getvalue(), encoding="utf-8")
        resources.append({"name": table, "path": f"data/{table}.csv", "format": "csv", "schema": schema})
    (root / "datapackage.json").write_text(json.dumps({"name": name, "resources": resources}), encoding="utf-8")
    return root


# --- cutting a file into batches ------------------------------------------------------------------------

TRICKY = (b'id,"note, with\ncomma",n\r\n1,"two\nlines",3\n2,"a ""quoted"" word\n",4\n3,,5\n\n'
          b'4,"x",6\n5,"\n\n",7\n6,last,8')


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 21, 34, 55, 200])
def test_batches_end_on_row_boundaries_and_lose_no_byte(size):
    import hashlib

    digest = hashlib.sha256()
    batches = [bytes(b) for b in stream.read_batches(io.BytesIO(TRICKY), size, Dialect(), digest)]
    assert b"".join(batches) == TRICKY
    assert digest.hexdigest() == hashlib.sha256(TRICKY).hexdigest()
    for b in batches[:-1]:
        assert b.endswith(b"\n") and b.count(b'"') % 2 == 0, b
    assert stream.header_of(bytearray(batches[0]), Dialect()) == ["id", "note, with\ncomma", "n"]


def test_errors_after_multiline_cells_are_at_their_file_line(tmp_path):
    """Cells and a header label that span lines: every error at the line where its row starts."""
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "two-line\nnote"}, {"name": "n", "type": "integer"}]}
    rows = [["id", "two-line\nnote", "n"]] + [[str(i), "two\nlines" if i % 3 else "one", "x" if i % 7 == 0 else str(i)]
                                    for i in range(1, 200)]
    root = write_package(tmp_path / "p", {"t": (schema, rows)})
    for batch in (16, 64, 333):
        whole, streamed = assert_same(root, tiny(batch))
    assert [i.line for i in streamed.issues] == [line_of(root / "data" / "t.csv", i - 1) for i in range(7, 200, 7)]


# --- the same findings as whole tables ------------------------------------------------------------------

def test_the_shipped_package_streams_to_the_same_verdict():
    assert_same(ROOT, tiny(512))
    whole, _ = assert_same(ROOT, tiny(512), rules="auto")  # the tables no dataset rule reads whole stream
    assert whole.valid


def test_a_generated_faulty_package_streams_to_the_same_findings(tmp_path):
    from synth import generate

    target = generate(tmp_path / "faulty", 3000, faults=60).path
    whole, _ = assert_same(target, tiny(4096, spill_at=64, tmpdir=tmp_path))
    assert whole.total > 60
    assert_same(target, tiny(4096), rules="auto")


@pytest.mark.parametrize("name", hostile_names())
def test_streaming_agrees_on_the_hostile_corpus(name, tmp_path):
    target = hostile_target(name, tmp_path)
    try:
        validate_package(target, rules=None, budget=WHOLE)
    except MakeDataError as exc:  # unreadable input: stops before any table is read, streamed or not
        with pytest.raises(type(exc)):
            validate_package(target, rules=None, budget=tiny())
        return
    assert_same(target, tiny(700))


CELLS = st.one_of(st.sampled_from(["", "x", "-1", "0", "3", "2023-02-30", "2023-09-24", "killed", "kosovo",
                                   "banjska-attack", "src-000/L02S01", "a\nb", '"', "NA"]),
                  st.text(alphabet="ab-019:=é \n,\"", max_size=8))


@settings(max_examples=80, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutations(CELLS))
def test_streaming_agrees_on_mutated_packages(mutation):
    """A seeded fuzz (80 cases): one cell changed (newlines, quotes and commas included) and the package
    re-hashed; streamed in batches of ~1.5 kB, every table gives the findings it gives whole."""
    with tempfile.TemporaryDirectory() as tmp:
        root = mutated_package(Path(tmp) / "pkg", mutation)
        with no_unraisable():
            assert_same(root, tiny(1500))
    shutil.rmtree(tmp, ignore_errors=True)


# --- keys as hashes ---------------------------------------------------------------------------------------

def test_equal_texts_hash_equal_wherever_they_sit_and_distinct_ids_do_not_collide():
    values = ["", "a", "ev-1", "x" * 7, "y" * 8, "z" * 9, "é" * 40, "long" * 100, None]
    h = stream.hash_text(pa.array(values))
    sliced = stream.hash_text(pa.array(["pad", *values]).slice(1))
    large = stream.hash_text(pa.array(values, pa.large_string()))
    assert (h == sliced).all() and (h == large).all()
    assert len(set(h[:-1].tolist())) == len(values) - 1
    assert stream.hash_text(pa.array(["ab"]))[0] != stream.hash_text(pa.array(["ba"]))[0]
    ids = pa.array([f"ev-{i}" for i in range(300_000)] + [f"ev-{i:07d}" for i in range(300_000)])
    assert len(np.unique(stream.hash_text(ids))) == len(ids)


def test_colliding_hashes_are_confirmed_on_the_values(tmp_path, monkeypatch):
    """With a hash that maps every value to 0, every key is a candidate duplicate: the second pass must
    report only the rows whose values really repeat."""
    schema = {"fields": [{"name": "id"}, {"name": "code", "constraints": {"unique": True}}], "primaryKey": ["id"]}
    rows = [["id", "code"]] + [[f"r{i}", f"c{i}"] for i in range(300)]
    rows[120][0] = "r7"       # line 121 repeats the primary key of line 9
    rows[250][1] = "c3"       # line 251 repeats the unique code of line 5
    root = write_package(tmp_path / "p", {"t": (schema, rows)})
    monkeypatch.setattr(stream, "hash_text", lambda values: np.zeros(len(values), dtype=np.uint64))
    _, streamed = assert_same(root, tiny(200))
    assert sorted((i.rule, i.line, i.value) for i in streamed.issues) == [
        ("primary-key", 9, "r7"), ("primary-key", 121, "r7"), ("unique-error", 5, "c3"), ("unique-error", 251, "c3")]


def test_self_references_and_cycles_are_looked_up_when_the_parent_is_finished(tmp_path):
    nodes = {"fields": [{"name": "id"}, {"name": "parent"}, {"name": "group"}], "primaryKey": ["id"],
             "foreignKeys": [{"fields": ["parent"], "reference": {"resource": "", "fields": ["id"]}},
                             {"fields": ["group"], "reference": {"resource": "groups", "fields": ["gid"]}}]}
    groups = {"fields": [{"name": "gid"}, {"name": "head"}], "primaryKey": ["gid"],
              "foreignKeys": [{"fields": ["head"], "reference": {"resource": "nodes", "fields": ["id"]}}]}
    node_rows = [["id", "parent", "group"]] + [[f"n{i}", f"n{i + 1}" if i < 199 else "", f"g{i % 5}"] for i in range(200)]
    node_rows[150][1] = "n999"   # no such node
    node_rows[160][2] = "g9"     # no such group
    group_rows = [["gid", "head"]] + [[f"g{i}", f"n{i * 10}"] for i in range(5)] + [["g5", "nobody"]]
    root = write_package(tmp_path / "p", {"nodes": (nodes, node_rows), "groups": (groups, group_rows)})
    _, streamed = assert_same(root, tiny(64))
    assert sorted((i.table, i.line, i.value) for i in streamed.issues) == [
        ("groups", 7, "nobody"), ("nodes", 151, "n999"), ("nodes", 161, "g9")]


def test_a_table_held_whole_refers_to_a_streamed_one_and_back(tmp_path):
    big = {"fields": [{"name": "id", "type": "integer"}, {"name": "kind"}], "primaryKey": ["id"],
           "foreignKeys": [{"fields": ["kind"], "reference": {"resource": "kinds", "fields": ["kind"]}}]}
    kinds = {"fields": [{"name": "kind"}, {"name": "example", "type": "integer"}], "primaryKey": ["kind"],
             "foreignKeys": [{"fields": ["example"], "reference": {"resource": "big", "fields": ["id"]}}]}
    big_rows = [["id", "kind"]] + [[str(i), "ab"[i % 2]] for i in range(5000)]
    big_rows[4000][1] = "c"
    kind_rows = [["kind", "example"], ["a", "0"], ["b", "007"], ["z", "123456"]]
    root = write_package(tmp_path / "p", {"big": (big, big_rows), "kinds": (kinds, kind_rows)})
    budget = Budget(batch=2048, stream_at=1000)  # big streams, kinds is held whole
    whole, streamed = assert_same(root, budget)
    assert sorted((i.table, i.line, i.value) for i in streamed.issues) == [("big", 4001, "c"), ("kinds", 4, "123456")]


# --- memory: spilling, interruption, zips ------------------------------------------------------------------

def test_hashes_spill_to_disk_and_the_directory_is_removed(tmp_path, monkeypatch):
    from synth import generate

    target = generate(tmp_path / "faulty", 2000, faults=30).path
    spills = []
    real = stream.HashStore._spill
    monkeypatch.setattr(stream.HashStore, "_spill", lambda self: (spills.append(1), real(self))[1])
    (tmp_path / "spill").mkdir()
    assert_same(target, tiny(2048, spill_at=256, tmpdir=tmp_path / "spill"))
    assert len(spills) > 10
    assert list((tmp_path / "spill").iterdir()) == []


def test_an_interrupted_validation_leaves_nothing_in_the_temporary_directory(tmp_path, monkeypatch):
    from synth import generate

    target = generate(tmp_path / "pkg", 2000).path
    (tmp_path / "spill").mkdir()

    real = stream.TableStream.finish

    def interrupt(self, result):  # the user presses Ctrl-C once some hashes are on disk
        if not any((tmp_path / "spill").rglob("*.u64")):
            return real(self, result)
        raise KeyboardInterrupt

    monkeypatch.setattr(stream.TableStream, "finish", interrupt)
    with pytest.raises(KeyboardInterrupt):
        validate_package(target, rules=None, budget=tiny(2048, spill_at=64, tmpdir=tmp_path / "spill"))
    assert list((tmp_path / "spill").iterdir()) == []


def test_zip_members_are_streamed_without_being_read_whole(tmp_path, monkeypatch):
    pkg = Pkg(copy_package(tmp_path / "pkg"))
    pkg.replace_bytes("events", b"2023-09-24", b"2023-09-31")
    zpath = zip_package(pkg.root, tmp_path / "p.zip")
    whole = validate_package(pkg.root, max_errors=100_000, rules=None, budget=WHOLE)
    real = ZipSource.data
    monkeypatch.setattr(ZipSource, "data", lambda self, rel: real(self, rel) if not rel.endswith(".csv") else
                        pytest.fail(f"{rel} was read whole"))
    streamed = validate_package(zpath, max_errors=100_000, rules=None, budget=tiny(512))
    assert [f[:-1] for f in findings(streamed)] == [f[:-1] for f in findings(whole)]
    assert any(i.rule == "type-error" and i.table == "events" for i in streamed.issues)
    assert zipfile.is_zipfile(zpath)


# --- the command line ------------------------------------------------------------------------------------

def test_memory_option_streams_and_reports_the_same(tmp_path, cli):
    from synth import generate

    target = generate(tmp_path / "faulty", 2000, faults=25).path
    plain = cli("validate", str(target), "--format", "json", "--max-errors", "100000")
    capped = cli("validate", str(target), "--format", "json", "--max-errors", "100000", "--memory", "1M")
    assert plain.exit_code == capped.exit_code == 1
    assert json.loads(plain.stdout)["errors"] and json.loads(plain.stdout) == json.loads(capped.stdout)
    bad = cli("validate", str(target), "--memory", "lots")
    assert bad.exit_code == 2
    assert "Invalid value for '--memory': 'lots' is not a size (write for example 512M or 2G)" in bad.stderr


def test_sizes_and_budgets():
    assert [parse_size(t) for t in ("512M", "2G", "1.5g", "64KiB", "1000")] == [512 << 20, 2 << 30, 3 << 29, 64 << 10, 1000]
    with pytest.raises(ValueError):
        parse_size("-1G")
    small, large = Budget.of(256 << 20), Budget.of(4 << 30)
    assert small.batch < large.batch and small.spill_at == 64 << 20
    assert Budget.of(1).batch == 64 << 10  # never below 64 KiB a batch
    assert not Budget().streams({"dialect": {"escapeChar": "\\"}}, 1 << 40)
    assert not Budget().streams({"encoding": "latin-1"}, 1 << 40)
    assert Budget().streams({}, 1 << 40) and not Budget().streams({}, 1 << 10)
