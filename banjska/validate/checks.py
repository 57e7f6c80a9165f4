"""Table Schema constraints as vectorised checks, each convertible to a `pandera.Check`.

Each factory returns a `Check`: a rule name (frictionless-compatible), an error text (the first line of
the factory's docstring, so every failure reads the same in every report), a hint, and a function over
whole Arrow columns returning a boolean mask. derive.py turns them into a Pandera DataFrameSchema; the
arrow runner (run.py) evaluates the very same functions without importing pandas or Pandera.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import banjska.validate.keys as keys
from banjska.package.types import parse as parse_cells
from banjska.validate.context import Context, TableData, key_column


@dataclass(frozen=True)
class Check:
    """One vectorised rule: `fn()` returns True (all rows pass) or a boolean mask over the table's rows."""

    name: str
    error: str
    description: str
    fn: Callable[[], np.ndarray | bool]
    # What a key check compares across rows, for the streaming engine (validate/stream.py), which checks keys
    # with hashes instead of calling `fn`: ("unique" | "primary", fields) or ("foreign", fields, parent, ref_fields).
    key: tuple = ()

    def mask(self, n: int) -> np.ndarray:
        ok = self.fn()
        if isinstance(ok, (bool, np.bool_)):
            return np.full(n, bool(ok))
        return np.asarray(ok, dtype=bool)


def _np(mask: pa.Array) -> np.ndarray:
    return pc.fill_null(mask, True).to_numpy(zero_copy_only=False)


def make_check(rule: str, doc_of: Callable, fn: Callable[[], np.ndarray | bool], hint: str = "",
               key: tuple = ()) -> Check:
    """Name an Arrow-level test; its error text is the first line of `doc_of`'s docstring."""
    message = (doc_of.__doc__ or rule).strip().splitlines()[0]
    return Check(rule, message, hint or message, fn, key)


def logical(field: dict) -> dict:
    """The field without its text-form options (decimalChar, groupChar, bareNumber, trueValues, ...):
    constraint values in a descriptor are logical JSON values, not cells written in the field's form."""
    return {k: v for k, v in field.items() if k in ("name", "type", "format")}


def field_of(td: TableData, name: str) -> dict:
    """The schema field `name`, through a name index built once per table (a scan per field would make
    wide tables quadratic in their column count)."""
    index = td.cache.get("fields_by_name")
    if index is None:
        index = td.cache["fields_by_name"] = {}
        for f in td.schema["fields"]:
            index.setdefault(f["name"], f)
    return index[name]


def type_check(td: TableData, name: str) -> Check:
    """The value is not of the field's type and format."""
    field = field_of(td, name)
    fmt = field.get("format", "default")
    hint = f"Write a valid {field.get('type', 'any')}" + (f" in format {fmt}" if fmt not in (None, "default") else "") + \
        {"date": " as YYYY-MM-DD", "time": " as HH:MM:SS", "datetime": " as YYYY-MM-DDTHH:MM:SS",
         "boolean": " (true or false)", "integer": " (digits only)"}.get(field.get("type"), "") + "."
    return make_check("type-error", type_check, lambda: ~td.parsed[name].invalid.to_numpy(zero_copy_only=False), hint)


def required_check(td: TableData, name: str) -> Check:
    """A required field is empty."""
    return make_check("constraint-error:required", required_check,
                      lambda: ~td.parsed[name].missing.to_numpy(zero_copy_only=False), "Fill in the value.")


def enum_check(td: TableData, name: str, values: list) -> Check:
    """The value is not one of the allowed values (constraints.enum)."""
    field = field_of(td, name)

    def fn():
        allowed = parse_cells(pa.array([str(v).lower() if isinstance(v, bool) else str(v) for v in values], pa.string()),
                              logical(field), [])
        allowed = pc.drop_null(allowed.typed)
        if td.parsed[name].typed.type == pa.string():
            return td.per_value(name, lambda v: pc.is_in(v, value_set=allowed)) | ~td.present(name)
        return _np(pc.is_in(td.typed(name), value_set=allowed)) | ~td.present(name)

    shown = ", ".join(map(str, values[:12])) + (" ..." if len(values) > 12 else "")
    return make_check("constraint-error:enum", enum_check, fn, f"Use one of: {shown}.")


def pattern_check(td: TableData, name: str, pattern: str) -> Check:
    """The value does not match the field's pattern (constraints.pattern)."""

    def test(values: pa.Array) -> pa.Array:
        try:
            return pc.match_substring_regex(values, f"^(?:{pattern})$")
        except pa.ArrowInvalid:  # not RE2 syntax: Python's re, once per distinct value
            rx = re.compile(f"^(?:{pattern})$")
            return pa.array([rx.match(v) is not None for v in values.to_pylist()], pa.bool_())

    def fn():
        return td.per_value(name, test) | ~td.present(name)

    return make_check("constraint-error:pattern", pattern_check, fn, f"Match the pattern {pattern}.")


def length_check(td: TableData, name: str, lo: int | None, hi: int | None) -> Check:
    """The value is shorter or longer than allowed (minLength / maxLength)."""

    def test(values: pa.Array) -> pa.Array:
        n = pc.utf8_length(values)
        ok = pc.greater_equal(n, lo) if lo is not None else pc.not_equal(n, -1)
        return pc.and_(ok, pc.less_equal(n, hi)) if hi is not None else ok

    def fn():
        return td.per_value(name, test) | ~td.present(name)

    return make_check("constraint-error:length", length_check, fn,
                      f"Use {lo if lo is not None else 0} to {hi if hi is not None else 'any number of'} characters.")


