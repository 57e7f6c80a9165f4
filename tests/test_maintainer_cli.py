"""The maintainer's command line: `make-data check`, honest exit codes, one document on unreadable input,
`--version` with the dataset's version, and hints that do not lose hand edits."""

from __future__ import annotations

import errno
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import edit
from corrupt import copy_package
from pkgtools import set_cell
from repo import ROOT


def test_check_passes_on_the_repository(repo, cli):
    res = cli("--root", repo, "check", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert (doc["ok"], [s["step"] for s in doc["steps"]], {s["ok"] for s in doc["steps"]}) == (
        True, ["build", "validate", "docs", "citation"], {True})


def test_check_names_every_failing_step(repo, cli):
    edit(repo / "docs" / "codebook.md", "Codebook", "Code book")
    edit(repo / "CITATION.cff", "cff-version: 1.2.0", "cff-version: 9")
    res = cli("--root", repo, "check", "--json")
    assert res.exit_code == 1
    steps = {s["step"]: s for s in json.loads(res.stdout)["steps"]}
    assert (steps["build"]["ok"], steps["validate"]["ok"], steps["docs"]["ok"], steps["citation"]["ok"]) == (
        True, True, False, False)
    assert steps["docs"]["detail"] == "stale: docs/codebook.md; run `make-data codebook`"
    assert "CITATION.cff does not match metadata/dataset.yaml (run `make-data publish`)" in steps["citation"]["detail"]
    assert "CITATION.cff/cff-version: 9 is not of type 'string'" in steps["citation"]["detail"]


def test_the_repository_passes_make_data_check_as_ci_runs_it():
    done = subprocess.run([str(Path(sys.executable).with_name("make-data")), "check"], cwd=ROOT / "data",
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == f"{ROOT}: all checks pass"


def test_unreadable_input_still_gives_one_json_document_and_github_lines(cli, tmp_path):
    res = cli("validate", tmp_path / "nowhere", "--format", "json")
    assert res.exit_code == 2
    doc = json.loads(res.stdout)
    assert (doc["valid"], doc["readable"], doc["exit_code"]) == (False, False, 2)
    assert doc["error"].startswith(f"no data package at {tmp_path / 'nowhere'}")
    res = cli("validate", tmp_path / "nowhere", "--format", "github")
    assert res.exit_code == 2
    assert res.stdout.startswith(f"::error title=make-data validate::no data package at {tmp_path / 'nowhere'}")


@pytest.mark.parametrize("code, text, hint", [
    (errno.ENOSPC, "No space left on device", "Free space on that disk, then run the command again."),
    (errno.ENOENT, "No such file or directory", "Check the path: a folder on it does not exist."),
])
def test_an_environment_error_exits_2_naming_the_path_with_its_own_hint(cli, tmp_path, monkeypatch, code, text, hint):
    target = tmp_path / "out" / "p.sqlite"

    def fail(*_args, **_kwargs):
        raise OSError(code, text, str(target))

    import banjska.consume.export as export

    monkeypatch.setattr(export.os, "replace", fail)
    res = cli("export", ROOT, "--format", "sqlite", "-o", target)
    assert res.exit_code == 2
    assert res.stderr == f"Error: cannot write or read {target}: {text}. {hint}\n"
    assert not target.exists()


def test_a_deeply_nested_descriptor_is_an_input_error(cli, tmp_path):
    (tmp_path / "datapackage.json").write_text("[" * 200_000 + "]" * 200_000)
    res = cli("validate", tmp_path)
    assert res.exit_code == 2
    assert res.stderr.startswith(f"Error: {tmp_path / 'datapackage.json'}: the JSON is nested too deeply to read")


def test_version_names_the_toolkit_and_the_dataset_here(cli, monkeypatch, tmp_path):
    from banjska import __version__

    desc = json.loads((ROOT / "datapackage.json").read_text())
    monkeypatch.chdir(ROOT / "data")
    assert cli("--version").stdout.splitlines() == [
        f"make-data (banjska-events toolkit) {__version__}",
        f"dataset {desc['name']} {desc['version']} ({ROOT / 'datapackage.json'})"]
    monkeypatch.chdir(tmp_path)
    assert cli("--version").stdout.splitlines()[1] == \
        "dataset: none (no datapackage.json at or above the working directory)"


def test_a_hash_mismatch_hint_sends_edits_to_the_annotations(tmp_path):
    from banjska.validate import validate_package

    pkg = copy_package(tmp_path / "pkg")
    set_cell(pkg / "data" / "places.csv", 0, "notes", "edited by hand")
    issue = next(i for i in validate_package(pkg).issues if i.rule == "hash-count")
    assert issue.hint == ("The file differs from what datapackage.json records. In a make-data project, edit "
                          "annotations/ and run `make-data build` (which overwrites hand edits to data/); otherwise "
                          "regenerate the descriptor with the tool that made the package.")


def test_a_closed_pipe_is_said_once_on_stderr(cli, monkeypatch):
    import banjska.report

    def closed(_report):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(banjska.report, "render_text", closed)
    res = cli("validate", ROOT)
    assert res.exit_code == 2
    assert res.stderr == "Error: the output was closed before make-data finished writing it (a pipe into head?).\n"


def test_a_zip_that_is_not_a_zip_says_so(cli, tmp_path):
    (tmp_path / "b.zip").write_text("not a zip")
    res = cli("validate", tmp_path / "b.zip")
    assert res.exit_code == 2
    assert res.stderr.startswith(f"Error: {tmp_path / 'b.zip'} is not a readable zip archive.")


def test_library_errors_read_like_the_cli_line(tmp_path):
    from banjska.errors import DataInvalid

    err = DataInvalid("column count: value 'abc' is not a valid integer", "Run make-data validate.",
                      where="data/casualties.csv:2")
    assert str(err) == "data/casualties.csv:2: column count: value 'abc' is not a valid integer. Run make-data validate."
