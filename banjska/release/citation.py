"""Citation metadata (CITATION.cff, .zenodo.json, `make-data cite`) generated from metadata/dataset.yaml.

Why this module exists: a dataset is cited by version, so the citation files must say exactly what
datapackage.json says. Both are generated here from the one metadata file the build also reads; nothing
is typed twice. Authors are the `contributors` with role `author`; the release date is `date_released`;
no URL or DOI is written because none exists yet (CFF and Zenodo both allow that).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from banjska.build.descriptor import load_metadata
from banjska.errors import InputError
from banjska.files import json_bytes
from banjska.release.versioning import Version

CFF = "CITATION.cff"
ZENODO = ".zenodo.json"
MESSAGE = "If you use this dataset, please cite it using the metadata from this file."


def _required(meta: dict, key: str) -> object:
    value = meta.get(key)
    if value in (None, "", []):
        raise InputError(f"metadata/dataset.yaml has no {key}", "Add it: the citation files need it.")
    return value


def authors(meta: dict) -> list[str]:
    names = [str(c["title"]) for c in meta.get("contributors") or [] if c.get("role") == "author" and c.get("title")]
    if not names:
        raise InputError("metadata/dataset.yaml lists no contributor with role: author",
                         "Add one under contributors: the citation needs an author.")
    return names


def release_date(meta: dict) -> str:
    date = str(_required(meta, "date_released"))
    if len(date) != 10 or date[4] != "-" or date[7] != "-":
        raise InputError(f"date_released {date!r} is not YYYY-MM-DD", where="metadata/dataset.yaml")
    return date


def data_license(meta: dict) -> str:
    return str(_required(meta, "licenses")[0]["name"])


def cff(meta: dict) -> dict:
    """CITATION.cff as a mapping (Citation File Format 1.2.0, type dataset)."""
    Version.parse(str(meta.get("version")), where="metadata/dataset.yaml")
    return {
        "cff-version": "1.2.0",
        "message": MESSAGE,
        "type": "dataset",
        "title": str(_required(meta, "title")),
        "version": str(meta["version"]),
        "date-released": release_date(meta),
        "authors": [{"name": a} for a in authors(meta)],
        "abstract": " ".join(str(_required(meta, "description")).split()),
        "keywords": [str(k) for k in meta.get("keywords") or []],
        "license": data_license(meta),
    }


def cff_bytes(meta: dict) -> bytes:
    header = "# Generated from metadata/dataset.yaml by `make-data publish`; do not edit by hand.\n"
    body = yaml.safe_dump(cff(meta), sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return (header + body).encode("utf-8")


def zenodo(meta: dict) -> dict:
    """.zenodo.json (Zenodo deposition metadata) for the same version."""
    return {
        "upload_type": "dataset",
        "title": str(_required(meta, "title")),
        "version": str(meta["version"]),
        "publication_date": release_date(meta),
        "creators": [{"name": a} for a in authors(meta)],
        "description": " ".join(str(_required(meta, "description")).split()),
        "keywords": [str(k) for k in meta.get("keywords") or []],
        "license": data_license(meta).lower(),
        "access_right": "open",
        "notes": " ".join(str(meta.get("source_text_note", "")).split()),
    }


def generated_files(meta: dict) -> dict[str, bytes]:
    """The citation files at the repository root, as bytes (written by `make-data publish`)."""
    return {CFF: cff_bytes(meta), ZENODO: json_bytes(zenodo(meta))}


def _bibtex_escape(text: str) -> str:
    for ch in "&%$#_":
        text = text.replace(ch, "\\" + ch)
    return text


def render(meta: dict, fmt: str = "text") -> str:
    """A citation for the version in metadata/dataset.yaml: text (APA-like), bibtex or cff."""
    if fmt == "cff":
        return cff_bytes(meta).decode("utf-8").rstrip("\n")
    doc = cff(meta)
    year = doc["date-released"][:4]
    who = " & ".join(authors(meta))
    if fmt == "bibtex":
        key = f"{meta['name']}-{doc['version']}".replace(".", "_")
        fields = {
            "author": "{" + " and ".join("{" + _bibtex_escape(a) + "}" for a in authors(meta)) + "}",
            "title": "{{" + _bibtex_escape(doc["title"]) + "}}",
            "year": "{" + year + "}",
            "version": "{" + doc["version"] + "}",
            "note": "{Dataset, version " + doc["version"] + ", released " + doc["date-released"]
                    + ", licence " + doc["license"] + "}",
        }
        body = ",\n".join(f"  {k} = {v}" for k, v in fields.items())
        return f"@misc{{{key},\n{body}\n}}"
    if fmt != "text":
        raise InputError(f"unknown citation format {fmt!r}", "Use text, bibtex or cff.")
    return (f"{who} ({year}). {doc['title']} (Version {doc['version']}) [Data set]. "
            f"Released {doc['date-released']}. Licence {doc['license']}.")


def cite(root: Path, fmt: str = "text") -> str:
    return render(load_metadata(root), fmt)


def check_agreement(meta: dict, descriptor: dict) -> list[str]:
    """Where datapackage.json disagrees with the metadata the citation files come from (empty: agree)."""
    problems = []
    for key in ("name", "title", "version"):
        if str(descriptor.get(key)) != str(meta.get(key)):
            problems.append(f"datapackage.json {key} {descriptor.get(key)!r} != metadata {meta.get(key)!r}")
    lic = [lic_["name"] for lic_ in descriptor.get("licenses") or []]
    if lic[:1] != [data_license(meta)]:
        problems.append(f"datapackage.json licenses {lic} do not start with {data_license(meta)}")
    return problems


