"""Compare two versions of the data package and say which version bump the changes need.

Why this module exists: the version rules (Frictionless "Data Package Version" recipe) are only
enforceable if the changes between two packages are computed, not remembered. A package is read from a
directory, a datapackage.json or a release zip; tables are compared row by row, matched by primary key.

How each change is classified (the largest one decides the bump):

* major: package renamed; a table or resource removed; a field added, removed, renamed or reordered;
  a field's type or format changed; a constraint tightened (or changed in a way that is not clearly a
  loosening); primary key, foreign keys added, missingValues or the CSV dialect/path changed; rows removed
  from a table that a foreign key references; the contents of a non-tabular resource (the article,
  which every evidence offset points into) changed.
* minor: rows added; a table or resource added; a constraint loosened; a foreign key removed.
* patch: existing rows corrected (values changed); rows removed from a table nothing references;
  descriptive metadata (titles, descriptions, keywords, `created`, ...) changed.
* The `version` property itself is reported but never counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from banjska.consume.load import require_valid
from banjska.errors import InputError
from banjska.package.reader import Package as ReadPackage
from banjska.package.reader import is_tabular, open_package
from banjska.package.tables import read_text_table
from banjska.release.versioning import SUMS, Version, highest, last_release, rank, release_zip, verify_sums

# --------------------------------------------------------------------------------------------- reading

@dataclass
class Table:
    name: str
    schema: dict
    key: list[str]
    rows: dict[tuple, dict[str, str]]
    header: list[str]


@dataclass
class Package:
    label: str
    descriptor: dict
    tables: dict[str, Table]
    blobs: dict[str, str]  # non-tabular resource name -> content hash

    @property
    def version(self) -> str:
        return str(self.descriptor.get("version", ""))

    @property
    def name(self) -> str:
        return str(self.descriptor.get("name", ""))


def _rows(package: ReadPackage, res: dict, schema: dict) -> tuple[list[str], list[str], dict[tuple, dict[str, str]]]:
    """(primary key, header, rows by key) of one table, as text cells."""
    key = schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else list(key)
    header = [f["name"] for f in schema["fields"]]
    table = read_text_table(package, res, schema)
    columns = {name: table.column(name).to_pylist() for name in header}
    rows: dict[tuple, dict[str, str]] = {}
    for i in range(table.num_rows):  # without a primary key a row is matched by all of its values
        row = {h: columns[h][i] for h in header}
        rows[tuple(row[k] for k in (key or header))] = row
    return key, header, rows


def load_package(target: str | Path, validate: bool = True) -> Package:
    """Read a package (directory, datapackage.json, zip or a release folder of dist/) into memory.

    A release's SHA256SUMS (beside its zip) is verified when present; the package is validated first
    unless `validate=False`.
    """
    path = release_zip(Path(target))
    if path.suffix.lower() == ".zip" and (path.parent / SUMS).is_file():
        verify_sums(path.parent)
    if validate:
        require_valid(path)
    with open_package(path) as package:
        tables, blobs = {}, {}
        for res in package.resources():
            if not is_tabular(res):
                blobs[res["name"]] = str(res.get("hash", ""))
                continue
            schema = package.schema(res)
            if schema is None:
                raise InputError(f"resource {res['name']} has no readable Table Schema", where=package.label)
            key, header, rows = _rows(package, res, schema)
            tables[res["name"]] = Table(res["name"], schema, key, rows, header)
        return Package(package.label, package.descriptor, tables, blobs)


def resolve(arg: str, project: Callable[[], Path]) -> Path:
    """A diff argument as a path: `current` is the project's package, `last` its highest release in dist/."""
    if arg == "current":
        return project()
    if arg == "last":
        root = project()
        from banjska.build.descriptor import load_metadata

        found = last_release(root, load_metadata(root)["name"])
        if not found:
            raise InputError(f"there is no release in {root / 'dist'} yet", "Pass OLD as a path.")
        return found[1]
    return Path(arg)


# ------------------------------------------------------------------------------------------- comparing

@dataclass
class Change:
    """One difference, with the bump it needs and a one-line reason."""

    scope: str  # "package", a resource name, or "<table>.<field>"
    what: str
    bump: str

    def as_dict(self) -> dict:
        return {"scope": self.scope, "what": self.what, "bump": self.bump}


