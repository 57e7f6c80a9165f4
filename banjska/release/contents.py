"""What a release holds: the dataset and its own documents, never the toolkit's.

Why this module exists: a release is the citable dataset, so it must change only when the dataset or
its documentation changes. The toolkit's README.md, its licence (MIT, code only) and its release notes
therefore stay out; the release carries documents generated for the dataset instead:

* `README.md`: generated from docs/dataset-README.template.md, metadata/dataset.yaml and
  datapackage.json (what the dataset is, version, how to cite, how to load it, tables with row counts);
* `LICENSE`: the data licence (the bytes of LICENSE-DATA, generated from `licenses` in the metadata);
* `CHANGELOG.md`: the data's changelog, extracted from CHANGELOG.md: its preamble, an empty
  `## [Unreleased]` heading, and every `## [X.Y.Z] - date` section up to the version being released.
  Whatever sits under `## [Unreleased]` (work in progress, toolkit notes) never reaches a release.

All bytes are deterministic: the same inputs give the same release on every machine.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import banjska.release.citation as citation
from banjska.build.layout import DESCRIPTOR
from banjska.build.schemas import read_json
from banjska.errors import PublishError
from banjska.release.versioning import Version, release_stem

README = "README.md"
LICENSE = "LICENSE"
CHANGELOG = "CHANGELOG.md"
README_TEMPLATE = "docs/dataset-README.template.md"
CODEBOOK = ("docs/codebook.md", "docs/codebook.html", "docs/timeline.png")

_HEADING = re.compile(r"^## \[(?P<name>[^\]]+)\](?P<rest>.*)$", re.M)
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def read_file(root: Path, rel: str) -> bytes:
    path = root / rel
    if not path.is_file():
        raise PublishError(f"{rel} is missing", f"A release must include {rel}.")
    return path.read_bytes()


# ------------------------------------------------------------------------------------------ changelog

def changelog_sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(preamble, [(heading name, section text)]) of a Keep a Changelog file, split at `## [...]` lines."""
    starts = [m.start() for m in _HEADING.finditer(text)]
    if not starts:
        return text, []
    bounds = starts + [len(text)]
    return text[:starts[0]], [(_HEADING.match(text, a)["name"], text[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]


def data_changelog(text: str, version: Version) -> bytes:
    """The release's CHANGELOG.md: preamble, empty [Unreleased], released sections up to `version`."""
    preamble, sections = changelog_sections(text)
    out = [preamble, "## [Unreleased]\n\n"]
    for name, body in sections:
        try:
            released = Version.parse(name)
        except Exception:  # noqa: BLE001 - [Unreleased] or a heading that is not a version: not data history
            continue
        if released <= version:
            out.append(body)
    return ("".join(out).rstrip("\n") + "\n").encode("utf-8")


# -------------------------------------------------------------------------------------------- README

def row_count(data: bytes) -> int:
    """Records (not lines: quoted cells may hold newlines) after the header row."""
    return max(sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8"), newline=""))) - 1, 0)


def tables_markdown(desc: dict, files: dict[str, bytes]) -> str:
    rows = ["| table | file | rows | description |", "|---|---|---:|---|"]
    for res in desc["resources"]:
        if res.get("type") != "table" and res.get("profile") != "tabular-data-resource":
            continue
        text = " ".join(str(res.get("description", "")).split()).replace("|", "\\|")
        rows.append(f"| `{res['name']}` | `{res['path']}` | {row_count(files[res['path']])} | {text} |")
    return "\n".join(rows)


def readme_fields(meta: dict, desc: dict, files: dict[str, bytes]) -> dict[str, str]:
    lic = (meta.get("licenses") or [{}])[0]
    return {
        "title": str(meta["title"]),
        "name": str(meta["name"]),
        "version": str(meta["version"]),
        "date_released": citation.release_date(meta),
        "stem": release_stem(str(meta["name"]), str(meta["version"])),
        "description": " ".join(str(meta.get("description", "")).split()),
        "tables": tables_markdown(desc, files),
        "citation": citation.render(meta, "text"),
        "bibtex": citation.render(meta, "bibtex"),
        "licence": citation.data_license(meta),
        "licence_url": str(lic.get("path", "")),
        "source_text_note": " ".join(str(meta.get("source_text_note", "")).split()),
    }


def dataset_readme(root: Path, meta: dict, files: dict[str, bytes]) -> bytes:
    """The release's README.md: the template with `{{field}}` placeholders filled in."""
    template = read_file(root, README_TEMPLATE).decode("utf-8")
    fields = readme_fields(meta, read_json(root / DESCRIPTOR), files)
    unknown = sorted({m for m in _PLACEHOLDER.findall(template) if m not in fields})
    if unknown:
        raise PublishError(f"{README_TEMPLATE} uses unknown placeholder(s): {', '.join(unknown)}",
                           f"Known: {', '.join(sorted(fields))}.")
    if "version" not in _PLACEHOLDER.findall(template):
        raise PublishError(f"{README_TEMPLATE} does not state the version ({{{{version}}}})",
                           "The dataset README must say which version it describes.")
    return _PLACEHOLDER.sub(lambda m: fields[m.group(1)], template).encode("utf-8")


# --------------------------------------------------------------------------------------- the release

def package_files(desc: dict) -> list[str]:
    """The Data Package proper: descriptor, every resource's file and every referenced Table Schema."""
    out = [DESCRIPTOR]
    for res in desc["resources"]:
        out.append(res["path"])
        if isinstance(res.get("schema"), str):
            out.append(res["schema"])
    return out


def seed_metadata(desc: dict) -> list[str]:
    """The capture metadata beside each referenced source text (seeds/<source_id>/source.yaml; before 3.0.0,
    seeds/<stem>.meta.yaml). Only registered sources are resources, so nothing else in seeds/ is released."""
    out = []
    for res in desc["resources"]:
        path = Path(str(res["path"]))
        if path.parts[:1] == ("seeds",):
            beside = path.parent / "source.yaml" if len(path.parts) == 3 else path.with_suffix(".meta.yaml")
            out.append(beside.as_posix())
    return out


def dataset_entries(root: Path) -> dict[str, bytes]:
    """The dataset itself: package files plus the seed metadata (the part whose change needs a new version)."""
    desc = read_json(root / DESCRIPTOR)
    return {rel: read_file(root, rel) for rel in package_files(desc) + seed_metadata(desc)}


def release_entries(root: Path, meta: dict) -> dict[str, bytes]:
    """Every file that goes into the zip, by its path inside the zip."""
    entries = dataset_entries(root)
    for rel in CODEBOOK:
        entries[rel] = read_file(root, rel)
    version = Version.parse(str(meta["version"]), where="metadata/dataset.yaml")
    entries[CHANGELOG] = data_changelog(read_file(root, CHANGELOG).decode("utf-8"), version)
    entries[LICENSE] = citation.data_licence_bytes(meta)
    entries[citation.CFF] = citation.cff_bytes(meta)
    entries[README] = dataset_readme(root, meta, entries)
    return entries


def is_document(name: str) -> bool:
    """An entry that documents the dataset rather than being it: README, LICENSE, CHANGELOG, CITATION, docs/."""
    return name in (README, LICENSE, CHANGELOG, citation.CFF) or name.startswith("docs/")
