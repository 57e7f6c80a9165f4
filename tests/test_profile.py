"""The descriptor check is the official Data Package profile (banjska/package/profiles, jsonschema) plus the
rules a JSON Schema cannot express: parity with `frictionless validate` on corrupted copies of the package.

For each corruption both frictionless and make-data call the package invalid, and make-data reports a
package-error whose message starts with the JSON pointer of the offending value in its file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from banjska.package import descriptor as desc
from banjska.validate.core import validate_package

from corrupt import copy_package
from repo import ROOT

SCHEMA = "schemas/events.schema.json"


def edit_descriptor(root: Path, change: Callable[[dict], object]) -> None:
    path = root / "datapackage.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def edit_schema(root: Path, change: Callable[[dict], object], file: str = SCHEMA) -> None:
    path = root / file
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def res(doc: dict, name: str) -> dict:
    return next(r for r in doc["resources"] if r["name"] == name)


def index(name: str) -> int:
    doc = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    return [r["name"] for r in doc["resources"]].index(name)


def field_index(name: str, file: str = SCHEMA) -> int:
    return [f["name"] for f in json.loads((ROOT / file).read_text(encoding="utf-8"))["fields"]].index(name)


def inline_schema(root: Path, table: str, change: Callable[[dict], object]) -> None:
    """Move the table's Table Schema into the descriptor, then corrupt it there."""
    def move(doc):
        r = res(doc, table)
        r["schema"] = json.loads((root / r["schema"]).read_text(encoding="utf-8"))
        change(r["schema"])
    edit_descriptor(root, move)


def set_field(key, value, field="event_id"):
    def change(schema):
        next(f for f in schema["fields"] if f["name"] == field)[key] = value
    return change


def drop_schema_url(doc):
    del doc["$schema"]  # no $schema: a v1 package


def v1(change):
    def both(doc):
        drop_schema_url(doc)
        change(doc)
    return both


EV, ART, SRC = index("events"), index("article-src-000"), index("sources")
EID = field_index("event_id")

