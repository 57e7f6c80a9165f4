"""Build stage: seeds + annotations -> data/*.csv + datapackage.json, deterministically.

Everything is computed in memory first and, when the caller passes a validator, checked as a whole package
(every row against its Table Schema and the dataset's rules) in a temporary directory outside the project.
Only then are the files written: into a staging directory inside the project, then renamed into place, so
a failed build never leaves a half-written package (see banjska.files.write_staged).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from banjska.build import claims, intercoder, names
from banjska.build.coding import Origin, code, origin_of
from banjska.build.coverage import Coverage, combined, excuses, measure, require_full
from banjska.build.descriptor import descriptor, load_metadata
from banjska.build.layout import DATA, DESCRIPTOR, METADATA, table_names
from banjska.build.schemas import field_names, primary_key
from banjska.build.source import SOURCE_FILE, Seed, Unit, load_sources, segment
from banjska.errors import BuildError
from banjska.files import STAGING_PREFIX, StagingFailed, clean_leftovers, csv_bytes, json_bytes, write_staged
from banjska.report import Issue, Report

SHOWN_ERRORS = 5  # validation errors quoted in the build's one-line message


@dataclass
class BuildResult:
    files: dict[str, bytes]
    coverage: Coverage  # all sources together
    row_counts: dict[str, int]
    changed: list[str]
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)  # (table, primary key) -> annotation


def source_row(seed: Seed) -> dict[str, str]:
    m = seed.meta
    keys = ("source_id", "title", "path", "sha256", "bytes", "language", "publisher", "url",
            "publication_date_earliest", "publication_date_latest", "publication_date_rule",
            "reference_date", "reference_date_rule", "license_note")
    return {k: str(m.get(k) or "") for k in keys}


def unit_row(u: Unit, source_id: str, excused: dict[str, str]) -> dict[str, str]:
    return {"unit_id": u.unit_id, "source_id": source_id, "line": str(u.line), "sentence": str(u.sentence),
            "start": str(u.start), "end": str(u.end), "kind": u.kind, "text": u.text,
            "excuse_reason": excused.get(u.unit_id, "")}


def read_sources(root: Path) -> tuple[dict[str, Seed], dict[str, list[Unit]]]:
    """Every registered source and its sentence units, by source id."""
    seeds = {s.source_id: s for s in load_sources(root)}
    units = {sid: segment(s.text, s.meta["line_kinds"], sid, f"seeds/{sid}/{SOURCE_FILE}") for sid, s in seeds.items()}
    return seeds, units


BACKBONE = ("sources", "units", "evidence")  # without them a quote or a sentence would be dropped unseen
DERIVED_FROM = {"claims": ("events",), "event_estimates": ("claims",)}


def check_tables(tables: tuple[str, ...]) -> None:
    """The metadata's `tables:` must hold what the build produces from the annotations: the sources, their
    sentences and the evidence, and what each derived table is computed from."""
    missing = [t for t in BACKBONE if t not in tables]
    missing += [need for t, needs in DERIVED_FROM.items() if t in tables for need in needs if need not in tables]
    if missing:
        raise BuildError(f"tables: lacks {', '.join(dict.fromkeys(missing))}",
                         "List them (in dependency order) under `tables:`: every project has sources, units and "
                         "evidence, claims need events and event_estimates need claims.", where=METADATA)


def coverage_of(root: Path, require: bool = True) -> tuple[list[Coverage], dict]:
    """Code every source and measure its coverage, writing nothing; `require` fails while a sentence is
    neither cited nor excused. Returns the per-source coverage and what was read and coded."""
    meta = load_metadata(root)
    check_tables(table_names(meta))
    seeds, units = read_sources(root)
    coded = code(root, seeds, units, table_names(meta))
    cited = {e["unit_id"] for e in coded.evidence}
    excused: dict[str, str] = {}
    parts = []
    for sid, us in units.items():
        reasons, todo = excuses(root, sid, us)
        excused.update(reasons)
        parts.append(measure(sid, us, cited, reasons, todo))
    if require:
        require_full(parts, units)
    return parts, {"meta": meta, "seeds": seeds, "units": units, "coded": coded, "excused": excused}


def render(root: Path) -> BuildResult:
    """Compute every output file's bytes without touching the disk."""
    parts, got = coverage_of(root)
    meta, seeds, units, coded, excused = got["meta"], got["seeds"], got["units"], got["coded"], got["excused"]
    names.audit(root, seeds, units, coded)
    rows = dict(coded.rows)
    rows["sources"] = [source_row(s) for s in seeds.values()]
    rows["units"] = [unit_row(u, sid, excused) for sid, us in units.items() for u in us]
    rows["evidence"] = coded.evidence
    origins = dict(coded.origins)
    if "claims" in table_names(meta):
        rows["claims"] = claims.claim_rows(rows, lambda cid, col: origins[("claims", cid)].at(col),
                                           lambda cid: origins[("casualties", cid)].at("event_id"))
        rows["event_estimates"] = claims.estimate_rows(rows["claims"])
        point_derived_rows(rows, origins)
    rows.update(intercoder.tables(root, rows))
    tables = table_names(meta)
    empty = [t for t in tables if not rows.get(t)]
    if empty:
        raise BuildError(f"table(s) {', '.join(empty)} would be header-only",
                         "Every table needs at least one row: add records to its annotation file.")
    csvs = {t: csv_bytes(field_names(root, t), rows[t]) for t in tables}
    files = {f"{DATA}/{t}.csv": data for t, data in csvs.items()}
    files[DESCRIPTOR] = json_bytes(descriptor(meta, list(seeds.values()), csvs))
    for sid, seed in seeds.items():
        origins[("sources", sid)] = origin_of(f"seeds/{sid}/{SOURCE_FILE}", seed.meta)
    return BuildResult(files, combined(parts), {t: len(rows[t]) for t in tables}, [], rows, origins)


