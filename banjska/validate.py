"""`make-data validate`: check any Frictionless data package, fast, and report every error located.

Generic Table Schema rules (types, formats, constraints, keys, foreign keys, bytes, hash, encoding,
header, row shape) apply to every package; this dataset's own rules (evidence, coverage, vocabularies,
cross-field consistency: see engine/rules.py) apply when the package is this dataset.
"""

from __future__ import annotations

import json
from pathlib import Path

from .engine import descriptor
from .engine.descriptor import KNOWN_TYPES, is_tabular
from .engine.package import Package, open_package, unsafe_reason
from .engine.prefetch import Prefetch
from .paths import ROOT
from .report import Issue, Report

DATASET_NAME = "banjska-2023-events"


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


def collect(pkg: Package, max_errors: int, dataset_rules: bool | None, engine: str = "arrow", lean: bool = False) -> Report:
    """Validate an opened package: descriptor, files (bytes, hash), tables (parse, types), checks.

    `lean`: the caller's process ends after this report (the console script), so pyarrow may be kept
    from importing pandas (engine/lean.py); this happens after the files start being read, since it
    imports pyarrow.
    """
    report = Report(package=pkg.label)
    if not isinstance(pkg.descriptor.get("resources"), list) or not pkg.descriptor["resources"]:
        report.issues.append(Issue("", "package-error", "the descriptor has no 'resources' list", file="datapackage.json"))
        return report
    dataset = pkg.descriptor.get("name") == DATASET_NAME if dataset_rules is None else dataset_rules
    files = locate_files(pkg)
    prefetch = Prefetch(files)  # reading and hashing start now, and overlap with the imports below
    pkg.issues.extend(descriptor_issues(pkg))
    if lean and engine == "arrow":
        from .engine.lean import skip_pandas

        skip_pandas()
    from .engine.context import Context
    from .engine.pipeline import check_tables, read_contents

    ctx = Context(descriptor=pkg.descriptor)
    read_contents(pkg, ctx, files, dataset, prefetch)
    report.issues = list(pkg.issues)
    hashed_at = len(report.issues)  # where size and hash issues go once hashing is done (after the checks start)
    extra = {}
    if dataset:
        from .engine.rules import dataset_checks

        extra, table_issues = dataset_checks(ctx)
        report.issues += table_issues
    found = len(report.issues)
    order = [name for name in files if name in ctx.tables and ctx.tables[name].parsed]
    total = found + check_tables(ctx, order, extra, engine, max_errors, report)
    hashed = [issue for name in files for issue in prefetch.checked(name)]
    report.issues[hashed_at:hashed_at] = hashed
    total += len(hashed)
    report.issues = report.issues[:max_errors]
    report.total = max(total, len(report.issues))
    report.truncated = report.total > len(report.issues)
    return report


def validate_package(target: str | Path | None = None, max_errors: int = 1000, dataset_rules: bool | None = None,
                     engine: str = "arrow", lean: bool = False) -> Report:
    """Validate a package directory, datapackage.json or release zip (default: this repository's package).

    engine "arrow" evaluates the derived checks directly; "pandera" runs the same checks through the
    derived Pandera schemas. Both report the same issues; "arrow" avoids importing pandas and Pandera.
    `lean=True` only for a process that ends after this report (see `collect`).
    """
    with open_package(target or ROOT) as pkg:
        return collect(pkg, max_errors, dataset_rules, engine, lean)