def range_check(td: TableData, name: str, bounds: dict) -> Check:
    """The value is outside the allowed range (minimum / maximum)."""
    field = field_of(td, name)
    ops = {"minimum": pc.greater_equal, "maximum": pc.less_equal,
           "exclusiveMinimum": pc.greater, "exclusiveMaximum": pc.less}

    def fn():
        typed, ok = td.typed(name), np.ones(td.num_rows, dtype=bool)
        for key, bound in bounds.items():
            b = parse_cells(pa.array([str(bound)]), logical(field), []).typed[0]
            if b.is_valid:
                ok &= _np(ops[key](typed, b))
        return ok

    text = ", ".join(f"{k} {v}" for k, v in bounds.items())
    return make_check("constraint-error:range", range_check, fn, f"Keep it within {text}.")


def duplicates(key: pa.Array) -> np.ndarray:
    """True for every row whose non-null key occurs more than once."""
    n = len(key)
    valid = pc.is_valid(key).to_numpy(zero_copy_only=False)
    if len(pc.unique(pc.drop_null(key))) == int(valid.sum()):
        return np.zeros(n, dtype=bool)
    enc = pc.dictionary_encode(key)
    idx = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    valid = idx >= 0
    counts = np.bincount(idx[valid], minlength=len(enc.dictionary))
    dup = np.zeros(n, dtype=bool)
    dup[valid] = counts[idx[valid]] > 1
    return dup


def duplicate_rows(ctx: Context, td: TableData, name: str) -> np.ndarray:
    """Rows whose (present) value of one field occurs more than once (unique and primaryKey share it)."""
    return keys.duplicated(ctx, keys.Ref(td.name, name))


def unique_check(ctx: Context, td: TableData, name: str) -> Check:
    """The value is repeated in a field that must be unique."""
    ctx.keys.register(keys.Ref(td.name, name))
    return make_check("unique-error", unique_check, lambda: ~duplicate_rows(ctx, td, name), "Make every value distinct.",
                      ("unique", (name,)))


def primary_key_check(ctx: Context, td: TableData, fields: list[str]) -> Check:
    """The primary key is missing or repeated."""
    if len(fields) == 1:
        ctx.keys.register(keys.Ref(td.name, fields[0]))

    def fn():
        key = key_column(td, fields)
        if key is None:
            return True
        ok = ~(duplicate_rows(ctx, td, fields[0]) if len(fields) == 1 else duplicates(key))
        for f in fields:
            ok &= ~td.parsed[f].missing.to_numpy(zero_copy_only=False)
        return ok

    return make_check("primary-key", primary_key_check, fn, f"Give every row a distinct {'+'.join(fields)}.",
                      ("primary", tuple(fields)))


def unique_key_check(td: TableData, fields: list[str]) -> Check:
    """The combination of values is repeated in a unique key (uniqueKeys)."""

    def fn():
        key = key_column(td, fields)
        return True if key is None else ~duplicates(key)

    return make_check("unique-error", unique_key_check, fn, f"Make every {'+'.join(fields)} distinct.",
                      ("unique", tuple(fields)))


def foreign_key_check(ctx: Context, td: TableData, fk: dict) -> Check:
    """The value does not match a key of the referenced table (foreignKeys)."""
    fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
    ref = fk.get("reference", {})
    parent_name = ref.get("resource") or td.name
    ref_fields = ref.get("fields", [])
    ref_fields = ref_fields if isinstance(ref_fields, list) else [ref_fields]

    if len(fields) == 1 and len(ref_fields) == 1:  # encoded once with the parent key and its other references
        ctx.keys.register(keys.Ref(parent_name, ref_fields[0]), keys.Ref(td.name, fields[0]))

    def fn():
        if parent_name in ctx.streamed and parent_name != td.name:  # a parent too large to hold: its key hashes
            child_key = key_column(td, fields)
            found = ctx.streamed[parent_name].contains(tuple(ref_fields), child_key)
            return True if found is None else found | ~pc.is_valid(child_key).to_numpy(zero_copy_only=False)
        present = td.present(fields[0]) if len(fields) == 1 else None
        if len(fields) == 1 and len(ref_fields) == 1:
            ok = keys.found(ctx, keys.Ref(td.name, fields[0]), keys.Ref(parent_name, ref_fields[0]))
            # None: the parent table or key column was not read, an error reported already; nothing to check
            return True if ok is None else ok | ~present
        parent = ctx.tables.get(parent_name)
        child_key = key_column(td, fields)
        if child_key is None:
            return True
        present = pc.is_valid(child_key).to_numpy(zero_copy_only=False)
        parent_key = key_column(parent, ref_fields) if parent is not None else None
        if parent_key is None:  # not read: reported already
            return True
        ok = _np(pc.is_in(pc.cast(child_key, pa.string()), value_set=pc.drop_null(pc.cast(parent_key, pa.string()))))
        return ok | ~present

    target = f"{parent_name}.{'+'.join(ref_fields)}"
    return make_check("foreign-key", foreign_key_check, fn, f"Use a value that exists in {target}.",
                      ("foreign", tuple(fields), parent_name, tuple(ref_fields)))
