"""Citation files: valid CFF, and CITATION.cff / .zenodo.json / datapackage.json / `make-data cite` agree."""

from __future__ import annotations

import json
import shutil

import yaml

from banjska.build.descriptor import load_metadata
from banjska.files import json_bytes
from banjska.release.check import cff_errors
from banjska.release.citation import cff_bytes, check_agreement, generated_files
from banjska.release.versioning import Version

from conftest import edit
from repo import RELEASED, ROOT, VERSION

PATCH = str(Version.parse(VERSION).bumped("patch"))


def test_citation_cff_is_valid_against_the_cff_1_2_schema():
    """Checked with jsonschema against the vendored CFF 1.2.0 schema (banjska/release/schemas/), as
    `make-data check` does: no separate cffconvert environment."""
    assert cff_errors((ROOT / "CITATION.cff").read_text(encoding="utf-8")) == []


def test_a_cff_without_authors_is_refused(tmp_path):
    """The validation test above can fail: a CFF without authors is refused, with its pointer."""
    doc = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    del doc["authors"]
    assert cff_errors(yaml.safe_dump(doc)) == ["/: 'authors' is a required property"]


def test_committed_citation_files_are_generated_from_metadata():
    for rel, data in generated_files(load_metadata(ROOT)).items():
        assert (ROOT / rel).read_bytes() == data, f"{rel} is stale: run make-data publish"


def test_citation_files_agree_with_datapackage_json():
    meta = load_metadata(ROOT)
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    zen = json.loads((ROOT / ".zenodo.json").read_text())
    dp = json.loads((ROOT / "datapackage.json").read_text())
    assert check_agreement(meta, dp) == []
    assert (cff["cff-version"], cff["type"], zen["upload_type"]) == ("1.2.0", "dataset", "dataset")
    assert cff["title"] == zen["title"] == dp["title"]
    assert cff["version"] == zen["version"] == dp["version"]
    assert cff["date-released"] == zen["publication_date"] == meta["date_released"]
    assert dp["created"].startswith(meta["date_released"])
    assert cff["license"] == dp["licenses"][0]["name"] and zen["license"] == dp["licenses"][0]["name"].lower()
    authors = [c["title"] for c in dp["contributors"] if c["role"] == "author"]
    assert [a["name"] for a in cff["authors"]] == [c["name"] for c in zen["creators"]] == authors
    assert cff["keywords"] == zen["keywords"] == dp["keywords"]
    assert cff["abstract"] == zen["description"] == " ".join(dp["description"].split())
    assert "url" not in cff and "repository-code" not in cff and "doi" not in cff  # none exists: none invented


def test_agreement_check_catches_a_mismatch():
    meta = load_metadata(ROOT)
    dp = json.loads((ROOT / "datapackage.json").read_text())
    dp["version"] = "9.9.9"
    assert check_agreement(meta, dp) == [f"datapackage.json version '9.9.9' != metadata '{meta['version']}'"]


def test_cite_prints_the_current_version(repo, cli):
    meta = load_metadata(ROOT)
    text = cli("cite").stdout
    assert f"(Version {meta['version']})" in text and meta["title"] in text and "[Data set]" in text
    bib = cli("cite", "--format", "bibtex").stdout
    assert bib.startswith("@misc{") and f"version = {{{meta['version']}}}" in bib
    assert cli("cite", "--format", "cff").stdout.encode() == cff_bytes(meta)
    edit(repo / "metadata/dataset.yaml", f"version: {meta['version']}", "version: 7.8.9")
    assert "(Version 7.8.9)" in cli("--root", repo, "cite").stdout


def test_publish_regenerates_the_citation_files(repo, cli):
    shutil.rmtree(repo / "dist", ignore_errors=True)
    assert cli("--root", repo, "publish").exit_code == 0  # VERSION from today's inputs
    edit(repo / "metadata/dataset.yaml", "keywords: [Kosovo,", "keywords: [Kosova,")
    assert cli("--root", repo, "build").exit_code == 0
    edit(repo / "metadata/dataset.yaml", f'version: {VERSION}', f'version: {PATCH}')
    edit(repo / "metadata/dataset.yaml", f'date_released: "{RELEASED}"', 'date_released: "2026-12-10"')
    edit(repo / "metadata/dataset.yaml", f'created: "{RELEASED}T00:00:00Z"', 'created: "2026-12-10T00:00:00Z"')
    assert cli("--root", repo, "build").exit_code == 0
    assert cli("--root", repo, "codebook").exit_code == 0  # the codebook states the version being released
    edit(repo / "CHANGELOG.md", "## [Unreleased]\n", f"## [Unreleased]\n\n## [{PATCH}] - 2026-12-10\n\n- Keyword.\n")
    res = cli("--root", repo, "publish")
    assert res.exit_code == 0, res.stderr
    assert f"patch bump over {VERSION}" in res.stderr
    cff = yaml.safe_load((repo / "CITATION.cff").read_text())
    assert (cff["version"], cff["date-released"], cff["keywords"][0]) == (PATCH, "2026-12-10", "Kosova")
    assert (repo / ".zenodo.json").read_bytes() == json_bytes(
        json.loads(generated_files(load_metadata(repo))[".zenodo.json"]))
    assert json.loads((repo / ".zenodo.json").read_text())["version"] == PATCH
