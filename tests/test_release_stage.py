"""The release stage, end to end: a release holds the dataset only, docs are never stale, `make-data bump`,
one publish at a time, and the tag-driven workflow."""

from __future__ import annotations

import csv
import errno
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

import banjska.release.publish as release
from banjska.build.descriptor import load_metadata
from banjska.release.citation import LICENSE_DATA, data_licence_bytes, root_files
from banjska.release.contents import data_changelog, dataset_readme, release_entries, row_count
from banjska.release.versioning import Version, releases, verify_sums

from conftest import edit
from repo import RELEASED, ROOT, TABLES, VERSION

NAME = "banjska-2023-events"
_V = Version.parse(VERSION)
PATCH, MINOR, MAJOR = (str(_V.bumped(level)) for level in ("patch", "minor", "major"))
LATER = "2026-12-10"  # a release date after the committed release's


def fresh(repo: Path) -> Path:
    shutil.rmtree(repo / "dist", ignore_errors=True)
    return repo


def zip_of(root: Path, version: str = VERSION) -> Path:
    return root / "dist" / f"{NAME}-{version}" / f"{NAME}-{version}.zip"


def entries_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def dist_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root / "dist").as_posix(): p.read_bytes()
            for p in sorted((root / "dist").rglob("*")) if p.is_file()}


def correct_a_row(root: Path) -> None:
    """An annotation correction (a coding note on a casualty row), not yet built: needs a patch bump."""
    edit(root / "annotations/src-000/casualties.yaml", "    count_raw: three attackers\n",
         "    count_raw: three attackers\n    notes: Corrected in a later release.\n")


# ----------------------------------------------------------------------- 1. the release is the dataset

def test_release_holds_the_dataset_only(repo, cli):
    fresh(repo)
    stray = repo / "seeds" / "src-000" / "scratch-notes.txt"
    stray.write_text("not referenced by the package\n")
    res = cli("--root", repo, "publish")
    assert res.exit_code == 1
    assert "seeds/src-000/scratch-notes.txt: not part of a registered source" in res.stderr
    assert not (repo / "dist").exists()
    stray.unlink()
    res = cli("--root", repo, "publish")
    assert res.exit_code == 0, res.stderr
    entries = entries_of(zip_of(repo))
    desc = json.loads((repo / "datapackage.json").read_text())
    package = {"datapackage.json"} | {r["path"] for r in desc["resources"]} | {
        r["schema"] for r in desc["resources"] if isinstance(r.get("schema"), str)}
    assert set(entries) == package | {
        "seeds/src-000/source.yaml",  # the article's capture metadata (seeds/ holds nothing else)
        "docs/codebook.md", "docs/codebook.html", "docs/timeline.png",
        "README.md", "LICENSE", "CHANGELOG.md", "CITATION.cff"}
    # the toolkit's README and MIT licence stay out; the dataset's own documents go in
    assert entries["README.md"] != (repo / "README.md").read_bytes()
    assert b"MIT License" not in entries["LICENSE"]
    assert entries["LICENSE"] == (repo / LICENSE_DATA).read_bytes() == data_licence_bytes(load_metadata(repo))
    licence = entries["LICENSE"].decode()
    assert "CC-BY-4.0" in licence and "https://creativecommons.org/licenses/by/4.0/" in licence
    assert "data/*.csv" in licence and "schemas/" in licence and "docs/" in licence
    assert "seeds/" in licence and "not covered" in licence  # the third-party article is excluded


def test_committed_licences_are_split():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "LICENSE-DATA" in (ROOT / "LICENSE").read_text()
    for rel, data in root_files(load_metadata(ROOT)).items():  # LICENSE-DATA is generated, like CITATION.cff
        assert (ROOT / rel).read_bytes() == data, f"{rel} is stale: run make-data publish"


