"""The strict build: annotations and metadata read as located text, every row checked before anything is
written, and the outputs swapped in from a staging directory so a failure leaves the previous package whole."""

from __future__ import annotations

import errno
import os
import re

import pytest

import banjska.files
from banjska.build.source import parse_yaml

from conftest import edit
from pkgtools import find_row, get_cell
from repo import RELEASED, VERSION


def snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in [root / "datapackage.json", *sorted((root / "data").iterdir())]}


def line_of(path, text: str, occurrence: int = 1) -> int:
    """The 1-based line of the `occurrence`-th line of `path` that contains `text`."""
    hits = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if text in line]
    return hits[occurrence - 1]


# 1. strict annotations ---------------------------------------------------------------------------------

def test_duplicate_key_is_refused_with_its_line_and_nothing_is_written(repo, cli):
    before = snapshot(repo)
    path = repo / "annotations/src-000/casualties.yaml"
    edit(path, "    count: 3\n", "    count: 3\n    count: 4\n")
    first, second = line_of(path, "    count: 3"), line_of(path, "    count: 4")
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    assert f"annotations/src-000/casualties.yaml:{second}: duplicate key 'count' (first at line {first})" in res.stderr
    assert "Traceback" not in res.output
    assert snapshot(repo) == before


def test_scalars_stay_text():
    doc = parse_yaml("a: 010\nb: 3:00:00\nc: NO\nd: 1.10\ne: 2023-09-24\nf: ~\ng:\nh: [1, true]\n")
    assert doc == {"a": "010", "b": "3:00:00", "c": "NO", "d": "1.10", "e": "2023-09-24", "f": "~", "g": "",
                   "h": ["1", "true"]}
    assert doc.lines == {k: n for n, k in enumerate("abcdefgh", start=1)}
    assert doc.typed["a"] == "int" and doc.typed["c"] == "bool" and "b" in doc.typed


def test_a_leading_zero_code_is_kept(repo, cli):
    edit(repo / "annotations/src-000/events.yaml", '    cameo_code: "193"', "    cameo_code: 010")
    assert cli("--root", repo, "build").exit_code == 0
    events = repo / "data/events.csv"
    assert get_cell(events, find_row(events, "event_id", "banjska-attack"), "cameo_code") == "010"


def test_a_sexagesimal_looking_time_stays_text_and_the_schema_judges_it(repo, cli):
    path = repo / "annotations/src-000/events.yaml"
    edit(path, '    time_local: "03:00:00"', "    time_local: 3:00:00")
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    assert f"annotations/src-000/events.yaml:{line_of(path, 'time_local: 3:00:00')}: time_local: value '3:00:00'" in res.stderr
    assert "10800" not in res.stderr


def test_NO_stays_NO_and_a_boolean_field_rejects_it(repo, cli):
    path = repo / "annotations/actors.yaml"
    edit(path, "    named: true", "    named: NO")
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    assert f"annotations/actors.yaml:{line_of(path, 'named: NO')}: named: value 'NO':" in res.stderr


@pytest.mark.parametrize("old, new, message", [
    ("    count: 3\n", "    count: &n 3\n", "anchors and aliases (&name, *name) are not allowed"),
    ("    qualifier: exact\n    count_raw: three", "    qualifier: exact\n    count_raw: *n", "anchors and aliases"),
    ("    count: 3\n", "    count: !!int 3\n", "YAML tags (!!int) are not allowed"),
])
def test_anchors_aliases_and_tags_are_refused(repo, cli, old, new, message):
    path = repo / "annotations/src-000/casualties.yaml"
    edit(path, old, new)
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    assert re.search(r"annotations/src-000/casualties\.yaml:\d+: ", res.stderr) and message in res.stderr


# 2. metadata against its JSON Schema ---------------------------------------------------------------------

@pytest.mark.parametrize("old, new, message", [
    (f"version: {VERSION}", "version: [1, 0]", "version: ['1', '0'] is not of type 'string'"),
    (f"version: {VERSION}", "version: 1.10", "version: '1.10' is not valid: MAJOR.MINOR.PATCH"),
    ('title: "Banjska attack', 'title: 5\nxtitle: "Banjska attack', "title: 5 is unquoted and YAML reads it as a number"),
    (f'date_released: "{RELEASED}"', f"date_released: {RELEASED}", f"date_released: {RELEASED} is unquoted"),
    ("keywords: [Kosovo,", "keywords: [2023, Kosovo,", "keywords[0]: 2023 is unquoted"),
])
def test_metadata_is_checked_with_its_line(repo, cli, old, new, message):
    path = repo / "metadata/dataset.yaml"
    if new.startswith("title: 5"):  # drop the old title line: only the new one is read
        text = path.read_text(encoding="utf-8")
        text = re.sub(r'(?m)^title: "Banjska attack.*\n', "title: 5\n", text)
        path.write_text(text, encoding="utf-8")
        key = "title: 5"
    else:
        edit(path, old, new)
        key = new.split("\n")[0]
    before = snapshot(repo)
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    assert f"metadata/dataset.yaml:{line_of(path, key)}: {message}" in res.stderr
    assert snapshot(repo) == before