def point_derived_rows(rows: dict[str, list[dict[str, str]]], origins: dict[tuple[str, str], Origin]) -> None:
    """Derived rows point at the annotation they follow from: an event's own claim and its estimates at the
    event record, an estimate of an event no record codes at the first claim about it."""
    for claim in rows["claims"]:
        event = origins.get(("events", claim["event_id"]))
        if event is not None:
            origins.setdefault(("claims", claim["claim_id"]), event)
    first: dict[str, Origin] = {}
    for claim in rows["claims"]:
        if ("claims", claim["claim_id"]) in origins:
            first.setdefault(claim["event_id"], origins[("claims", claim["claim_id"])])
    for est in rows["event_estimates"]:
        origin = origins.get(("events", est["event_id"]), first.get(est["event_id"]))
        if origin is not None:
            origins[("event_estimates", est["event_id"])] = origin


def build(root: Path, validate: Callable[[Path], Report] | None = None) -> BuildResult:
    """Render; check the rendered package with `validate` (default: banjska.validate.validate_package, with
    the dataset's rules); then write the files whose bytes changed, staged and swapped in (a failure leaves
    the previous package whole)."""
    result = render(root)
    if validate is None:
        from banjska.validate import validate_package as validate
    check_rendered(root, result, validate)
    clean_leftovers(root, list(result.files), tmp_dirs=(DATA,))
    try:
        result.changed = write_staged(root, result.files)
    except StagingFailed as exc:
        staged = f" (while writing it into {exc.staging.relative_to(root).as_posix()}/)" if exc.phase == "write" else ""
        kept = ("the previous data/ and datapackage.json are unchanged" if exc.restored else
                f"some files could not be put back: the previous versions are in {exc.staging}/old/")
        raise BuildError(f"could not write {exc.path}{staged}: {exc.strerror}; {kept}",
                         "Free disk space or fix the permissions, then run `make-data build` again.",
                         where=str(root / exc.path)) from None
    return result


def check_rendered(root: Path, result: BuildResult, validate: Callable[[Path], Report]) -> None:
    """Validate the rendered package in a temporary directory outside the project; on any error raise a
    BuildError located at the annotation record (and field) that produced the bad row."""
    files = dict(result.files)
    for res in json.loads(files[DESCRIPTOR])["resources"]:
        for rel in (res.get("path"), res.get("schema")):
            if isinstance(rel, str) and rel not in files and "://" not in rel:
                files[rel] = (root / rel).read_bytes()
    with tempfile.TemporaryDirectory(prefix="banjska-build-check-") as tmp:
        for rel, data in files.items():
            path = Path(tmp) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        report = validate(Path(tmp))
    if report.valid:
        return
    located = [locate(root, result, issue) for issue in report.issues]
    total = max(report.total, len(located))
    first_where, first = located[0]
    more = "; ".join(f"{w}: {m}" for w, m in located[1:SHOWN_ERRORS])
    if more:
        first += f"; and {more}"
    if total > SHOWN_ERRORS:
        first += f" (and {total - SHOWN_ERRORS} more: write the package with a valid record and run `make-data validate`)"
    raise BuildError(first, "Correct the annotation: its table's Table Schema (schemas/) and the dataset's rules "
                     "say what is valid. Nothing was written.", where=first_where)


def row_starts(data: bytes) -> list[int]:
    """The CSV line each data row starts on (the header is line 1; a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    starts, line = [], 1
    for _ in reader:
        starts.append(line)
        line = reader.line_num + 1
    return starts[1:]


def locate(root: Path, result: BuildResult, issue: Issue) -> tuple[str, str]:
    """(where, "<field>: <message>") for one validation issue: the annotation file and line of the record
    (the field's own line when the record writes it), else the CSV location the validator gives."""
    value = f"value {issue.value!r}: " if issue.value and issue.value not in issue.message else ""
    message = issue.message.rstrip().removesuffix(".")
    what = f"{issue.column}: {value}{message}" if issue.column else f"{value}{message}"
    rel = f"{DATA}/{issue.table}.csv"
    if issue.line is not None and issue.table in result.rows and rel in result.files:
        starts = row_starts(result.files[rel])
        index = max((i for i, s in enumerate(starts) if s <= issue.line), default=None)
        if index is not None:
            key = result.rows[issue.table][index].get(primary_key(root, issue.table), "")
            origin = result.origins.get((issue.table, key))
            if origin is not None:
                return origin.at(issue.column), what
    return issue.location(), what


def is_leftover(path: Path) -> bool:
    """A temp file or staging directory of a killed run: the next build removes it, --check ignores it."""
    return path.name.startswith(STAGING_PREFIX) or (path.name.startswith(".") and path.name.endswith(".tmp"))


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
                   if p.relative_to(root).as_posix() not in result.files and not is_leftover(p)) if (root / DATA).exists() else []
    differ += [f"{rel} (not produced by the build)" for rel in extra]
    return result, differ
