"""`make-data diff`: rows matched by primary key, schema changes classified, the implied bump, a CHANGELOG draft."""

from __future__ import annotations

import json
import shutil

import pytest

from banjska.release.diff import changelog_entry, diff, schema_changes
from banjska.release.versioning import Version

from conftest import copy_repo, edit
from pkgtools import csv_rows, rehash
from repo import TABLES, VERSION

MINOR = str(Version.parse(VERSION).bumped("minor"))


@pytest.fixture
def pair(tmp_path):
    """Two copies of the package: `old` as committed and `new` to hand-edit."""
    return copy_repo(tmp_path / "old"), copy_repo(tmp_path / "new")


def hand_edit(new):
    """One corrected value, one added row, one removed row, one descriptive schema change."""
    edit(new / "data/casualties.csv", "armed-serbs,,killed,3,,,exact,three attackers,\n",
         "armed-serbs,,killed,3,,,exact,three attackers,Checked.\n")  # a field the claims do not derive from
    edit(new / "data/places.csv", "northern-kosovo,northern Kosovo,region,kosovo,XK,\n",
         "northern-kosovo,northern Kosovo,region,kosovo,XK,\nleposavic,Leposavic,municipality,northern-kosovo,XK,\n")
    text = (new / "data/enrichment.csv").read_text()
    line = next(ln for ln in text.splitlines(keepends=True) if ln.startswith("places--kosovo--wikidata_id,"))
    (new / "data/enrichment.csv").write_text(text.replace(line, ""))
    edit(new / "schemas/places.schema.json", '"description": "Coding notes."', '"description": "Coder\'s notes."')
    rehash(new)  # as `make-data build` would (the new place has no evidence yet: diff it with --no-validate)


def test_diff_reports_a_hand_made_change_exactly(pair, cli):
    old, new = pair
    hand_edit(new)
    res = cli("diff", old, new, "--json", "--no-validate")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["bump"] == "minor"
    assert doc["smallest_version"] == MINOR
    assert doc["package_changes"] == [] and doc["resource_changes"] == []
    changed = {"casualties", "places", "enrichment"}
    assert set(doc["tables"]) == changed
    casualties = len(csv_rows(old, "casualties"))  # one value corrected: as many rows as before
    assert doc["tables"]["casualties"] | {"schema": []} == {
        "rows_old": casualties, "rows_new": casualties, "primary_key": ["casualty_id"], "added": [], "removed": [],
        "changed": [{"key": "banjska-attack--armed-serbs--killed", "fields": {"notes": {"old": "", "new": "Checked."}}}],
        "schema": [], "bump": "patch"}
    places = doc["tables"]["places"]
    assert (places["added"], places["removed"], places["changed"]) == (["leposavic"], [], [])
    rows = len(csv_rows(old, "places"))
    assert (places["rows_old"], places["rows_new"]) == (rows, rows + 1)
    assert places["schema"] == [{"scope": "places.notes", "what": "descriptive properties changed: description",
                                 "bump": "patch"}]
    assert places["bump"] == "minor"
    enrichment = doc["tables"]["enrichment"]
    assert (enrichment["added"], enrichment["removed"], enrichment["changed"]) == (
        [], ["places--kosovo--wikidata_id"], [])
    assert enrichment["bump"] == "patch"  # nothing references enrichment rows
    assert sorted(doc["unchanged_tables"]) == sorted(set(TABLES) - changed)


def test_diff_text_output_and_changelog_draft(pair, cli):
    old, new = pair
    hand_edit(new)
    res = cli("diff", old, new, "--no-validate")
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert f"implied bump: minor (smallest allowed version after {VERSION}: {MINOR})" in lines
    casualties = len(csv_rows(old, "casualties"))
    assert f"table casualties: 0 added, 0 removed, 1 changed ({casualties} -> {casualties} rows) [patch]" in lines
    assert "  ~ banjska-attack--armed-serbs--killed: notes '' -> 'Checked.'" in lines
    assert "  + leposavic" in lines
    assert "  - places--kosovo--wikidata_id" in lines
    draft = cli("diff", old, new, "--changelog", "--no-validate").stdout
    assert draft.startswith("## [Unreleased]\n")  # new still says VERSION: not a release heading
    assert "### Added\n\n- `places`: 1 row(s): leposavic." in draft
    assert "### Fixed\n\n- `casualties` banjska-attack--armed-serbs--killed: notes corrected." in draft
    assert "### Removed\n\n- `enrichment`: 1 row(s): places--kosovo--wikidata_id." in draft


def test_changelog_draft_uses_the_new_version_when_it_is_higher(pair):
    old, new = pair
    hand_edit(new)
    doc = json.loads((new / "datapackage.json").read_text())
    doc["version"], doc["created"] = MINOR, "2026-12-10T00:00:00Z"
    (new / "datapackage.json").write_text(json.dumps(doc))
    d = diff(old, new, validate=False)
    assert d.bump == "minor"  # the version property itself never counts
    assert changelog_entry(d).startswith(f"## [{MINOR}] - 2026-12-10\n")


