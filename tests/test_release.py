"""`make-data publish`: byte-reproducible, atomic, validated, and honest about the version number."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

import banjska.release.publish as release
from banjska.errors import PublishError
from banjska.files import sha256
from banjska.release.versioning import Version, check_bump, last_release, releases
from banjska.validate.core import validate_package

from conftest import copy_repo, edit
from repo import RELEASED, ROOT, VERSION

NAME = "banjska-2023-events"
STEM = f"{NAME}-{VERSION}"
_V = Version.parse(VERSION)
PATCH, MINOR, MAJOR = (str(_V.bumped(level)) for level in ("patch", "minor", "major"))


def fresh(repo: Path) -> Path:
    """The repo copy with no release yet, so its first publish is VERSION from today's inputs."""
    shutil.rmtree(repo / "dist", ignore_errors=True)
    return repo


def release_zip(root: Path, version: str = VERSION) -> Path:
    return root / "dist" / f"{NAME}-{version}" / f"{NAME}-{version}.zip"


def dist_snapshot(root: Path) -> dict[str, bytes]:
    dist = root / "dist"
    if not dist.exists():
        return {}
    return {p.relative_to(dist).as_posix(): p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file()} | {
        p.relative_to(dist).as_posix() + "/": b"" for p in sorted(dist.rglob("*")) if p.is_dir()}


def set_version(root: Path, cli, version: str, date: str = "2026-12-01") -> None:
    """Bump by hand (`make-data bump` does the same): metadata, build, codebook, CHANGELOG entry."""
    meta = root / "metadata/dataset.yaml"
    text = meta.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^version: .*$", f"version: {version}", text)
    text = re.sub(r'(?m)^created: .*$', f'created: "{date}T00:00:00Z"', text)
    text = re.sub(r'(?m)^date_released: "[^"]*"', f'date_released: "{date}"', text)
    meta.write_text(text, encoding="utf-8")
    assert cli("--root", root, "build").exit_code == 0
    assert cli("--root", root, "codebook").exit_code == 0  # it states the version: publish refuses a stale one
    edit(root / "CHANGELOG.md", "## [Unreleased]\n", f"## [Unreleased]\n\n## [{version}] - {date}\n\n- Test change.\n")


def correct_a_row(root: Path, cli) -> None:
    """A data correction (a coding note on a casualty row): needs a patch bump."""
    edit(root / "annotations/src-000/casualties.yaml", "    count_raw: three attackers\n",
         "    count_raw: three attackers\n    notes: Corrected in a later release.\n")
    assert cli("--root", root, "build").exit_code == 0


# ------------------------------------------------------------------------------------ reproducibility

def test_two_publishes_give_identical_bytes(tmp_path, cli):
    a = fresh(copy_repo(tmp_path / "a"))
    b = fresh(copy_repo(tmp_path / "b"))
    assert cli("--root", a, "publish").exit_code == 0
    assert cli("--root", b, "publish").exit_code == 0
    assert release_zip(a).read_bytes() == release_zip(b).read_bytes()
    first = release_zip(a).read_bytes()
    shutil.rmtree(a / "dist")  # and again in the same place, later
    assert cli("--root", a, "publish").exit_code == 0
    assert release_zip(a).read_bytes() == first
    sums = (a / "dist" / STEM / "SHA256SUMS").read_text()
    assert sums == f"{sha256(first)}  {STEM}.zip\n"


def test_zip_entries_are_sorted_with_fixed_time_and_mode(repo, cli):
    fresh(repo)
    assert cli("--root", repo, "publish").exit_code == 0
    with zipfile.ZipFile(release_zip(repo)) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert not any(n.endswith("/") for n in names), "no directory entries"
        assert {i.date_time for i in infos} == {(*map(int, RELEASED.split("-")), 0, 0, 0)}
        assert {i.external_attr >> 16 for i in infos} == {0o100644}
        # stored, not deflated: DEFLATE bytes depend on the zlib build, stored bytes do not
        assert {i.compress_type for i in infos} == {zipfile.ZIP_STORED}
        for required in ("datapackage.json", "data/events.csv", "schemas/events.schema.json",
                         "seeds/src-000/article.txt", "seeds/src-000/source.yaml",
                         "docs/codebook.md", "docs/codebook.html", "docs/timeline.png",
                         "README.md", "CITATION.cff", "LICENSE", "CHANGELOG.md"):
            assert required in names, required
        assert zf.read("data/events.csv") == (repo / "data/events.csv").read_bytes()
        assert json.loads(zf.read("datapackage.json"))["version"] == VERSION
        assert zf.read("CITATION.cff") == (repo / "CITATION.cff").read_bytes()


# --------------------------------------------------------------------------------------- the release

