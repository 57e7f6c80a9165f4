"""Text columns of 2 GiB or more are held as large_string (64-bit offsets) instead of overflowing.

A real 2 GiB column is for the benchmark; here the threshold is lowered so that every text column takes
the large_string path, and the verdicts must not change."""

from __future__ import annotations

import json

import pytest

from banjska.validate import pipeline
from banjska.validate.budget import Budget
from banjska.validate.core import validate_package

from repo import ROOT
from synth import generate


def located(report) -> list[tuple]:
    return [(i.rule, i.file, i.line, i.column, i.value) for i in report.issues]


def test_large_text_columns_give_the_same_findings(tmp_path, monkeypatch):
    faulty = generate(tmp_path / "faulty", 20_000, faults=70)
    before = validate_package(faulty.path)
    assert len(before.issues) > faulty.faults  # every fault, and what it knocks on
    monkeypatch.setattr(pipeline, "LARGE_TEXT", 0)
    assert located(validate_package(faulty.path)) == located(before)
    assert validate_package(ROOT).valid
    assert validate_package(ROOT, engine="pandera").valid


def test_a_column_becomes_large_string_from_the_threshold_on(monkeypatch):
    import pyarrow as pa

    column = pa.chunked_array([pa.array(["a", "bb"]), pa.array(["ccc"])])
    monkeypatch.setattr(pipeline, "LARGE_TEXT", column.nbytes + 1)
    assert pipeline.contiguous(column).type == pa.string()
    monkeypatch.setattr(pipeline, "LARGE_TEXT", column.nbytes)
    combined = pipeline.contiguous(column)
    assert combined.type == pa.large_string() and combined.to_pylist() == ["a", "bb", "ccc"]


@pytest.mark.huge
def test_a_real_column_of_more_than_2_gib_validates(tmp_path):
    """2.3 million rows of 1,000 bytes: one file and one text column of 2.3 GB (exit 3 before large_string),
    validated in batches and whole."""
    root = tmp_path / "huge"
    root.mkdir()
    block = "".join(f"{i},{'x' * 996}\n" for i in range(1000))
    with open(root / "t.csv", "w", encoding="utf-8") as fh:
        fh.write("id,text\n")
        for _ in range(2300):
            fh.write(block)
    fields = [{"name": "id", "type": "integer"}, {"name": "text", "type": "string"}]
    (root / "datapackage.json").write_text(json.dumps(
        {"name": "huge", "resources": [{"name": "t", "path": "t.csv", "schema": {"fields": fields}}]}), encoding="utf-8")
    streamed = validate_package(root)  # a file of 2.3 GB is read in batches by default (validate/stream.py)
    whole = validate_package(root, budget=Budget(stream_at=1 << 62))  # and held whole: one 2.3 GB column
    assert streamed.valid and whole.valid and streamed.checked == whole.checked == {"t": 2_300_000}