def test_metadata_unknown_or_missing_key(repo, cli):
    path = repo / "metadata/dataset.yaml"
    edit(path, "code_license: MIT", "code_licence: MIT")
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    assert f"metadata/dataset.yaml:{line_of(path, 'code_licence')}: code_licence: unknown key" in res.stderr
    edit(path, "code_licence: MIT\n", "")
    edit(path, "\narticle: ", "\narticles: ")
    res = cli("--root", repo, "build")
    assert "article: is required but missing" in res.stderr


# 3. every row checked before anything is written --------------------------------------------------------

def test_a_row_breaking_its_table_schema_names_the_annotation_line(repo, cli):
    before = snapshot(repo)
    path = repo / "annotations/src-000/casualties.yaml"
    edit(path, "    outcome: killed\n    count: 3", "    outcome: wounded\n    count: 3")
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    line = line_of(path, "outcome: wounded")
    assert f"annotations/src-000/casualties.yaml:{line}: outcome: value 'wounded': " in res.stderr
    assert "constraints.enum" in res.stderr and "Nothing was written" in res.stderr
    assert snapshot(repo) == before


def test_a_broken_reference_names_the_annotation_line(repo, cli):
    path = repo / "annotations/src-000/casualties.yaml"
    edit(path, "    actor_id: armed-serbs\n", "    actor_id: nobody\n")
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    assert f"annotations/src-000/casualties.yaml:{line_of(path, 'actor_id: nobody')}: actor_id: value 'nobody': " in res.stderr


# 4. staged writes ----------------------------------------------------------------------------------------

def change_a_row(repo):
    """A valid edit that changes data/casualties.csv and datapackage.json (its hash), in that order."""
    edit(repo / "annotations/src-000/casualties.yaml", "    count_raw: three attackers\n",
         "    count_raw: three attackers\n    notes: Staging test.\n")


def test_disk_full_during_the_swap_leaves_the_previous_package(repo, cli, monkeypatch):
    before = snapshot(repo)
    change_a_row(repo)
    real = os.replace
    calls = []

    def replace(src, dst, *args, **kwargs):
        calls.append(dst)
        if len(calls) == 2:  # the first file is already in place: it must be put back
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(src), None, str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(banjska.files.os, "replace", replace)
    res = cli("--root", repo, "build")
    monkeypatch.undo()
    assert res.exit_code == 1
    assert f"{repo}/datapackage.json: could not write datapackage.json: No space left on device" in res.stderr
    assert "the previous data/ and datapackage.json are unchanged" in res.stderr
    assert snapshot(repo) == before
    assert not list(repo.glob(".build-staging-*"))


def test_disk_full_while_staging_touches_nothing(repo, cli, monkeypatch):
    before = snapshot(repo)
    change_a_row(repo)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(args[0]))

    monkeypatch.setattr(banjska.files, "open", full, raising=False)
    res = cli("--root", repo, "build")
    monkeypatch.undo()
    assert res.exit_code == 1
    assert f"{repo}/data/casualties.csv" in res.stderr and "No space left on device" in res.stderr
    assert snapshot(repo) == before
    assert not list(repo.glob(".build-staging-*"))
    assert cli("--root", repo, "build").exit_code == 0  # and once there is room, it builds
    assert snapshot(repo) != before


def test_leftovers_of_a_killed_run_are_ignored_by_check_and_cleaned_by_build(repo, cli):
    staging = repo / ".build-staging-k1ll3d"
    (staging / "new/data").mkdir(parents=True)
    (staging / "new/data/events.csv").write_text("half")
    (repo / "data/.events.csv.abc123.tmp").write_text("half")
    (repo / ".datapackage.json.xyz789.tmp").write_text("half")
    assert cli("--root", repo, "build", "--check").exit_code == 0
    assert cli("--root", repo, "build").exit_code == 0
    assert not staging.exists()
    assert not list((repo / "data").glob(".*.tmp")) and not list(repo.glob(".*.tmp"))
    assert cli("--root", repo, "build", "--check").exit_code == 0