# (name, corruption of a fresh copy, file of the expected issue, JSON pointer the message starts with)
CASES = [
    ("title-number", lambda r: edit_descriptor(r, lambda d: d.update(title=42)), "datapackage.json", "/title"),
    ("keywords-numbers", lambda r: edit_descriptor(r, lambda d: d.update(keywords=[1, 2])), "datapackage.json",
     "/keywords/0"),
    ("keywords-string", lambda r: edit_descriptor(r, lambda d: d.update(keywords="Kosovo")), "datapackage.json",
     "/keywords"),
    ("licenses-object", lambda r: edit_descriptor(r, lambda d: d.update(licenses={"name": "CC-BY-4.0"})),
     "datapackage.json", "/licenses"),
    ("licence-without-name-or-path", lambda r: edit_descriptor(r, lambda d: d.update(licenses=[{"title": "x"}])),
     "datapackage.json", "/licenses/0"),
    ("contributors-string", lambda r: edit_descriptor(r, lambda d: d.update(contributors="the team")),
     "datapackage.json", "/contributors"),
    ("contributor-title-number", lambda r: edit_descriptor(r, lambda d: d.update(contributors=[{"title": 5}])),
     "datapackage.json", "/contributors/0/title"),
    ("sources-object", lambda r: edit_descriptor(r, lambda d: d.update(sources={"title": "x"})),
     "datapackage.json", "/sources"),
    ("v1-package-name-pattern", lambda r: edit_descriptor(r, v1(lambda d: d.update(name="Banjska Events"))),
     "datapackage.json", "/name"),
    ("v1-resource-name-pattern", lambda r: edit_descriptor(r, v1(lambda d: res(d, "article-src-000").update(name="The Article"))),
     "datapackage.json", f"/resources/{ART}/name"),
    ("resource-name-number", lambda r: edit_descriptor(r, lambda d: res(d, "article-src-000").update(name=7)),
     "datapackage.json", f"/resources/{ART}/name"),
    ("no-path-no-data", lambda r: edit_descriptor(r, lambda d: res(d, "article-src-000").pop("path")),
     "datapackage.json", f"/resources/{ART}"),
    ("bytes-string", lambda r: edit_descriptor(r, lambda d: res(d, "sources").update(bytes="1408")),
     "datapackage.json", f"/resources/{SRC}/bytes"),
    ("hash-number", lambda r: edit_descriptor(r, lambda d: res(d, "article-src-000").update(hash="sha256:not-hex")),
     "datapackage.json", f"/resources/{ART}/hash"),
    ("dialect-delimiter-number", lambda r: edit_descriptor(r, lambda d: res(d, "article-src-000").update(dialect={"delimiter": 5})),
     "datapackage.json", f"/resources/{ART}/dialect/delimiter"),
    ("dialect-not-an-object", lambda r: edit_descriptor(r, lambda d: res(d, "article-src-000").update(dialect=[","])),
     "datapackage.json", f"/resources/{ART}/dialect"),
    ("unknown-field-type-inline", lambda r: inline_schema(r, "events", set_field("type", "text")),
     "datapackage.json", f"/resources/{EV}/schema/fields/{EID}/type"),
    ("field-name-number-inline", lambda r: inline_schema(r, "events", set_field("title", 3)),
     "datapackage.json", f"/resources/{EV}/schema/fields/{EID}/title"),
    ("constraint-wrong-type", lambda r: edit_schema(r, set_field("constraints", {"required": "yes"})),
     SCHEMA, f"/fields/{EID}/constraints/required"),
    ("constraints-not-an-object", lambda r: edit_schema(r, set_field("constraints", ["required"])),
     SCHEMA, f"/fields/{EID}/constraints"),
    ("missing-values-numbers", lambda r: edit_schema(r, lambda s: s.update(missingValues=[1, 2])),
     SCHEMA, "/missingValues"),
    ("foreign-key-without-reference", lambda r: edit_schema(r, lambda s: s.update(foreignKeys=[{"fields": "place_id"}])),
     SCHEMA, "/foreignKeys/0"),
    ("foreign-keys-object", lambda r: edit_schema(r, lambda s: s.update(foreignKeys={"fields": "place_id"})),
     SCHEMA, "/foreignKeys"),
    ("foreign-key-unknown-resource", lambda r: edit_schema(r, lambda s: s.update(foreignKeys=[
        {"fields": "place_id", "reference": {"resource": "nowhere", "fields": "place_id"}}])),
     SCHEMA, "/foreignKeys/0/reference/resource"),
    ("primary-key-missing-field", lambda r: edit_schema(r, lambda s: s.update(primaryKey=["no_such_field"])),
     SCHEMA, "/primaryKey"),
    ("primary-key-number", lambda r: edit_schema(r, lambda s: s.update(primaryKey=5)), SCHEMA, "/primaryKey"),
    ("duplicate-field-name", lambda r: edit_schema(r, lambda s: s["fields"][EID + 1].update(name="event_id")),
     SCHEMA, f"/fields/{EID + 1}/name"),
    ("pattern-does-not-compile", lambda r: edit_schema(r, set_field("constraints", {"pattern": "(unclosed"})),
     SCHEMA, f"/fields/{EID}/constraints/pattern"),
    ("duplicate-resource-name", lambda r: edit_descriptor(r, lambda d: res(d, "article-src-000").update(name="sources")),
     "datapackage.json", f"/resources/{ART}/name"),
]


# Corruptions the data pipeline (not the descriptor check) crashes on, before and after the profile check.


def frictionless_valid(root: Path) -> bool:
    """frictionless's verdict; an exception (it raises on a pattern that does not compile) is a refusal."""
    from frictionless import validate

    try:
        return validate(str(root / "datapackage.json")).valid
    except Exception:
        return False


def descriptor_findings(root: Path) -> list[tuple[str, str]]:
    """make-data's descriptor-stage package-errors (what `make-data validate` reports before reading data)."""
    from banjska.package.reader import open_package
    from banjska.validate.core import descriptor_issues, locate_files

    with open_package(root) as pkg:
        schemas: dict[str, dict] = {}
        locate_files(pkg, schemas)
        issues = pkg.issues + descriptor_issues(pkg, schemas)
    return [(i.file, i.message) for i in issues if i.rule == "package-error"]