@dataclass
class TableDiff:
    name: str
    rows_old: int
    rows_new: int
    key: list[str]
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)  # {"key": str, "fields": {name: {"old", "new"}}}
    schema: list[Change] = field(default_factory=list)
    referenced: bool = False

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.schema)

    def data_changes(self) -> list[Change]:
        out = []
        if self.added:
            out.append(Change(self.name, f"{len(self.added)} row(s) added", "minor"))
        if self.removed:
            level, why = ("major", "referenced by a foreign key") if self.referenced else ("patch", "not referenced")
            out.append(Change(self.name, f"{len(self.removed)} row(s) removed ({why})", level))
        if self.changed:
            out.append(Change(self.name, f"{len(self.changed)} row(s) corrected", "patch"))
        return out

    def as_dict(self) -> dict:
        return {"rows_old": self.rows_old, "rows_new": self.rows_new, "primary_key": self.key,
                "added": self.added, "removed": self.removed, "changed": self.changed,
                "schema": [c.as_dict() for c in self.schema],
                "bump": highest(c.bump for c in self.schema + self.data_changes())}


@dataclass
class Diff:
    old: Package
    new: Package
    package: list[Change] = field(default_factory=list)
    resources: list[Change] = field(default_factory=list)
    tables: dict[str, TableDiff] = field(default_factory=dict)

    def changes(self) -> list[Change]:
        out = list(self.package) + list(self.resources)
        for t in self.tables.values():
            out += t.schema + t.data_changes()
        return out

    @property
    def bump(self) -> str:
        return highest(c.bump for c in self.changes())

    def reasons(self) -> list[str]:
        changes = sorted((c for c in self.changes() if c.bump != "none"), key=lambda c: -rank(c.bump))
        return [f"{c.scope}: {c.what} [{c.bump}]" for c in changes]

    def smallest_version(self) -> str:
        try:
            old = Version.parse(self.old.version)
        except InputError:
            return ""
        return str(old.bumped(self.bump)) if self.bump != "none" else str(old)

    def as_dict(self) -> dict:
        return {
            "old": {"package": self.old.label, "name": self.old.name, "version": self.old.version},
            "new": {"package": self.new.label, "name": self.new.name, "version": self.new.version},
            "bump": self.bump,
            "smallest_version": self.smallest_version(),
            "package_changes": [c.as_dict() for c in self.package],
            "resource_changes": [c.as_dict() for c in self.resources],
            "tables": {n: t.as_dict() for n, t in self.tables.items() if not t.empty},
            "unchanged_tables": [n for n, t in self.tables.items() if t.empty],
            "reasons": self.reasons(),
            "changelog": changelog_entry(self),
        }


def _key_text(ident: tuple) -> str:
    return "|".join(str(p) for p in ident)


def _referenced(pkg: Package) -> set[str]:
    """Tables that some foreign key points at (a reference without a resource is a self-reference)."""
    out = set()
    for name, table in pkg.tables.items():
        for fk in table.schema.get("foreignKeys") or []:
            target = (fk.get("reference") or {}).get("resource") or name
            out.add(target)
    return out


_LOWER = ("minimum", "minLength", "exclusiveMinimum", "minItems")   # raising it tightens
_UPPER = ("maximum", "maxLength", "exclusiveMaximum", "maxItems")   # lowering it tightens
_FLAGS = ("required", "unique")                                     # false -> true tightens


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def constraint_changes(scope: str, old: dict, new: dict) -> list[Change]:
    """Classify each constraint difference as tightened (major) or loosened (minor)."""
    out = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        desc = f"constraint {key} {json.dumps(a)} -> {json.dumps(b)}"
        if key in _FLAGS:
            tighter = bool(b) and not bool(a)
        elif a is None:
            tighter = True  # a new constraint can only reject more values
        elif b is None:
            tighter = False
        elif key in _LOWER + _UPPER and _number(a) is not None and _number(b) is not None:
            tighter = (_number(b) > _number(a)) if key in _LOWER else (_number(b) < _number(a))
        elif key == "enum" and isinstance(a, list) and isinstance(b, list) and set(b) >= set(a):
            tighter = False
        else:
            tighter = True  # pattern changed, enum narrowed or reshuffled, unknown: assume it rejects more
        out.append(Change(scope, desc + (" (tightened)" if tighter else " (loosened)"), "major" if tighter else "minor"))
    return out


_FIELD_STRUCTURAL = ("type", "format")


