"""`make-data validate`: check any Frictionless data package, fast, and report every error located.

Generic Table Schema rules (types, formats, constraints, keys, foreign keys, bytes, hash, encoding,
header, row shape) apply to every package; this dataset's own rules (evidence, coverage, vocabularies,
cross-field consistency: see engine/rules.py) apply when the package is this dataset.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .engine import csvread, descriptor
from .engine.context import Context, TableData
from .engine.derive import derive_checks, derive_schema
from .engine.package import Package, open_package, unsafe_reason
from .engine.run import failing_rows, run_checks, run_schema
from .engine.types import KNOWN_TYPES, parse as parse_column
from .paths import ROOT
from .report import Issue, Report

DATASET_NAME = "banjska-2023-events"
WORKERS = max(1, min(4, os.cpu_count() or 1))
TABULAR_FORMATS = {"csv", "tsv"}


def is_tabular(res: dict) -> bool:
    return (res.get("type") == "table" or res.get("profile") == "tabular-data-resource" or "schema" in res
            or str(res.get("format", "")).lower() in TABULAR_FORMATS or str(res.get("path", "")).lower().endswith(".csv"))


def load_schema(pkg: Package, res: dict, label: str) -> dict | None:
    """Resolve a resource's Table Schema (inline or a safe relative path); record problems as issues."""
    schema = res.get("schema")
    if isinstance(schema, str):
        reason = unsafe_reason(schema)
        if reason:
            pkg.issues.append(Issue(label, "unsafe-path", f"schema path {schema!r} refused: {reason}",
                                    file="datapackage.json", hint="Use a relative path inside the package."))
            return None
        path = pkg.base / schema
        try:
            schema = json.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            pkg.issues.append(Issue(label, "schema-error", f"schema file {schema} does not exist", file=schema))
            return None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            pkg.issues.append(Issue(label, "schema-error", f"schema file {schema} is not valid JSON: {exc}", file=schema,
                                    hint="Fix the JSON syntax."))
            return None
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or \
            not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in schema["fields"]):
        pkg.issues.append(Issue(label, "schema-error", "the Table Schema has no valid 'fields' list",
                                hint="Every field needs at least a name."))
        return None
    for f in schema["fields"]:
        if f.get("type", "any") not in KNOWN_TYPES:
            pkg.issues.append(Issue(label, "schema-error", f"field {f['name']!r} has unknown type {f.get('type')!r}",
                                    column=f["name"], hint=f"Use one of {', '.join(sorted(KNOWN_TYPES))}."))
            return None
    return schema


def descriptor_issues(pkg: Package) -> list[Issue]:
    """Profile rules for the descriptor and every resolved Table Schema (no data read)."""
    names = {r["name"] for r in pkg.descriptor.get("resources", []) if isinstance(r, dict) and isinstance(r.get("name"), str)}
    issues = descriptor.package_issues(pkg.descriptor)
    for name, schema in pkg.schemas.items():
        issues += descriptor.schema_issues(name, schema, names)
    return issues


def header_issues(td: TableData) -> tuple[list[Issue], dict[str, int]]:
    """Compare the header with the schema's fields; map each field to a column where possible."""
    header, names = td.raw.header, [f["name"] for f in td.schema["fields"]]
    issues, mapping = [], {}
    seen = set()
    for i, label in enumerate(header):
        if label is None or str(label).strip() == "":
            issues.append(Issue(td.name, "blank-label", f"column {i + 1} has no header label", file=td.file, line=1))
        elif label in seen:
            issues.append(Issue(td.name, "duplicate-label", f"header label {label!r} appears twice", file=td.file, line=1,
                                column=label))
        seen.add(label)
    for i, name in enumerate(names):
        if i < len(header) and header[i] == name:
            mapping[name] = i
        elif name in header:
            mapping[name] = header.index(name)
            issues.append(Issue(td.name, "incorrect-label", f"field {name!r} is column {mapping[name] + 1}, the schema puts it at {i + 1}",
                                file=td.file, line=1, column=name, hint="Order the columns as the schema's fields."))
        else:
            issues.append(Issue(td.name, "missing-label", f"the schema's field {name!r} has no column", file=td.file, line=1,
                                column=name, hint="Add the column (the header must list the schema's fields in order)."))
    for label in header:
        if label not in names and str(label or "").strip():
            issues.append(Issue(td.name, "extra-label", f"column {label!r} is not in the schema", file=td.file, line=1,
                                column=str(label), hint="Remove the column or add the field to the schema."))
    return issues, mapping


