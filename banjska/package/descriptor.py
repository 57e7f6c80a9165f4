"""Check a package descriptor's structure: the Data Package / Table Schema rules that matter for reading
the data safely and correctly (resources, names, paths, formats, schemas: fields, types, constraints
and their value types, missingValues, keys and what they point at). Hand-written, not the official
profile (see issue: the JSON-Schema profile check replaces it).
"""

from __future__ import annotations

import re

from banjska.report import Issue

NAME = re.compile(r"^[a-z0-9._-]+$")
# Table Schema field types (v1 and v2); package/types.py parses each of them.
KNOWN_TYPES = frozenset({"string", "integer", "number", "boolean", "year", "yearmonth", "date", "time", "datetime",
                         "object", "array", "list", "geopoint", "geojson", "duration", "any"})
CONSTRAINT_TYPES = {
    "required": bool, "unique": bool, "minLength": int, "maxLength": int, "pattern": str, "enum": list,
    "minimum": (int, float, str), "maximum": (int, float, str),
    "exclusiveMinimum": (int, float, str), "exclusiveMaximum": (int, float, str),
}
DESCRIPTOR = "datapackage.json"


def _issue(table: str, message: str, hint: str = "Fix datapackage.json (or the schema file).") -> Issue:
    return Issue(table, "package-error", message, file=DESCRIPTOR, hint=hint)


def _as_list(value) -> list | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def package_issues(descriptor: dict) -> list[Issue]:
    out = []
    if "name" in descriptor and not (isinstance(descriptor["name"], str) and NAME.match(descriptor["name"])):
        out.append(_issue("", f"package name {descriptor['name']!r} must be lowercase letters, digits, '.', '_' or '-'"))
    for key in ("licenses", "sources", "contributors", "keywords"):
        if key in descriptor and not isinstance(descriptor[key], list):
            out.append(_issue("", f"'{key}' must be a list"))
    for lic in descriptor.get("licenses", []) if isinstance(descriptor.get("licenses"), list) else []:
        if not isinstance(lic, dict) or not (lic.get("name") or lic.get("path")):
            out.append(_issue("", "each licence needs a 'name' or a 'path'"))
    names = [r.get("name") for r in descriptor.get("resources", []) if isinstance(r, dict)]
    for dup in sorted({n for n in names if isinstance(n, str) and names.count(n) > 1}):
        out.append(_issue(dup, f"resource name {dup!r} is used twice"))
    for res in descriptor.get("resources", []):
        if isinstance(res, dict):
            out += resource_issues(res, set(n for n in names if isinstance(n, str)))
    return out


def resource_issues(res: dict, names: set[str]) -> list[Issue]:
    name = res.get("name") if isinstance(res.get("name"), str) else ""
    out = []
    if name and not NAME.match(name):
        out.append(_issue(name, f"resource name {name!r} must be lowercase letters, digits, '.', '_' or '-'"))
    if "path" not in res and "data" not in res:
        out.append(_issue(name, "the resource has neither 'path' nor 'data'"))
    for key in ("bytes",):
        if key in res and not (isinstance(res[key], int) and not isinstance(res[key], bool) and res[key] >= 0):
            out.append(_issue(name, f"'{key}' must be a non-negative integer"))
    if "hash" in res and not isinstance(res["hash"], str):
        out.append(_issue(name, "'hash' must be a string"))
    dialect = res.get("dialect")
    if dialect is not None and not isinstance(dialect, (dict, str)):
        out.append(_issue(name, "'dialect' must be an object"))
    if isinstance(dialect, dict):
        for key in ("delimiter", "quoteChar"):
            if key in dialect and not (isinstance(dialect[key], str) and len(dialect[key]) == 1):
                out.append(_issue(name, f"dialect '{key}' must be one character"))
    return out


def schema_issues(table: str, schema: dict, names: set[str]) -> list[Issue]:
    """Structural problems of one Table Schema (the caller has checked 'fields' is a list of named objects)."""
    out = []
    fields = [f["name"] for f in schema["fields"]]
    for dup in sorted({n for n in fields if fields.count(n) > 1}):
        out.append(_issue(table, f"field name {dup!r} is used twice"))
    mv = schema.get("missingValues", [""])
    if not (isinstance(mv, list) and all(isinstance(v, str) for v in mv)):
        out.append(_issue(table, "'missingValues' must be a list of strings"))
    for f in schema["fields"]:
        if f.get("type", "any") not in KNOWN_TYPES:
            out.append(_issue(table, f"field {f['name']!r} has unknown type {f.get('type')!r}"))
        cons = f.get("constraints", {})
        if not isinstance(cons, dict):
            out.append(_issue(table, f"field {f['name']!r}: 'constraints' must be an object"))
            continue
        for key, value in cons.items():
            want = CONSTRAINT_TYPES.get(key)
            if want is None:
                continue
            ok = not (isinstance(value, bool) and want is not bool) and isinstance(value, want)
            if key == "enum" and ok and not value:
                ok = True  # an empty enum is allowed by the profile; it rejects every value
            if not ok:
                out.append(_issue(table, f"field {f['name']!r}: constraint '{key}' has the wrong type ({value!r})"))
            if key == "pattern" and isinstance(value, str):
                try:
                    re.compile(value)
                except re.error as exc:
                    out.append(_issue(table, f"field {f['name']!r}: pattern {value!r} is not a regular expression ({exc})"))
    for key in ("primaryKey",):
        if key in schema:
            cols = _as_list(schema[key])
            if cols is None or any(c not in fields for c in cols):
                out.append(_issue(table, f"'{key}' names a field that does not exist: {schema[key]!r}"))
    for uk in schema.get("uniqueKeys", []) or []:
        cols = _as_list(uk)
        if cols is None or any(c not in fields for c in cols):
            out.append(_issue(table, f"'uniqueKeys' names a field that does not exist: {uk!r}"))
    fks = schema.get("foreignKeys", [])
    if not isinstance(fks, list):
        return out + [_issue(table, "'foreignKeys' must be a list")]
    for fk in fks:
        if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
            out.append(_issue(table, f"foreign key {fk!r} needs 'fields' and a 'reference' object"))
            continue
        cols, ref = _as_list(fk.get("fields")), fk["reference"]
        ref_cols = _as_list(ref.get("fields"))
        target = ref.get("resource") or table
        if cols is None or any(c not in fields for c in cols):
            out.append(_issue(table, f"foreign key fields {fk.get('fields')!r} are not fields of {table}"))
        elif ref_cols is None or len(ref_cols) != len(cols):
            out.append(_issue(table, f"foreign key {fk.get('fields')!r}: reference fields must match in number"))
        elif target not in names:
            out.append(_issue(table, f"foreign key {fk.get('fields')!r} points at a resource {target!r} that does not exist"))
    return out
