"""The committed package honours its contract: Frictionless-valid, evidence verified, tidy files."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from pkgtools import csv_rows, rehash, schema_of, set_cell
from repo import ROOT, TABLES

DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text())
SOURCES = {r["source_id"]: (ROOT / r["path"]).read_text(encoding="utf-8") for r in csv_rows(ROOT, "sources")}


def test_frictionless_cli_validates_the_committed_package():
    exe = Path(sys.executable).with_name("frictionless")
    proc = subprocess.run([str(exe), "validate", "datapackage.json"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_every_table_is_a_resource_readable_by_old_and_new_readers():
    names = [r["name"] for r in DESCRIPTOR["resources"] if r.get("type") == "table"]
    assert names == list(TABLES)
    for res in DESCRIPTOR["resources"]:
        if res["name"] in TABLES:
            assert res["profile"] == "tabular-data-resource"
            assert res["hash"].startswith("sha256:")


def test_csv_files_are_utf8_lf_and_in_schema_field_order():
    for table in TABLES:
        raw = (ROOT / "data" / f"{table}.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), table
        assert b"\r" not in raw, table
        raw.decode("utf-8")
        header = next(csv.reader(io.StringIO(raw.decode())))
        schema = schema_of(ROOT, table)
        assert header == [f["name"] for f in schema["fields"]], table
        assert len(raw.decode().splitlines()) > 1, f"{table} is header-only"


def test_every_evidence_quote_is_the_source_text_at_its_offsets():
    for ev in csv_rows(ROOT, "evidence"):
        assert SOURCES[ev["source_id"]][int(ev["start"]):int(ev["end"])] == ev["quote"], ev["evidence_id"]


def test_units_reassemble_each_article():
    for sid, article in SOURCES.items():
        units = [u for u in csv_rows(ROOT, "units") if u["source_id"] == sid]
        assert units and all(u["unit_id"].startswith(f"{sid}/") for u in units)
        for u in units:
            assert article[int(u["start"]):int(u["end"])] == u["text"]
        covered = set()
        for u in units:
            covered.update(range(int(u["start"]), int(u["end"])))
        uncovered = "".join(ch for i, ch in enumerate(article) if i not in covered)
        assert uncovered.strip() == "", repr(uncovered)


def test_every_coded_row_has_evidence():
    cited = {(e["table_name"], e["record_id"]) for e in csv_rows(ROOT, "evidence")}
    for table in ("places", "actors", "events", "event_actors", "statements", "statement_actors", "casualties"):
        schema = schema_of(ROOT, table)
        pk = schema["primaryKey"][0]
        for row in csv_rows(ROOT, table):
            assert (table, row[pk]) in cited, f"{table} {row[pk]} has no evidence"


def test_no_injured_count_is_invented():
    assert {r["outcome"] for r in csv_rows(ROOT, "casualties")} == {"killed"}
    group = [r for r in csv_rows(ROOT, "event_actors") if r["size"]]
    assert all(r["size_qualifier"] for r in group)


def located(res) -> list[tuple]:
    """(table, rule, file, line, column, value) of every error in a `validate --format json` report."""
    return [(e["table"], e["rule"], e["file"], e["line"], e["column"], e["value"])
            for e in json.loads(res.stdout)["errors"]]


def test_validate_reports_table_row_and_field(repo, cli):
    line = set_cell(repo / "data/casualties.csv", ("casualty_id", "banjska-attack--armed-serbs--killed"), "count",
                    "three")
    rehash(repo)
    res = cli("validate", repo, "--format", "json")
    assert res.exit_code == 1
    assert located(res) == [("casualties", "type-error", "data/casualties.csv", line, "count", "three")]


def test_validate_catches_a_broken_self_reference(repo, cli):
    line = set_cell(repo / "data/actors.csv", ("actor_id", "john-kirby"), "affiliation_actor_id", "white-hous")
    rehash(repo)
    res = cli("validate", repo, "--format", "json")
    assert res.exit_code == 1
    assert located(res) == [("actors", "foreign-key", "data/actors.csv", line, "affiliation_actor_id", "white-hous")]


def test_validate_catches_a_wrong_hash(repo, cli):
    before = (repo / "data/places.csv").stat().st_size
    set_cell(repo / "data/places.csv", ("place_id", "zvecan"), "name", "Zvecam")  # same size: only the hash differs
    assert (repo / "data/places.csv").stat().st_size == before
    res = cli("validate", repo, "--format", "json")
    assert res.exit_code == 1
    assert located(res) == [("places", "hash-count", "data/places.csv", None, "", "")]