# --- tests


@pytest.mark.parametrize("name,corrupt,file,pointer", CASES, ids=[c[0] for c in CASES])
def test_corruption_is_invalid_for_frictionless_and_for_make_data(tmp_path, name, corrupt, file, pointer):
    root = copy_package(tmp_path / "pkg")
    corrupt(root)
    assert not frictionless_valid(root), f"{name}: frictionless calls it valid"
    found = descriptor_findings(root)
    assert any(f == file and m.startswith(pointer + ":") for f, m in found), (name, found)
    report = validate_package(root)  # a table with a broken schema is not read, so nothing crashes
    assert any(i.file == file and i.message.startswith(pointer + ":") for i in report.issues), name


def test_the_shipped_package_is_valid():
    done = subprocess.run([str(Path(sys.executable).with_name("make-data")), "validate", str(ROOT)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_valid_foreign_v1_descriptor_stays_valid(tmp_path):
    (tmp_path / "data.csv").write_text("id,name,amount\n1,a,2.5\n2,b,\n", encoding="utf-8")
    (tmp_path / "datapackage.json").write_text(json.dumps({
        "profile": "data-package", "name": "foreign-pkg", "title": "A v1 package", "keywords": ["x"],
        "licenses": [{"name": "ODC-PDDL-1.0", "path": "http://opendatacommons.org/licenses/pddl/"}],
        "resources": [{
            "profile": "tabular-data-resource", "name": "data", "path": "data.csv", "format": "csv",
            "encoding": "utf-8", "dialect": {"delimiter": ",", "doubleQuote": True},
            "schema": {"fields": [{"name": "id", "type": "integer", "constraints": {"required": True}},
                                  {"name": "name"}, {"name": "amount", "type": "number"}],
                       "primaryKey": "id", "missingValues": [""]},
        }, {"name": "inline", "data": [{"a": 1}]}],
    }), encoding="utf-8")
    assert frictionless_valid(tmp_path)
    assert desc.profile_version(json.loads((tmp_path / "datapackage.json").read_text())) == "v1"
    assert validate_package(tmp_path).issues == []


@pytest.mark.parametrize("declared,version", [
    ({}, "v1"), ({"profile": "data-package"}, "v1"), ({"profile": "tabular-data-package"}, "v1"),
    ({"resources": [{"name": "r", "type": "table", "path": "r.csv"}]}, "v1"),
    ({"$schema": "https://datapackage.org/profiles/1.0/datapackage.json"}, "v1"),
    ({"$schema": "https://datapackage.org/profiles/2.0/datapackage.json"}, "v2"),
    ({"$schema": "https://datapackage.org/profiles/2.0/datapackage.json", "profile": "data-package"}, "v2"),
    ({"$schema": "https://example.com/my-profile.json"}, "unknown"),
])
def test_the_profile_version_is_the_one_frictionless_picks(declared, version):
    from frictionless import Package

    assert desc.profile_version(declared) == version
    assert Package.effective_datapackage_version(declared, None) == version


def test_messages_are_sorted_pointers_and_the_list_type_is_v2():
    doc = {"$schema": "https://datapackage.org/profiles/2.0/datapackage.json", "keywords": [2, 1], "title": 1,
           "resources": [{"name": "r", "data": [], "schema": {"fields": [{"name": "l", "type": "list"}]}}]}
    assert [i.message for i in desc.profile_issues(doc, {})] == [
        "/keywords/0: 2 is not of type 'string'", "/keywords/1: 1 is not of type 'string'",
        "/title: 1 is not of type 'string'"]
    # a custom profile is checked as the superset: valid if v1 or v2 accepts it
    assert desc.profile_issues({**doc, "$schema": "https://example.com/p.json", "keywords": ["a"], "title": ""}, {}) == []


def test_the_reference_implementation_calls_the_shipped_package_valid_too():
    """CI runs `frictionless validate datapackage.json` next to `make-data validate` (also in validate.yml)."""
    done = subprocess.run([str(Path(sys.executable).with_name("frictionless")), "validate", "--json", "datapackage.json"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and json.loads(done.stdout)["valid"] is True, done.stdout[-2000:]