def schema_changes(table: str, old: dict, new: dict) -> list[Change]:
    out: list[Change] = []
    of = {f["name"]: f for f in old.get("fields", [])}
    nf = {f["name"]: f for f in new.get("fields", [])}
    for name in of:
        if name not in nf:
            out.append(Change(f"{table}.{name}", "field removed (or renamed)", "major"))
    for name in nf:
        if name not in of:
            out.append(Change(f"{table}.{name}", "field added (or renamed)", "major"))
    common_old = [n for n in of if n in nf]
    common_new = [n for n in nf if n in of]
    if common_old != common_new:
        out.append(Change(table, "fields reordered: " + ", ".join(common_new), "major"))
    for name in common_new:
        a, b = of[name], nf[name]
        for prop in _FIELD_STRUCTURAL:
            if a.get(prop) != b.get(prop):
                out.append(Change(f"{table}.{name}", f"{prop} {a.get(prop)!r} -> {b.get(prop)!r}", "major"))
        out += constraint_changes(f"{table}.{name}", a.get("constraints") or {}, b.get("constraints") or {})
        described = sorted(p for p in set(a) | set(b)
                           if p not in _FIELD_STRUCTURAL + ("name", "constraints") and a.get(p) != b.get(p))
        if described:
            out.append(Change(f"{table}.{name}", "descriptive properties changed: " + ", ".join(described), "patch"))
    for prop, level in (("primaryKey", "major"), ("missingValues", "major")):
        if old.get(prop) != new.get(prop):
            out.append(Change(table, f"{prop} {json.dumps(old.get(prop))} -> {json.dumps(new.get(prop))}", level))
    ofk = [json.dumps(fk, sort_keys=True) for fk in old.get("foreignKeys") or []]
    nfk = [json.dumps(fk, sort_keys=True) for fk in new.get("foreignKeys") or []]
    for fk in nfk:
        if fk not in ofk:
            out.append(Change(table, f"foreign key added {fk}", "major"))
    for fk in ofk:
        if fk not in nfk:
            out.append(Change(table, f"foreign key removed {fk}", "minor"))
    rest = sorted(p for p in set(old) | set(new)
                  if p not in ("fields", "primaryKey", "missingValues", "foreignKeys") and old.get(p) != new.get(p))
    if rest:
        out.append(Change(table, "schema properties changed: " + ", ".join(rest), "patch"))
    return out


# Resource properties that change how a reader finds or parses the data (anything else is descriptive;
# bytes/hash follow the content and are judged through the rows).
_RESOURCE_STRUCTURAL = ("path", "format", "mediatype", "encoding", "dialect", "type", "profile")


def _resource_changes(old: dict, new: dict, table_names: set[str]) -> list[Change]:
    out = []
    name = new.get("name", "")
    for prop in sorted(set(old) | set(new)):
        if prop in ("name", "schema", "bytes", "hash") or old.get(prop) == new.get(prop):
            continue
        level = "major" if prop in _RESOURCE_STRUCTURAL else "patch"
        out.append(Change(name, f"resource property {prop} changed", level))
    if name not in table_names and old.get("hash") != new.get("hash"):
        out.append(Change(name, "contents changed (evidence offsets point into it)", "major"))
    return out


def diff_packages(old: Package, new: Package) -> Diff:
    d = Diff(old, new)
    # package-level properties
    for prop in sorted(set(old.descriptor) | set(new.descriptor)):
        if prop == "resources" or old.descriptor.get(prop) == new.descriptor.get(prop):
            continue
        a, b = old.descriptor.get(prop), new.descriptor.get(prop)
        if prop in ("version", "created"):  # the release's own stamps: reported, never a reason to release
            d.package.append(Change("package", f"{prop} {a} -> {b}", "none"))
        elif prop == "name":
            d.package.append(Change("package", f"name {a!r} -> {b!r}", "major"))
        else:
            d.package.append(Change("package", f"{prop} changed", "patch"))
    # resources
    ores = {r.get("name"): r for r in old.descriptor["resources"]}
    nres = {r.get("name"): r for r in new.descriptor["resources"]}
    for name in ores:
        if name not in nres:
            d.resources.append(Change(name, "resource removed", "major"))
    for name in nres:
        if name not in ores:
            d.resources.append(Change(name, "resource added", "minor"))
    tables = set(old.tables) & set(new.tables)
    for name in nres:
        if name in ores:
            d.resources += _resource_changes(ores[name], nres[name], tables)
    referenced = _referenced(old)
    for name in [n for n in nres if n in tables]:
        a, b = old.tables[name], new.tables[name]
        td = TableDiff(name, len(a.rows), len(b.rows), b.key, referenced=name in referenced)
        td.schema = schema_changes(name, a.schema, b.schema)
        common = [h for h in b.header if h in a.header]
        if a.key == b.key:
            for ident, row in b.rows.items():
                if ident not in a.rows:
                    td.added.append(_key_text(ident))
                else:
                    old_row = a.rows[ident]
                    fields = {h: {"old": old_row[h], "new": row[h]} for h in common if old_row[h] != row[h]}
                    if fields:
                        td.changed.append({"key": _key_text(ident), "fields": fields})
            td.removed = [_key_text(i) for i in a.rows if i not in b.rows]
        d.tables[name] = td
    return d


