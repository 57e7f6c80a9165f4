"""Build stage: seeds + annotations -> data/*.csv + datapackage.json, deterministically.

Everything is computed in memory first; files are written (atomically, one by one) only when the whole
build succeeded, so a failed build never leaves a half-written package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from banjska.build.coding import code
from banjska.build.coverage import Coverage, check_coverage, excuses
from banjska.build.descriptor import descriptor, load_metadata
from banjska.build.layout import DATA, DESCRIPTOR, table_names
from banjska.build.schemas import field_names
from banjska.build.source import Seed, load_seed, segment
from banjska.errors import BuildError
from banjska.files import csv_bytes, json_bytes, write_all


@dataclass
class BuildResult:
    files: dict[str, bytes]
    coverage: Coverage
    row_counts: dict[str, int]
    changed: list[str]


def source_row(seed: Seed) -> dict[str, str]:
    m = seed.meta
    keys = ("source_id", "title", "path", "sha256", "bytes", "language", "publisher", "url",
            "publication_date_earliest", "publication_date_latest", "publication_date_rule",
            "reference_date", "reference_date_rule", "license_note")
    return {k: str(m.get(k) or "") for k in keys}


def render(root: Path) -> BuildResult:
    """Compute every output file's bytes without touching the disk."""
    seed = load_seed(root)
    units = segment(seed.text, seed.meta["line_kinds"])
    coded = code(root, seed, units)
    excused = excuses(root, units)
    coverage = check_coverage(units, {e["unit_id"] for e in coded.evidence}, excused)
    rows = dict(coded.rows)
    rows["sources"] = [source_row(seed)]
    rows["units"] = [{"unit_id": u.unit_id, "source_id": seed.source_id, "line": str(u.line),
                      "sentence": str(u.sentence), "start": str(u.start), "end": str(u.end), "kind": u.kind,
                      "text": u.text, "excuse_reason": excused.get(u.unit_id, "")} for u in units]
    rows["evidence"] = coded.evidence
    meta = load_metadata(root)
    tables = table_names(meta)
    empty = [t for t in tables if not rows.get(t)]
    if empty:
        raise BuildError(f"table(s) {', '.join(empty)} would be header-only",
                         "Every table needs at least one row: add records to its annotation file.")
    csvs = {t: csv_bytes(field_names(root, t), rows[t]) for t in tables}
    files = {f"{DATA}/{t}.csv": data for t, data in csvs.items()}
    files[DESCRIPTOR] = json_bytes(descriptor(meta, seed, csvs))
    return BuildResult(files, coverage, {t: len(rows[t]) for t in tables}, [])


def build(root: Path) -> BuildResult:
    """Render, then write only the files whose bytes changed."""
    result = render(root)
    result.changed = write_all(root, result.files)
    return result


def check(root: Path) -> tuple[BuildResult, list[str]]:
    """Rebuild in memory and list every committed output file that differs (or is missing / extra)."""
    result = render(root)
    differ = []
    for rel, data in result.files.items():
        path = root / rel
        if not path.exists():
            differ.append(f"{rel} (missing)")
        elif path.read_bytes() != data:
            differ.append(rel)
    extra = sorted(p.relative_to(root).as_posix() for p in (root / DATA).glob("*")
                   if p.relative_to(root).as_posix() not in result.files) if (root / DATA).exists() else []
    differ += [f"{rel} (not produced by the build)" for rel in extra]
    return result, differ
