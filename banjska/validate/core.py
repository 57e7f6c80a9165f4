"""`make-data validate`: check any Frictionless data package, fast, and report every error located.

Generic Table Schema rules (types, formats, constraints, keys, foreign keys, bytes, hash, encoding,
header, row shape) apply to every package; a dataset's own rules (validate/rules.py) apply to the
packages it registered them for.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import banjska.package.descriptor as descriptor
from banjska.package.descriptor import KNOWN_TYPES
from banjska.package.reader import FileRefused, Package, is_tabular, open_package
from banjska.report import Issue, Report
from banjska.validate.budget import Budget
from banjska.validate.prefetch import Prefetch, file_size
from banjska.validate.rules import RuleSet, needs_whole, registered, ruleset_for


def resolve_schema(pkg: Package, res: dict) -> dict | None:
    """The resource's Table Schema if it is usable (the reader records why not), with known field types."""
    schema = pkg.schema(res)
    if schema is None:
        return None
    for f in schema["fields"]:
        if f.get("type", "any") not in KNOWN_TYPES:
            pkg.issues.append(Issue(res["name"], "schema-error", f"field {f['name']!r} has unknown type {f.get('type')!r}",
                                    column=f["name"], hint=f"Use one of {', '.join(sorted(KNOWN_TYPES))}."))
            return None
    return schema


def descriptor_issues(pkg: Package, schemas: dict[str, dict]) -> list[Issue]:
    """The official profile for the descriptor and every resolved Table Schema, then the rules a JSON Schema
    cannot express (no data read)."""
    names = {r["name"] for r in pkg.resources()}
    issues = descriptor.profile_issues(pkg.descriptor, schemas)
    issues += descriptor.package_issues(pkg.descriptor)
    for name, schema in schemas.items():
        file, at = descriptor.schema_location(pkg.descriptor, name)
        issues += descriptor.schema_issues(name, schema, names, file, at)
    return issues


def locate_files(pkg: Package, schemas: dict[str, dict]) -> dict[str, tuple[dict, str]]:
    """Every resource file the package may read (resolving Table Schemas on the way): name -> (resource, path)."""
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
        try:
            pkg.source.size(path)
        except FileRefused as exc:
            pkg.issues.append(Issue(name, exc.rule, exc.message, file="datapackage.json" if exc.rule == "unsafe-path"
                                    else str(path), hint=exc.hint))
            continue
        if is_tabular(res):
            schema = resolve_schema(pkg, res)
            if schema is not None:
                schemas[name] = schema
        files[name] = (res, path)
    return files


def collect(pkg: Package, max_errors: int, rules: RuleSet | str | None = "auto", engine: str = "arrow",
            on_reading: Callable[[], object] | None = None, budget: Budget | None = None) -> Report:
    """Validate an opened package: descriptor, files (bytes, hash), tables (parse, types), checks.

    `on_reading` is called once the files are being read in the background (the console script uses it
    to keep pyarrow from importing pandas: cli/console.py). Tables larger than the budget allows are
    validated in batches (validate/stream.py), by the arrow engine only.
    """
    budget = budget or Budget.default()
    report = Report(package=pkg.label)
    if not isinstance(pkg.descriptor.get("resources"), list) or not pkg.descriptor["resources"]:
        report.issues.append(Issue("", "package-error", "the descriptor has no 'resources' list", file="datapackage.json"))
        return report
    schemas: dict[str, dict] = {}
    files = locate_files(pkg, schemas)
    large = {name for name, (res, path) in files.items()
             if engine == "arrow" and name in schemas and budget.streams(res, file_size(pkg.source, path))}
    # A dataset's rules read their tables whole, whatever their size: with a rule set registered for this
    # package, large tables are read here too, until the rule set says which ones it does not need.
    named = isinstance(rules, RuleSet) or (rules == "auto" and registered(pkg.descriptor))
    # reading and hashing start now, and overlap with the imports below
    prefetch = Prefetch(pkg.source, {name: f for name, f in files.items() if name not in large or named})
    found = descriptor_issues(pkg, schemas)
    pkg.issues.extend(found)
    # A table whose descriptor or Table Schema is wrong is not read: its rules cannot be trusted.
    for name in {i.table for i in found if i.table in files and is_tabular(files[i.table][0])}:
        schemas.pop(name, None)
        files[name] = (files[name][0], None)
        large.discard(name)
    # A registered rule set imports pyarrow: only once the files are being read.
    ruleset = ruleset_for(pkg.descriptor) if rules == "auto" else rules if isinstance(rules, RuleSet) else None
    report.rules = ruleset.name if ruleset is not None else None
    if on_reading is not None:
        on_reading()
    from banjska.validate.context import Context
    from banjska.validate.pipeline import check_tables, read_contents

    ctx = Context(descriptor=pkg.descriptor)
    streamed = {name: files[name] for name in files if name in large - needs_whole(ruleset)}
    prefetch.drop(set(streamed))
    read_contents(pkg, ctx, {n: f for n, f in files.items() if n not in streamed}, schemas, ruleset, prefetch)
    found_streamed, total_streamed = {}, 0
    if streamed:
        from banjska.validate.stream import stream_tables

        found_streamed, total_streamed = stream_tables(pkg, ctx, streamed, schemas, ruleset, budget, max_errors)
        report.batched = list(streamed)
    report.issues = list(pkg.issues)
    report.count(report.issues)
    hashed_at = len(report.issues)  # where size and hash issues go once hashing is done (after the checks start)
    extra = {}
    if ruleset is not None:
        from banjska.validate.rules import rule_checks

        extra, table_issues = rule_checks(ruleset, ctx)
        report.issues += table_issues
        report.count(table_issues)
    found = len(report.issues)
    order = [name for name in files if name in ctx.tables and ctx.tables[name].parsed]
    total = found + check_tables(ctx, order, extra, engine, max_errors, report, ruleset)
    for name, (issues, counts) in found_streamed.items():  # read, checked, sized and hashed in one pass each
        report.issues += issues[: max(0, max_errors - len(report.issues))]
        report.add_counts(name, counts)
        if name in ctx.streamed and ctx.streamed[name].parsed:
            report.checked[name] = ctx.streamed[name].rows
    total += total_streamed
    hashed = [issue for name in files if name not in streamed for issue in prefetch.checked(name)]
    report.issues[hashed_at:hashed_at] = hashed
    report.count(hashed)
    total += len(hashed)
    report.issues = report.issues[:max_errors]
    report.total = max(total, len(report.issues))
    report.truncated = report.total > len(report.issues)
    return report


def validate_package(target: str | Path, max_errors: int = 1000, rules: RuleSet | str | None = "auto",
                     engine: str = "arrow", on_reading: Callable[[], object] | None = None,
                     budget: Budget | None = None) -> Report:
    """Validate a package directory, datapackage.json or zip.

    engine "arrow" evaluates the derived checks directly; "pandera" runs the same checks through the
    derived Pandera schemas. `rules`: "auto" applies the rules a dataset registered for the package's
    name (validate/rules.py), None none, a RuleSet that one. `budget` bounds memory (validate/budget.py).
    """
    with open_package(target) as pkg:
        return collect(pkg, max_errors, rules, engine, on_reading, budget)