def read_table(pkg: Package, ctx: Context, res: dict, data: bytes, file: str, dataset: bool) -> list[Issue]:
    name = res["name"]
    schema = pkg.schemas.get(name)
    issues: list[Issue] = []
    if dataset and data.startswith(b"\xef\xbb\xbf"):
        issues.append(Issue(name, "encoding-error", "the file starts with a byte-order mark", file=file, line=1,
                            hint="Save as UTF-8 without BOM (make-data build writes it so)."))
    if dataset and b"\r" in data:
        line = data.count(b"\n", 0, data.index(b"\r")) + 1
        issues.append(Issue(name, "format-error", "carriage return (CRLF or CR line end) found", file=file, line=line,
                            hint="Use LF line ends only."))
    # UTF-8 is verified in Arrow before parsing (fast; a bad byte in a ragged row would otherwise reach
    # the parser's Python callback); the slow Python decode only runs to locate a bad byte.
    body, enc_issues = csvread.decode_check(data, file, name, res.get("encoding", "utf-8"))
    if enc_issues:
        return issues + enc_issues
    if not csvread.is_utf8(body):
        return issues + csvread.utf8_issue(body, file, name)
    raw = csvread.parse(body, csvread.Dialect.from_descriptor(res.get("dialect")))
    if raw.parse_error and "UTF8" in raw.parse_error:
        return issues + (csvread.utf8_issue(body, file, name) or
                         [Issue(name, "encoding-error", raw.parse_error, file=file, hint="Save the file as UTF-8.")])
    if raw.parse_error:
        return issues + [Issue(name, "source-error", f"cannot parse the CSV: {raw.parse_error}", file=file,
                               hint="Check quoting: every opening quote needs a closing one.")]
    if schema is None:
        return issues
    td = TableData(name, file, schema, raw)
    head, mapping = header_issues(td)
    issues += head
    if raw.ragged:
        for line, cells in raw.ragged_rows():
            kind = "extra-cell" if cells > len(raw.header) else "missing-cell"
            issues.append(Issue(name, kind, f"row has {cells} cells, the header has {len(raw.header)}", file=file,
                                line=line, hint="Give every row exactly one cell per column (quote cells containing commas)."))
    if dataset and raw.table is not None and raw.table.num_rows == 0:
        issues.append(Issue(name, "blank-table", "the table has a header but no rows", file=file,
                            hint="Readers such as R's frictionless cannot read header-only tables."))
    missing_values = schema.get("missingValues", [""])
    if raw.table is not None:  # one contiguous array per column; the parser's chunks are freed for reuse
        raw.table = pa.Table.from_arrays([c.combine_chunks() for c in raw.table.columns], names=raw.table.column_names)
    for f in schema["fields"]:
        col = mapping.get(f["name"])
        if col is None or raw.table is None:
            continue
        text = raw.table.column(col).chunk(0)
        td.columns[f["name"]] = text
        # Plain text needs no parsing per distinct value; checks that need the encoding make it later.
        plain = f.get("type", "string") == "string" and f.get("format", "default") in (None, "default")
        td.parsed[f["name"]] = parse_column(text, f, f.get("missingValues", missing_values),
                                            None if plain else td.encoded(f["name"]))
    if td.parsed and td.num_rows:
        blank = None
        for p in td.parsed.values():  # stop as soon as no row can be blank
            blank = p.missing if blank is None else pc.and_(blank, p.missing)
            if not pc.any(blank).as_py():
                break
        if len(td.parsed) == len(raw.header) and pc.any(blank).as_py():
            rows = np.flatnonzero(blank.to_numpy(zero_copy_only=False))
            for line in raw.line_of(rows[:100]):
                issues.append(Issue(name, "blank-row", "the row is empty", file=file, line=int(line), hint="Delete the empty row."))
    ctx.tables[name] = td
    return issues


def locate_files(pkg: Package) -> dict[str, tuple[dict, str, Path]]:
    """Every resource file whose path is safe and exists (resolving Table Schemas on the way)."""
    files = {}
    for i, res in enumerate(pkg.descriptor["resources"]):
        if not isinstance(res, dict) or not isinstance(res.get("name"), str):
            pkg.issues.append(Issue("", "resource-error", f"resource {i + 1} has no name", file="datapackage.json"))
            continue
        name, path = res["name"], res.get("path")
        if isinstance(path, list):
            pkg.issues.append(Issue(name, "resource-error", "multipart resources are not supported", file="datapackage.json"))
            continue
        if path is None:
            continue  # inline data: descriptor-level checks only
        reason = unsafe_reason(path)
        if reason:
            pkg.issues.append(Issue(name, "unsafe-path", f"resource path {path!r} refused: {reason}", file="datapackage.json",
                                    hint="Use a relative path inside the package."))
            continue
        if is_tabular(res):
            schema = load_schema(pkg, res, name)
            if schema is not None:
                pkg.schemas[name] = schema
        target = pkg.base / path
        if not target.is_file():
            pkg.issues.append(Issue(name, "scheme-error", f"file {path} does not exist", file=path,
                                    hint="Restore the file or fix the resource path."))
            continue
        files[name] = (res, path, target)
    return files