def test_dataset_readme_says_what_version_how_to_cite_and_load(repo, cli, tmp_path):
    fresh(repo)
    assert cli("--root", repo, "publish").exit_code == 0
    out = tmp_path / "unzipped"
    with zipfile.ZipFile(zip_of(repo)) as zf:
        zf.extractall(out)
    readme = (out / "README.md").read_text()
    meta = load_metadata(repo)
    assert readme.startswith(f"# {meta['title']}\n")
    assert f"**Version {VERSION}**, released {RELEASED}" in readme
    assert "## How to cite" in readme and cli("--root", repo, "cite").stdout.strip() in readme
    assert "@misc{" in readme and "CC-BY-4.0" in readme
    for table in TABLES:
        rows = row_count((repo / f"data/{table}.csv").read_bytes())
        assert f"| `{table}` | `data/{table}.csv` | {rows} |" in readme
    evidence_rows = len((repo / "data/evidence.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert f"| `evidence` | `data/evidence.csv` | {evidence_rows} |" in readme
    assert "pd.read_csv" in readme and "read_csv(r$path, na = \"\"" in readme
    # the pandas recipe in the README works on the unzipped release, as written
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    cwd = os.getcwd()
    try:
        os.chdir(out)
        scope: dict = {}
        exec(code, scope)  # noqa: S102 - the README's own example
    finally:
        os.chdir(cwd)
    assert sorted(scope["tables"]) == sorted(TABLES)
    assert len(scope["events"]) == row_count((repo / "data/events.csv").read_bytes())
    # only empty cells are missing: as many missing values as empty cells, "NA" would stay text
    with open(out / "data/casualties.csv", encoding="utf-8", newline="") as fh:
        empty = sum(cell == "" for row in list(csv.reader(fh))[1:] for cell in row)
    assert int(scope["tables"]["casualties"].isna().sum().sum()) == empty


def test_dataset_readme_bytes_are_deterministic_and_come_from_the_template(repo):
    meta = load_metadata(repo)
    a, b = release_entries(repo, meta), release_entries(repo, meta)
    assert a["README.md"] == b["README.md"]
    edit(repo / "docs/dataset-README.template.md", "## How to cite", "## Citing")
    assert b"## Citing" in dataset_readme(repo, meta, a)
    edit(repo / "docs/dataset-README.template.md", "{{tables}}", "{{tabels}}")
    with pytest.raises(release.PublishError, match="unknown placeholder.*tabels"):
        dataset_readme(repo, meta, a)


def test_data_changelog_leaves_out_unreleased_notes_and_later_versions():
    text = ("# Changelog\n\nPreamble.\n\n## [Unreleased]\n\n### Changed (toolkit)\n\n- Faster validate.\n\n"
            "## [2.0.0] - 2027-01-01\n\n- Future.\n\n## [1.0.1] - 2026-12-01\n\n- Fix.\n\n"
            "## [1.0.0] - 2026-11-28\n\n- First.\n")
    out = data_changelog(text, Version.parse("1.0.1")).decode()
    assert out == ("# Changelog\n\nPreamble.\n\n## [Unreleased]\n\n"
                   "## [1.0.1] - 2026-12-01\n\n- Fix.\n\n## [1.0.0] - 2026-11-28\n\n- First.\n")


def test_the_data_changelog_of_1_0_0_is_reproduced_from_todays_changelog():
    """The toolkit notes under [Unreleased] today do not reach the release: 1.0.0's CHANGELOG bytes come back."""
    published = entries_of(zip_of(ROOT, "1.0.0"))["CHANGELOG.md"]
    assert data_changelog((ROOT / "CHANGELOG.md").read_text(), Version.parse("1.0.0")) == published


def test_toolkit_doc_edits_never_force_a_data_release(repo, cli):
    """The committed last release holds the same dataset: no-op."""
    before = dist_files(repo)
    edit(repo / "README.md", "## Releases and citation", "## Releases and citation (edited)")
    edit(repo / "CHANGELOG.md", "## [Unreleased]\n", "## [Unreleased]\n\n- A toolkit note.\n")
    res = cli("--root", repo, "publish")
    assert res.exit_code == 0, res.stderr
    assert f"already published as {VERSION}" in res.stderr and "nothing written" in res.stderr
    assert dist_files(repo) == before
    doc = json.loads(cli("--root", repo, "publish", "--dry-run", "--json").stdout)
    assert doc["status"] == "unchanged" and doc["version"] == VERSION
    assert "CHANGELOG.md" not in doc["documents_changed"]


# --------------------------------------------------------------------------- 2. docs are never stale

def test_publish_refuses_a_stale_codebook(repo, cli):
    fresh(repo)
    edit(repo / "docs/codebook.md", f"version {VERSION}", "version 0.9.0")
    res = cli("--root", repo, "publish")
    assert res.exit_code == 1
    assert "codebook is stale" in res.stderr and "docs/codebook.md" in res.stderr
    assert "Run `make-data codebook`" in res.stderr
    assert not (repo / "dist").exists()
    assert cli("--root", repo, "codebook").exit_code == 0
    assert cli("--root", repo, "publish").exit_code == 0


def test_released_docs_state_the_released_version_and_republishing_says_so(repo, cli):
    fresh(repo)
    assert cli("--root", repo, "publish").exit_code == 0
    assert cli("--root", repo, "build").exit_code == 0
    edit(repo / "annotations/src-000/casualties.yaml", "    count_raw: three attackers\n",
         "    count_raw: three attackers\n    notes: Corrected in a later release.\n")
    res = cli("--root", repo, "bump", "--date", LATER)
    assert res.exit_code == 0, res.stderr
    res = cli("--root", repo, "publish")
    assert res.exit_code == 0, res.stderr
    entries = entries_of(zip_of(repo, PATCH))
    assert f"version {PATCH}" in entries["docs/codebook.md"].decode()
    assert f"**Version {PATCH}**" in entries["README.md"].decode()
    assert f"## [{PATCH}] - {LATER}" in entries["CHANGELOG.md"].decode()
    assert json.loads(entries["datapackage.json"])["version"] == PATCH
    res = cli("--root", repo, "publish")
    assert res.exit_code == 0 and f"already published as {PATCH}" in res.stderr


# ------------------------------------------------------------------------------------- 3. make-data bump

def test_bump_sets_the_smallest_version_rebuilds_and_drafts_the_changelog(repo, cli):
    meta_before = (repo / "metadata/dataset.yaml").read_text()
    log_before = (repo / "CHANGELOG.md").read_text()
    correct_a_row(repo)
    res = cli("--root", repo, "bump", "--date", LATER)
    assert res.exit_code == 0, res.stderr
    assert f"bumped {VERSION} -> {PATCH} (changes need patch)" in res.stderr
    # metadata: exactly the three lines changed, comments and layout kept
    meta_after = (repo / "metadata/dataset.yaml").read_text()
    changed = [(a, b) for a, b in zip(meta_before.splitlines(), meta_after.splitlines(), strict=True) if a != b]
    assert changed == [(f"version: {VERSION}", f"version: {PATCH}"),
                       (f'created: "{RELEASED}T00:00:00Z"', f'created: "{LATER}T00:00:00Z"'),
                       (f'date_released: "{RELEASED}"   # CITATION.cff date-released, .zenodo.json publication_date',
                        f'date_released: "{LATER}"   # CITATION.cff date-released, .zenodo.json publication_date')]
    assert len(meta_before.splitlines()) == len(meta_after.splitlines())
    # rebuilt, codebook regenerated
    assert json.loads((repo / "datapackage.json").read_text())["version"] == PATCH
    assert cli("--root", repo, "build", "--check").exit_code == 0
    assert cli("--root", repo, "codebook", "--check").exit_code == 0
    # the draft sits below [Unreleased] and its notes, above 1.0.0
    log = (repo / "CHANGELOG.md").read_text()
    unreleased = log_before[log_before.index("## [Unreleased]"):log_before.index(f"## [{VERSION}]")]
    assert unreleased in log
    assert log.index("## [Unreleased]") < log.index(f"## [{PATCH}] - {LATER}") < log.index(f"## [{VERSION}]")
    assert log.index(unreleased) + len(unreleased) == log.index(f"## [{PATCH}] - {LATER}")
    entry = log[log.index(f"## [{PATCH}]"):log.index(f"## [{VERSION}]")]
    assert "### Fixed" in entry and "`casualties`" in entry and "notes corrected" in entry
    # bump is idempotent: the same version again keeps one entry
    assert cli("--root", repo, "bump", "--date", LATER).exit_code == 0
    assert (repo / "CHANGELOG.md").read_text().count(f"## [{PATCH}]") == 1
    res = cli("--root", repo, "publish")
    assert res.exit_code == 0, res.stderr
    assert f"patch bump over {VERSION}" in res.stderr
    assert sorted(map(str, releases(repo, NAME)), key=Version.parse) == [*sorted(map(str, releases(ROOT, NAME)), key=Version.parse), PATCH]


def test_bump_level_may_raise_the_version_never_lower_it(repo, cli):
    correct_a_row(repo)
    res = cli("--root", repo, "bump", "--level", "minor", "--date", LATER, "--json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert (doc["version"], doc["level"], doc["implied_bump"]) == (MINOR, "minor", "patch")
    assert re.search(rf"(?m)^version: {re.escape(MINOR)}$", (repo / "metadata/dataset.yaml").read_text())


def test_bump_refuses_a_level_below_what_the_changes_need(repo, cli):
    edit(repo / "schemas/casualties.schema.json", '"required": true,\n        "minimum": 0\n',
         '"required": true,\n        "minimum": 1\n')
    meta_before = (repo / "metadata/dataset.yaml").read_bytes()
    res = cli("--root", repo, "bump", "--level", "patch")
    assert res.exit_code == 2
    assert f"--level patch is lower than the changes since {VERSION} need (major)" in res.stderr
    assert "casualties.count: constraint minimum 0 -> 1 (tightened) [major]" in res.stderr
    assert (repo / "metadata/dataset.yaml").read_bytes() == meta_before
    res = cli("--root", repo, "bump", "--date", LATER)
    assert res.exit_code == 0 and f"-> {MAJOR}" in res.stderr
    assert "**Breaking:**" in (repo / "CHANGELOG.md").read_text()


def test_bump_with_nothing_to_release(repo, cli):
    res = cli("--root", repo, "bump")
    assert res.exit_code == 1 and "nothing changed" in res.stderr and "--level patch" in res.stderr
    res = cli("--root", repo, "bump", "--level", "patch", "--date", LATER)
    assert res.exit_code == 0 and f"-> {PATCH}" in res.stderr


@pytest.mark.parametrize("args", [["--date", "1 Dec 2026"], ["--date", "2026-13-01"], ["--level", "huge"]])
def test_bump_usage_errors_exit_2(repo, cli, args):
    correct_a_row(repo)
    res = cli("--root", repo, "bump", *args)
    assert res.exit_code == 2


def test_bump_needs_a_first_release(repo, cli):
    fresh(repo)
    res = cli("--root", repo, "bump")
    assert res.exit_code == 1 and "no release" in res.stderr and "make-data publish" in res.stderr


# ---------------------------------------------------------------------------------- 4. concurrency

def _slow_publish(root: str, ready, go) -> None:
    """A publish that stops inside write_release, its temp folder half filled, until told to go on."""
    from click.testing import CliRunner

    from banjska.cli import main

    original = release._write_file

    def write(path, data):
        original(path, data)
        if path.suffix == ".zip":
            ready.set()
            go.wait(60)

    release._write_file = write
    res = CliRunner().invoke(main, ["--root", root, "publish"], catch_exceptions=False)
    sys.exit(res.exit_code)


@pytest.mark.skipif(sys.platform == "win32" or "fork" not in multiprocessing.get_all_start_methods(),
                    reason="needs fork and flock")
def test_a_second_publish_while_one_runs_exits_1_and_never_touches_its_work(repo, cli):
    fresh(repo)
    ctx = multiprocessing.get_context("fork")
    ready, go = ctx.Event(), ctx.Event()
    first = ctx.Process(target=_slow_publish, args=(str(repo), ready, go))
    first.start()
    try:
        assert ready.wait(60), "the first publish never reached write_release"
        filling = [p for p in (repo / "dist").iterdir() if p.name.startswith(".publish-")]
        assert len(filling) == 1 and any(filling[0].iterdir())
        res = cli("--root", repo, "publish")
        assert res.exit_code == 1
        assert "another publish (or bump) is running" in res.stderr
        assert filling[0].is_dir() and any(filling[0].iterdir())  # the running publish's folder is untouched
        assert releases(repo, NAME) == {}  # and nothing half-published is visible
        res = cli("--root", repo, "bump")
        assert res.exit_code == 1 and "is running" in res.stderr
    finally:
        go.set()
        first.join(120)
    assert first.exitcode == 0
    assert sorted(p.name for p in (repo / "dist").iterdir()) == [f"{NAME}-{VERSION}"]
    verify_sums(zip_of(repo).parent)
    res = cli("--root", repo, "publish")
    assert res.exit_code == 0 and f"already published as {VERSION}" in res.stderr


def test_two_publish_processes_at_once_give_one_whole_release(repo):
    fresh(repo)
    cmd = [sys.executable, "-m", "banjska", "--root", str(repo), "publish"]
    env = dict(os.environ, CI="1")
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    results = [(p.wait(180), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    published = [err for code, err in results if code == 0 and "published banjska" in err]
    assert len(published) == 1, results
    for code, err in results:
        assert code in (0, 1), err
        if code == 1:
            assert "another publish (or bump) is running" in err
        elif "published banjska" not in err:
            assert f"already published as {VERSION}" in err
    assert sorted(p.name for p in (repo / "dist").iterdir()) == [f"{NAME}-{VERSION}"]
    verify_sums(zip_of(repo).parent)


def test_a_read_only_dist_is_an_environment_error_naming_the_path(repo, cli, monkeypatch):
    fresh(repo)
    dist = repo / "dist"

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(dist))

    monkeypatch.setattr(release.tempfile, "mkdtemp", denied)
    res = cli("--root", repo, "publish")
    assert res.exit_code == 2, res.stderr
    assert f"cannot write {dist}: Permission denied" in res.stderr
    assert "internal error" not in res.stderr
    assert releases(repo, NAME) == {}
    monkeypatch.undo()
    assert cli("--root", repo, "publish").exit_code == 0
    assert zip_of(repo).exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores permissions")
def test_a_really_read_only_dist(repo, cli):
    fresh(repo)
    (repo / "dist").mkdir()
    os.chmod(repo / "dist", 0o555)
    try:
        res = cli("--root", repo, "publish")
    finally:
        os.chmod(repo / "dist", 0o755)
    assert res.exit_code == 2 and str(repo / "dist") in res.stderr


# ------------------------------------------------------------------------------ 5. tag-driven release

def test_release_workflow_verifies_and_attaches_the_committed_release():
    path = ROOT / ".github/workflows/release.yml"
    doc = yaml.safe_load(path.read_text())
    on = doc.get("on", doc.get(True))
    assert on["push"]["tags"] == ["v[0-9]+.[0-9]+.[0-9]+"]
    assert doc["permissions"]["contents"] == "write"
    runs = "\n".join(s.get("run", "") for s in doc["jobs"]["release"]["steps"])
    assert "python3 scripts/dev.py setup" in runs and ".venv/bin/make-data check" in runs
    assert "make-data publish --dry-run --json" in runs and '"v$version" != "$GITHUB_REF_NAME"' in runs
    assert "sha256sum -c SHA256SUMS" in runs and 'cmp "$FOLDER/$ZIP"' in runs
    upload = next(s for s in doc["jobs"]["release"]["steps"] if "action-gh-release" in s.get("uses", ""))
    assert "SHA256SUMS" in upload["with"]["files"] and "steps.release.outputs.zip" in upload["with"]["files"]


def test_a_fresh_publish_reproduces_a_committed_release_byte_for_byte(repo, cli, tmp_path):
    """What the workflow checks: a release folder deleted and published again comes back identical."""
    correct_a_row(repo)
    assert cli("--root", repo, "bump", "--date", LATER).exit_code == 0
    assert cli("--root", repo, "publish").exit_code == 0
    committed = dist_files(repo)
    copy = tmp_path / "worktree"
    shutil.copytree(repo, copy)
    shutil.rmtree(copy / "dist" / f"{NAME}-{PATCH}")
    assert cli("--root", copy, "publish").exit_code == 0
    assert dist_files(copy) == committed
    for rel in ("CITATION.cff", ".zenodo.json", LICENSE_DATA):
        assert (copy / rel).read_bytes() == (repo / rel).read_bytes()


def test_zenodo_and_citation_carry_the_doi_once_it_is_set(repo, cli):
    assert "doi" not in json.loads((repo / ".zenodo.json").read_text())
    meta = repo / "metadata/dataset.yaml"
    meta.write_text(meta.read_text().replace("code_license: MIT\n", "code_license: MIT\ndoi: 10.5281/zenodo.1234567\n"))
    assert "https://doi.org/10.5281/zenodo.1234567" in cli("--root", repo, "cite").stdout
    assert "doi = {10.5281/zenodo.1234567}" in cli("--root", repo, "cite", "--format", "bibtex").stdout
    assert "doi: 10.5281/zenodo.1234567" in cli("--root", repo, "cite", "--format", "cff").stdout
    meta.write_text(meta.read_text().replace("doi: 10.5281/zenodo.1234567", "doi: zenodo-1234567"))
    res = cli("--root", repo, "cite")
    assert res.exit_code == 2 and "is not a DOI" in res.stderr
