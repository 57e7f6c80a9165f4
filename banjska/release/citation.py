"""Citation metadata (CITATION.cff, .zenodo.json, `make-data cite`) generated from metadata/dataset.yaml.

Why this module exists: a dataset is cited by version, so the citation files must say exactly what
datapackage.json says. Both are generated here from the one metadata file the build also reads; nothing
is typed twice. Authors are the `contributors` with role `author`; the release date is `date_released`.
No URL or DOI is invented: a DOI is written only once `doi:` is set in metadata/dataset.yaml (the Zenodo
concept DOI, which cites every version and resolves to the newest; Zenodo mints it on the first release).

LICENSE-DATA, the data licence (shipped as LICENSE inside a release), is generated here too, from the
same `licenses` entry that datapackage.json carries.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import yaml

from banjska.build.descriptor import load_metadata
from banjska.errors import InputError
from banjska.files import json_bytes
from banjska.release.versioning import Version

CFF = "CITATION.cff"
ZENODO = ".zenodo.json"
LICENSE_DATA = "LICENSE-DATA"
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


_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def doi(meta: dict) -> str:
    """The dataset's DOI from `doi:` in the metadata ("" until Zenodo has minted one)."""
    value = str(meta.get("doi") or "").strip()
    for prefix in ("https://doi.org/", "doi:"):
        value = value.removeprefix(prefix)
    if value and not _DOI.match(value):
        raise InputError(f"doi {value!r} is not a DOI (10.NNNN/...)", "Use the DOI Zenodo shows, e.g. "
                         "10.5281/zenodo.1234567.", where="metadata/dataset.yaml")
    return value


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
    } | ({"doi": doi(meta)} if doi(meta) else {})


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


def data_licence_bytes(meta: dict) -> bytes:
    """LICENSE-DATA (LICENSE inside a release): the data licence, from `licenses` and the authors."""
    lic = _required(meta, "licenses")[0]
    name, url = data_license(meta), str(lic.get("path", ""))
    title = str(lic.get("title") or name).split(" (")[0]
    note = " ".join(str(meta.get("source_text_note", "")).split())
    paragraphs = [
        f"Data licence of {meta['name']}: {title} ({name})",
        f"Copyright (c) {release_date(meta)[:4]} {', '.join(authors(meta))}",
        "The coded data (data/*.csv, datapackage.json), the Table Schemas (schemas/), the annotations and the "
        "documentation (README.md, CHANGELOG.md, CITATION.cff and docs/: the codebook and its figure) are "
        f"licensed under the {title} licence ({name}). You may share and adapt them for any purpose, provided "
        "you give appropriate credit (see \"How to cite\" in README.md), provide a link to the licence and "
        "indicate if changes were made. The legal code:",
        f"    {url}",
        note,
        "The toolkit that builds and checks the data (banjska: banjska/, scripts/, tests/, R/) is licensed "
        "separately under the MIT licence (LICENSE in its repository) and is not part of a data release.",
        "Generated from metadata/dataset.yaml by `make-data publish`; do not edit by hand.",
    ]
    lines = [p if p.startswith(" ") else textwrap.fill(p, width=100) for p in paragraphs if p]
    return ("\n\n".join(lines) + "\n").encode("utf-8")


def generated_files(meta: dict) -> dict[str, bytes]:
    """The citation files at the repository root, as bytes (written by `make-data publish`)."""
    return {CFF: cff_bytes(meta), ZENODO: json_bytes(zenodo(meta))}


def root_files(meta: dict) -> dict[str, bytes]:
    """Every root file `make-data publish` generates from the metadata: the citation files and LICENSE-DATA."""
    return generated_files(meta) | {LICENSE_DATA: data_licence_bytes(meta)}


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
        } | ({"doi": "{" + doi(meta) + "}"} if doi(meta) else {})
        body = ",\n".join(f"  {k} = {v}" for k, v in fields.items())
        return f"@misc{{{key},\n{body}\n}}"
    if fmt != "text":
        raise InputError(f"unknown citation format {fmt!r}", "Use text, bibtex or cff.")
    link = f" https://doi.org/{doi(meta)}" if doi(meta) else ""
    return (f"{who} ({year}). {doc['title']} (Version {doc['version']}) [Data set]. "
            f"Released {doc['date-released']}. Licence {doc['license']}.{link}")


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