def read_contents(pkg: Package, ctx: Context, files: dict, dataset: bool) -> None:
    """Read, hash and parse every file into ctx: tables in parallel, largest first (Arrow and hashlib
    release the GIL); issues are collected in package order so reports are deterministic."""
    found: dict[str, list[Issue]] = {name: [] for name in files}
    hashes: dict[str, object] = {}

    def load(name: str, hasher: ThreadPoolExecutor) -> None:
        res, path, target = files[name]
        data = target.read_bytes()
        hashes[name] = hasher.submit(csvread.check_bytes, data, res, path, name)
        if not is_tabular(res):
            try:
                ctx.texts[name] = data.decode(res.get("encoding", "utf-8"))
            except (UnicodeDecodeError, LookupError):
                found[name].append(Issue(name, "encoding-error", "the text is not valid in its declared encoding", file=path))
        elif not data:
            found[name].append(Issue(name, "source-error", "the file is empty", file=path, hint="Rebuild the package."))
        else:
            found[name] += read_table(pkg, ctx, res, data, path, dataset)

    largest_first = sorted(files, key=lambda name: -files[name][2].stat().st_size)
    with ThreadPoolExecutor(max_workers=1) as hasher, ThreadPoolExecutor(max_workers=WORKERS) as readers:
        jobs = [readers.submit(load, name, hasher) for name in largest_first]
        for job in jobs:
            job.result()
    ctx.tables = {name: ctx.tables[name] for name in files if name in ctx.tables}  # package order
    for name in files:
        pkg.issues.extend(found[name])
    for name in files:
        if name in hashes:
            pkg.issues.extend(hashes[name].result())


def check_tables(ctx: Context, order: list[str], extra: dict, engine: str, max_errors: int, report: Report) -> int:
    """Run every table's derived checks; append issues in package order; return the total.

    All checks are derived before any runs, so every reference to a key is registered in time to be
    encoded with it (engine/keys.py). The arrow engine runs single checks in parallel, the biggest
    tables' first; the pandera engine validates one table per task.
    """
    total = 0
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        if engine == "pandera":
            derived = {name: derive_schema(ctx, ctx.tables[name], extra.get(name)) for name in order}
            jobs = {name: pool.submit(run_schema, ctx.tables[name], derived[name], max_errors) for name in order}
            results = {name: jobs[name].result() for name in order}
        else:
            derived = {name: derive_checks(ctx, ctx.tables[name], extra.get(name)) for name in order}
            # Key domains first, biggest first, each a task of its own: checks that need one wait for it.
            for key in sorted(ctx.keys.keys(), key=lambda k: -ctx.tables[k.table].num_rows if k.table in ctx.tables else 0):
                pool.submit(ctx.keys.domain, ctx, key)
            futures = {}
            for name in sorted(order, key=lambda t: -ctx.tables[t].num_rows):
                futures[name] = {id(c): pool.submit(failing_rows, c, ctx.tables[name].num_rows)
                                 for cs in derived[name].values() for c in cs}
            # Issues are assembled per table in the pool too (locating lines scans the file); these
            # tasks queue behind every check, so one never waits for a check that has not started.
            assembled = {name: pool.submit(run_checks, ctx.tables[name], derived[name], max_errors,
                                           lambda c, n, f=futures[name]: f[id(c)]) for name in order}
            results = {name: assembled[name].result() for name in order}
    for name in order:  # results in package order, so reports are deterministic
        found, count = results[name]
        report.issues += found[: max(0, max_errors - len(report.issues))]
        total += count
        report.checked[name] = ctx.tables[name].num_rows
    return total


def collect(pkg: Package, max_errors: int, dataset_rules: bool | None, engine: str = "arrow") -> Report:
    report = Report(package=pkg.label)
    if not isinstance(pkg.descriptor.get("resources"), list) or not pkg.descriptor["resources"]:
        report.issues.append(Issue("", "package-error", "the descriptor has no 'resources' list", file="datapackage.json"))
        return report
    dataset = pkg.descriptor.get("name") == DATASET_NAME if dataset_rules is None else dataset_rules
    ctx = Context(descriptor=pkg.descriptor)
    files = locate_files(pkg)
    pkg.issues.extend(descriptor_issues(pkg))
    read_contents(pkg, ctx, files, dataset)
    report.issues = list(pkg.issues)
    extra = {}
    if dataset:
        from .engine.rules import dataset_checks

        extra, table_issues = dataset_checks(ctx)
        report.issues += table_issues
    found = len(report.issues)
    order = [name for name in files if name in ctx.tables and ctx.tables[name].parsed]
    total = found + check_tables(ctx, order, extra, engine, max_errors, report)
    report.issues = report.issues[:max_errors]
    report.total = max(total, len(report.issues))
    report.truncated = report.total > len(report.issues)
    return report


def validate_package(target: str | Path | None = None, max_errors: int = 1000, dataset_rules: bool | None = None,
                     engine: str = "arrow") -> Report:
    """Validate a package directory, datapackage.json or release zip (default: this repository's package).

    engine "arrow" evaluates the derived checks directly; "pandera" runs the same checks through the
    derived Pandera schemas. Both report the same issues; "arrow" avoids importing pandas and Pandera.
    """
    with open_package(target or ROOT) as pkg:
        return collect(pkg, max_errors, dataset_rules, engine)