def diff(old: str | Path, new: str | Path, validate: bool = True) -> Diff:
    """Compare two packages (each validated first unless `validate=False`)."""
    return diff_packages(load_package(old, validate), load_package(new, validate))


# ------------------------------------------------------------------------------------------- rendering

def render_text(d: Diff) -> str:
    out = [f"old: {d.old.label} ({d.old.name} {d.old.version})",
           f"new: {d.new.label} ({d.new.name} {d.new.version})"]
    bump = d.bump
    if bump == "none":
        out.append("implied bump: none (no data, schema or metadata changes)")
    else:
        out.append(f"implied bump: {bump} (smallest allowed version after {d.old.version}: {d.smallest_version()})")
    for c in d.package + d.resources:
        out.append(f"{c.scope}: {c.what} [{c.bump}]")
    for name, t in d.tables.items():
        if t.empty:
            continue
        out.append(f"\ntable {name}: {len(t.added)} added, {len(t.removed)} removed, {len(t.changed)} changed "
                   f"({t.rows_old} -> {t.rows_new} rows) [{t.as_dict()['bump']}]")
        for c in t.schema:
            out.append(f"  schema {c.scope}: {c.what} [{c.bump}]")
        out += [f"  + {k}" for k in t.added]
        out += [f"  - {k}" for k in t.removed]
        for ch in t.changed:
            fields = ", ".join(f"{f} {v['old']!r} -> {v['new']!r}" for f, v in ch["fields"].items())
            out.append(f"  ~ {ch['key']}: {fields}")
    unchanged = [n for n, t in d.tables.items() if t.empty]
    if unchanged:
        out.append(f"\nunchanged tables: {', '.join(unchanged)}")
    return "\n".join(out)


def changelog_entry(d: Diff) -> str:
    """A Keep a Changelog entry drafted from the diff (edit the wording, keep the facts)."""
    try:
        newer = Version.parse(d.new.version) > Version.parse(d.old.version)
    except InputError:
        newer = False
    date = str(d.new.descriptor.get("created", ""))[:10] or "YYYY-MM-DD"
    head = f"## [{d.new.version}] - {date}" if newer else "## [Unreleased]"
    sections: dict[str, list[str]] = {"Added": [], "Changed": [], "Removed": [], "Fixed": []}
    for c in d.resources:
        if c.what == "resource added":
            sections["Added"].append(f"Resource `{c.scope}`.")
        elif c.what == "resource removed":
            sections["Removed"].append(f"**Breaking:** resource `{c.scope}`.")
        else:
            sections["Changed"].append(f"{'**Breaking:** ' if c.bump == 'major' else ''}`{c.scope}`: {c.what}.")
    for name, t in d.tables.items():
        if t.added:
            sections["Added"].append(f"`{name}`: {len(t.added)} row(s): {', '.join(t.added)}.")
        if t.removed:
            breaking = "**Breaking:** " if t.referenced else ""
            sections["Removed"].append(f"{breaking}`{name}`: {len(t.removed)} row(s): {', '.join(t.removed)}.")
        for ch in t.changed:
            sections["Fixed"].append(f"`{name}` {ch['key']}: {', '.join(ch['fields'])} corrected.")
        for c in t.schema:
            sections["Changed"].append(f"{'**Breaking:** ' if c.bump == 'major' else ''}schema `{c.scope}`: {c.what}.")
    for c in d.package:
        if c.bump != "none":
            sections["Changed"].append(f"Package metadata: {c.what}.")
    lines = [head]
    for title, items in sections.items():
        if items:
            lines += ["", f"### {title}", ""] + [f"- {i}" for i in items]
    if len(lines) == 1:
        lines += ["", "No changes to data, schemas or metadata."]
    return "\n".join(lines) + "\n"
