"""Derive the arrow engine's checks from a Frictionless Table Schema (the single source of truth).

Nothing is copied by hand: types, formats, missingValues, required, unique, enum, pattern, length,
range, primaryKey, uniqueKeys and foreignKeys (self-references included) all come from the Table Schema
and become vectorised checks (see checks.py). `extra` adds dataset-specific rules to named columns.
`derive_checks` is what the arrow runner evaluates. The Pandera translation of the same Table Schema is
written independently, in frames.py (`make-data validate --engine pandera`).
"""

from __future__ import annotations

import banjska.validate.checks as C
from banjska.validate.context import Context, TableData


def column_checks(ctx: Context, td: TableData, field: dict) -> list[C.Check]:
    name, cons = field["name"], field.get("constraints", {}) or {}
    plain = field.get("type", "any") in ("string", "any") and field.get("format") in (None, "default")
    out = [] if plain else [C.type_check(td, name)]  # any text is a valid plain string
    if cons.get("required"):
        out.append(C.required_check(td, name))
    if "enum" in cons and isinstance(cons["enum"], list):
        out.append(C.enum_check(td, name, cons["enum"]))
    if isinstance(cons.get("pattern"), str):
        out.append(C.pattern_check(td, name, cons["pattern"]))
    if "minLength" in cons or "maxLength" in cons:
        out.append(C.length_check(td, name, cons.get("minLength"), cons.get("maxLength")))
    bounds = {k: cons[k] for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") if k in cons}
    if bounds:
        out.append(C.range_check(td, name, bounds))
    if cons.get("unique"):
        out.append(C.unique_check(ctx, td, name))
    return out


def as_list(value) -> list[str]:
    return value if isinstance(value, list) else [value] if isinstance(value, str) else []


def derive_checks(ctx: Context, td: TableData, extra: dict[str, list[C.Check]] | None = None) -> dict[str, list[C.Check]]:
    """Checks per field (fields present in the file, in schema order; fields without checks omitted)."""
    schema = td.schema
    checks = {f["name"]: column_checks(ctx, td, f) for f in schema["fields"] if f["name"] in td.parsed}
    pk = as_list(schema.get("primaryKey"))
    if pk and all(f in td.parsed for f in pk):
        checks[pk[0]].append(C.primary_key_check(ctx, td, pk))
    for uk in schema.get("uniqueKeys", []) or []:
        uk = as_list(uk)
        if uk and all(f in td.parsed for f in uk):
            checks[uk[0]].append(C.unique_key_check(td, uk))
    for fk in schema.get("foreignKeys", []) or []:
        fields = as_list(fk.get("fields"))
        if fields and all(f in td.parsed for f in fields):
            checks[fields[0]].append(C.foreign_key_check(ctx, td, fk))
    for name, more in (extra or {}).items():
        if name in checks:
            checks[name].extend(more)
    return {f["name"]: checks[f["name"]] for f in schema["fields"] if f["name"] in td.parsed and checks[f["name"]]}