def test_published_zip_validates(repo, cli, tmp_path):
    fresh(repo)
    assert cli("--root", repo, "publish").exit_code == 0
    out = tmp_path / "unzipped"
    with zipfile.ZipFile(release_zip(repo)) as zf:
        zf.extractall(out)
    report = validate_package(out)
    assert report.valid, [i.message for i in report.issues]
    assert sum(report.checked.values()) > 200
    res = cli("validate", out)
    assert res.exit_code == 0 and res.stdout.startswith("valid:")
    # and the zip itself, as `make-data validate` accepts release zips
    report = validate_package(release_zip(repo))
    assert report.valid, [i.message for i in report.issues]
    res = cli("validate", release_zip(repo))
    assert res.exit_code == 0 and res.stdout.startswith("valid:"), res.stdout


def test_committed_release_is_intact_and_is_the_last_release():
    found = last_release(ROOT, NAME)
    assert found is not None, f"dist/ must hold the {VERSION} release"
    version, zip_path = found
    assert version >= Version.parse(VERSION)
    sums = (zip_path.parent / "SHA256SUMS").read_text()
    assert sums == f"{sha256(zip_path.read_bytes())}  {zip_path.name}\n"
    with zipfile.ZipFile(zip_path) as zf:
        assert json.loads(zf.read("datapackage.json"))["version"] == str(version)
        assert f"## [{version}] - " in zf.read("CHANGELOG.md").decode()
    current = json.loads((ROOT / "datapackage.json").read_text())["version"]
    assert Version.parse(current) >= version


def test_same_content_republish_is_a_noop_that_says_so(repo, cli):
    fresh(repo)
    assert cli("--root", repo, "publish").exit_code == 0
    before = dist_snapshot(repo)
    res = cli("--root", repo, "publish")
    assert res.exit_code == 0
    assert "already published" in res.stderr and "nothing written" in res.stderr
    assert dist_snapshot(repo) == before
    doc = json.loads(cli("--root", repo, "publish", "--json").stdout)
    assert doc["status"] == "unchanged"


def test_dry_run_writes_nothing(repo, cli):
    fresh(repo)
    (repo / "CITATION.cff").unlink()
    res = cli("--root", repo, "publish", "--dry-run", "--json")
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert doc["status"] == "dry-run"
    assert doc["files"] == [f"dist/{STEM}/{STEM}.zip", f"dist/{STEM}/SHA256SUMS"]
    assert "CITATION.cff" in doc["citation_files"]
    assert not (repo / "dist").exists() and not (repo / "CITATION.cff").exists()


def test_publish_refuses_an_invalid_package(repo, cli):
    fresh(repo)
    edit(repo / "data/places.csv", "Zvecan", "Zvecam")
    res = cli("--root", repo, "publish")
    assert res.exit_code == 1
    assert "invalid" in res.stderr and "make-data validate" in res.stderr
    assert not (repo / "dist").exists()


def test_publish_refuses_a_stale_package(repo, cli):
    fresh(repo)
    edit(repo / "metadata/dataset.yaml", "keywords: [Kosovo,", "keywords: [Kosova,")
    res = cli("--root", repo, "publish")
    assert res.exit_code == 1
    assert "fresh build" in res.stderr and "datapackage.json" in res.stderr
    assert not (repo / "dist").exists()


def test_publish_refuses_a_version_without_changelog_entry(repo, cli):
    fresh(repo)
    edit(repo / "CHANGELOG.md", f"## [{VERSION}] - {RELEASED}", f"## [0.9.0] - {RELEASED}")
    res = cli("--root", repo, "publish")
    assert res.exit_code == 1
    assert f"CHANGELOG.md has no entry '## [{VERSION}] - {RELEASED}'" in res.stderr
    assert not (repo / "dist").exists()


# ---------------------------------------------------------------------------------------- atomicity

@pytest.mark.parametrize("where", ["after_zip_written", "at_rename"])
def test_interrupted_publish_leaves_no_partial_release(repo, cli, monkeypatch, where):
    fresh(repo)
    citation_before = (repo / "CITATION.cff").read_bytes()
    calls = []

    def crash(*args, **kwargs):
        calls.append(args)
        raise OSError("disk full (simulated)")

    if where == "after_zip_written":
        original = release._write_file

        def write_then_crash(path, data):
            if path.name == "SHA256SUMS":
                assert (path.parent / f"{STEM}.zip").stat().st_size > 0  # the zip is half the release
                crash()
            original(path, data)

        monkeypatch.setattr(release, "_write_file", write_then_crash)
    else:
        monkeypatch.setattr(release.os, "rename", crash)
    res = cli("--root", repo, "publish")
    assert calls, "the simulated crash must have happened"
    assert res.exit_code == 2 and "disk full" in res.stderr, res.stderr  # the environment, not a bug
    assert sorted(p.name for p in (repo / "dist").iterdir()) == []  # no release, no temp folder
    assert releases(repo, NAME) == {}
    assert (repo / "CITATION.cff").read_bytes() == citation_before
    monkeypatch.undo()
    assert cli("--root", repo, "publish").exit_code == 0
    assert release_zip(repo).exists()


