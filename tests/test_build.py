"""The build: deterministic, evidence-anchored, complete, and refusing bad input with a located message."""

from __future__ import annotations

import hashlib
import json

import yaml

from banjska.build.run import render

from conftest import edit
from pkgtools import find_row, get_cell
from repo import ROOT


def snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in [root / "datapackage.json", *sorted((root / "data").glob("*.csv"))]}


def test_two_builds_are_byte_identical(repo, cli):
    assert cli("--root", repo, "build").exit_code == 0
    first = snapshot(repo)
    for p in (repo / "data").glob("*.csv"):
        p.unlink()
    (repo / "datapackage.json").unlink()
    assert cli("--root", repo, "build").exit_code == 0
    assert snapshot(repo) == first


def test_committed_package_matches_a_fresh_build():
    result = render(ROOT)
    for rel, data in result.files.items():
        assert (ROOT / rel).read_bytes() == data, f"{rel} is stale: run make-data build"


def test_missing_quote_fails_naming_the_record(repo, cli):
    edit(repo / "annotations/actors.yaml", "- John Kirby, the White House national security spokesperson",
         "- John Kirby, the White House press secretary")
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    assert "annotations/actors.yaml record john-kirby" in res.stderr
    assert "quote not found in the article" in res.stderr


def test_ambiguous_quote_fails_naming_the_record(repo, cli):
    edit(repo / "annotations/places.yaml", "      - the presence of NATO forces in northern Kosovo", "      - northern")
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    assert "record northern-kosovo" in res.stderr and "ambiguous" in res.stderr
    assert "Lengthen the quote" in res.stderr


def test_coverage_below_100_percent_fails(repo, cli):
    edit(repo / "annotations/src-000/excused.yaml", "  - unit_id: L06S01\n", "  - unit_id: L07S01\n")
    edit(repo / "annotations/src-000/excused.yaml", "    reason: \"Site navigation", "    reason: \"dup")
    text = (repo / "annotations/src-000/excused.yaml").read_text()
    # keep a single L07S01 entry so only L06S01 is uncovered
    first = text.index("  - unit_id: L07S01")
    second = text.index("  - unit_id: L07S01", first + 1)
    end = text.index("  - unit_id: L11S01")
    (repo / "annotations/src-000/excused.yaml").write_text(text[:second] + text[end:])
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    assert "coverage" in res.stderr and "L06S01" in res.stderr


def test_tampered_seed_fails(repo, cli):
    seed = next((repo / "seeds").glob("*/article.txt"))
    seed.write_bytes(seed.read_bytes().replace(b"three attackers", b"four attackers"))
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    assert "sha256" in res.stderr and "git checkout" in res.stderr


def test_failed_build_writes_nothing(repo, cli):
    before = snapshot(repo)
    path = repo / "annotations/src-000/events.yaml"
    edit(path, "event_status: occurred", "event_status: occurred\n    bogus_field: 1")
    line = path.read_text().splitlines().index("    bogus_field: 1") + 1
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    assert res.stderr.startswith(f"Error: annotations/src-000/events.yaml:{line}: record banjska-attack: unknown "
                                 "field(s) bogus_field.")
    assert snapshot(repo) == before


def test_source_text_field_must_be_words_of_the_evidence(repo, cli):
    edit(repo / "annotations/actors.yaml", "title: White House national security spokesperson",
         "title: White House press secretary")
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    assert "field title" in res.stderr and "record john-kirby" in res.stderr


def test_record_without_evidence_fails(repo, cli):
    edit(repo / "annotations/src-000/casualties.yaml", "    evidence:\n      - resulting in the death of three attackers\n", "")
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    assert "record banjska-attack--armed-serbs--killed" in res.stderr and "no evidence" in res.stderr


def test_yaml_syntax_error_is_located(repo, cli):
    edit(repo / "annotations/places.yaml", "  - place_id: kosovo\n", "  - place_id: [kosovo\n")
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    assert "places.yaml:" in res.stderr and "YAML syntax error" in res.stderr
    assert "Traceback" not in res.output


def test_build_check_catches_a_hand_edited_csv(repo, cli):
    assert cli("--root", repo, "build", "--check").exit_code == 0
    edit(repo / "data/casualties.csv", ",3,", ",4,")
    res = cli("--root", repo, "build", "--check")
    assert res.exit_code == 1
    assert "data/casualties.csv" in res.stderr and "datapackage.json" not in res.stderr


def test_build_check_names_missing_and_extra_files(repo, cli):
    (repo / "data/units.csv").unlink()
    (repo / "data/stray.csv").write_text("a\n1\n")
    res = cli("--root", repo, "build", "--check", "--json")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert "data/units.csv (missing)" in doc["differ"]
    assert "data/stray.csv (not produced by the build)" in doc["differ"]


def test_seed_copy_is_the_captured_article():
    """seeds/ holds the article byte-for-byte as captured: its metadata, the sources table and the
    descriptor all record the seed's own sha256 and size."""
    [meta_path] = (ROOT / "seeds").glob("*/source.yaml")
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    meta["path"] = f"seeds/{meta_path.parent.name}/article.txt"   # the folder gives the source's id and path
    raw = (ROOT / meta["path"]).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    assert (meta["sha256"], meta["bytes"]) == (digest, len(raw))
    sources = ROOT / "data" / "sources.csv"
    row = find_row(sources, "path", meta["path"])
    assert (get_cell(sources, row, "sha256"), get_cell(sources, row, "bytes")) == (digest, str(len(raw)))
    desc = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    [article] = [r for r in desc["resources"] if r["path"] == meta["path"]]
    assert (article["hash"], article["bytes"]) == (f"sha256:{digest}", len(raw))