def test_removing_a_referenced_row_is_major(pair):
    old, new = pair
    text = (new / "data/places.csv").read_text()
    line = next(ln for ln in text.splitlines(keepends=True) if ln.startswith("northern-kosovo,"))
    (new / "data/places.csv").write_text(text.replace(line, ""))
    d = diff(old, new, validate=False)
    assert d.tables["places"].removed == ["northern-kosovo"]
    assert d.bump == "major"
    assert "places: 1 row(s) removed (referenced by a foreign key) [major]" in d.reasons()


def test_identical_packages_need_no_bump(pair, cli):
    old, new = pair
    doc = json.loads(cli("diff", old, new / "datapackage.json", "--json").stdout)
    assert doc["bump"] == "none" and doc["tables"] == {} and sorted(doc["unchanged_tables"]) == sorted(TABLES)


def test_diff_reads_release_zips(repo, cli):
    shutil.rmtree(repo / "dist", ignore_errors=True)
    assert cli("--root", repo, "publish").exit_code == 0
    zip_path = next((repo / "dist").glob("*/*.zip"))
    doc = json.loads(cli("diff", zip_path, repo, "--json").stdout)
    assert doc["bump"] == "none"
    edit(repo / "data/casualties.csv", "three attackers,\n", "three attackers,Checked.\n")
    rehash(repo)
    doc = json.loads(cli("--root", repo, "diff", "--json").stdout)  # default: last release -> current
    assert doc["old"]["package"] == f"{zip_path}!datapackage.json"
    assert doc["tables"]["casualties"]["changed"][0]["fields"] == {"notes": {"old": "", "new": "Checked."}}
    assert doc["bump"] == "patch"


def test_diff_of_a_missing_package_exits_2(cli, tmp_path):
    res = cli("diff", tmp_path / "nowhere", tmp_path)
    assert res.exit_code == 2 and res.stderr.startswith("Error: no data package at")


def field(name, type_="string", **constraints):
    f = {"name": name, "type": type_}
    if constraints:
        f["constraints"] = constraints
    return f


BASE = {"fields": [field("id", required=True), field("n", "integer", minimum=0), field("kind", enum=["a", "b"])],
        "primaryKey": ["id"]}


@pytest.mark.parametrize("change,bump,what", [
    (lambda s: s["fields"].append(field("extra")), "major", "field added (or renamed)"),
    (lambda s: s["fields"].pop(), "major", "field removed (or renamed)"),
    (lambda s: s["fields"].reverse(), "major", "fields reordered: kind, n, id"),
    (lambda s: s["fields"][1].update(type="number"), "major", "type 'integer' -> 'number'"),
    (lambda s: s["fields"][1].update(format="default"), "major", "format None -> 'default'"),
    (lambda s: s["fields"][1]["constraints"].update(minimum=1), "major", "constraint minimum 0 -> 1 (tightened)"),
    (lambda s: s["fields"][1]["constraints"].update(minimum=-1), "minor", "constraint minimum 0 -> -1 (loosened)"),
    (lambda s: s["fields"][1]["constraints"].update(maximum=9), "major", "constraint maximum null -> 9 (tightened)"),
    (lambda s: s["fields"][0]["constraints"].update(required=False), "minor",
     "constraint required true -> false (loosened)"),
    (lambda s: s["fields"][2]["constraints"].update(enum=["a"]), "major",
     'constraint enum ["a", "b"] -> ["a"] (tightened)'),
    (lambda s: s["fields"][2]["constraints"].update(enum=["a", "b", "c"]), "minor",
     'constraint enum ["a", "b"] -> ["a", "b", "c"] (loosened)'),
    (lambda s: s["fields"][2].update(description="Kind."), "patch", "descriptive properties changed: description"),
    (lambda s: s.update(primaryKey=["n"]), "major", 'primaryKey ["id"] -> ["n"]'),
])
def test_schema_changes_are_classified(change, bump, what):
    new = json.loads(json.dumps(BASE))
    change(new)
    changes = schema_changes("t", BASE, new)
    assert [(c.what, c.bump) for c in changes] == [(what, bump)]


def test_diff_refuses_an_invalid_package_unless_told_not_to_validate(pair, cli):
    old, new = pair
    hand_edit(new)
    res = cli("diff", old, new, "--json")
    assert res.exit_code == 1 and json.loads(res.stdout) == {"ok": False, "error": res.stderr.removeprefix("Error: ").rstrip("\n"),
                                                              "exit_code": 1}
    assert res.stderr.startswith(f"Error: {new / 'datapackage.json'} is not a valid package (1 error(s)): "
                                 "data/places.csv:4 column place_id: [dataset:places_have_evidence]")


def test_diff_checks_a_release_against_its_sha256sums(repo, cli):
    shutil.rmtree(repo / "dist", ignore_errors=True)
    assert cli("--root", repo, "publish").exit_code == 0
    zip_path = next((repo / "dist").glob("*/*.zip"))
    zip_path.write_bytes(zip_path.read_bytes() + b"tampered")
    res = cli("diff", zip_path, repo)
    assert res.exit_code == 1
    assert res.stderr.startswith(f"Error: {zip_path} does not match {zip_path.parent.name}/SHA256SUMS.")