def test_leftover_temp_folder_of_a_killed_publish_is_not_a_release(repo, cli):
    fresh(repo)
    stale = repo / "dist" / ".publish-killed"
    stale.mkdir(parents=True)
    (stale / f"{STEM}.zip").write_bytes(b"PK\x03\x04 half a zip")
    assert releases(repo, NAME) == {}
    assert cli("--root", repo, "publish").exit_code == 0
    assert sorted(p.name for p in (repo / "dist").iterdir()) == [STEM]


# ----------------------------------------------------------------------------------- version rules

def test_data_change_without_a_bump_is_refused(repo, cli):
    fresh(repo)
    assert cli("--root", repo, "publish").exit_code == 0
    before = dist_snapshot(repo)
    correct_a_row(repo, cli)
    res = cli("--root", repo, "publish")
    assert res.exit_code == 1
    assert f"version {VERSION} is already published with different content" in res.stderr
    assert "casualties: 1 row(s) corrected [patch]" in res.stderr
    assert f"set version: {PATCH}" in res.stderr
    assert dist_snapshot(repo) == before
    set_version(repo, cli, PATCH)
    res = cli("--root", repo, "publish")
    assert res.exit_code == 0, res.stderr
    assert f"patch bump over {VERSION}" in res.stderr
    assert sorted(v for v in map(str, releases(repo, NAME))) == [VERSION, PATCH]
    assert last_release(repo, NAME)[0] == Version.parse(PATCH)


def test_schema_breaking_change_with_only_a_minor_bump_is_refused(repo, cli):
    fresh(repo)
    assert cli("--root", repo, "publish").exit_code == 0
    schema = repo / "schemas/casualties.schema.json"
    edit(schema, '"required": true,\n        "minimum": 0\n', '"required": true,\n        "minimum": 1\n')
    set_version(repo, cli, MINOR)
    res = cli("--root", repo, "publish")
    assert res.exit_code == 1
    assert f"version {MINOR} is a minor bump over {VERSION}, but the changes need a major bump" in res.stderr
    assert "casualties.count: constraint minimum 0 -> 1 (tightened) [major]" in res.stderr
    assert f"smallest allowed version is {MAJOR}" in res.stderr
    assert not release_zip(repo, MINOR).parent.exists()
    set_version(repo, cli, MAJOR)
    res = cli("--root", repo, "publish")
    assert res.exit_code == 0, res.stderr
    assert release_zip(repo, MAJOR).exists()


def test_version_below_the_last_release_is_refused(repo, cli):
    fresh(repo)
    assert cli("--root", repo, "publish").exit_code == 0
    correct_a_row(repo, cli)
    set_version(repo, cli, "0.9.0")
    res = cli("--root", repo, "publish")
    assert res.exit_code == 1
    assert f"version 0.9.0 is not above the last release {VERSION}" in res.stderr


def test_a_tampered_release_is_not_compared_against(repo, cli):
    fresh(repo)
    assert cli("--root", repo, "publish").exit_code == 0
    (repo / "dist" / STEM / "SHA256SUMS").write_text("0" * 64 + f"  {STEM}.zip\n")
    res = cli("--root", repo, "publish")
    assert res.exit_code == 1 and "does not match" in res.stderr


@pytest.mark.parametrize("old,new,implied,ok", [
    ("1.0.0", "1.0.1", "patch", True),
    ("1.0.0", "1.1.0", "patch", True),
    ("1.0.0", "1.0.1", "minor", False),
    ("1.0.0", "1.1.0", "minor", True),
    ("1.2.3", "1.3.0", "major", False),
    ("1.2.3", "2.0.0", "major", True),
    ("1.0.0", "1.0.0", "none", False),
    ("1.0.0", "1.0.1", "none", True),
])
def test_check_bump_rules(old, new, implied, ok):
    if ok:
        check_bump(Version.parse(old), Version.parse(new), implied)
    else:
        with pytest.raises(PublishError):
            check_bump(Version.parse(old), Version.parse(new), implied)


def test_smallest_allowed_versions():
    v = Version.parse("1.2.3")
    assert (str(v.bumped("patch")), str(v.bumped("minor")), str(v.bumped("major"))) == ("1.2.4", "1.3.0", "2.0.0")
