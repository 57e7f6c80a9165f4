"""Table Schema types, parsed vectorised: text column -> typed Arrow array + masks of missing and invalid cells.

Common types (string, integer, number, boolean, date, time, datetime, year, yearmonth) are parsed with
Arrow compute kernels over the whole column. Date and time forms are strict ISO 8601 ('2021-1-5' is not
a date). Rare types and formats (uri, email, object, geopoint, duration, custom date patterns, ...) use
frictionless's own cell reader, applied once per distinct value, so they agree with frictionless exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .descriptor import KNOWN_TYPES

INT_RE = r"^[+-]?[0-9]+$"
NUM_RE = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
NUM_SPECIAL = ["NaN", "nan", "INF", "-INF", "+INF", "Infinity", "-Infinity", "inf", "-inf"]
DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
TIME_RE = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
DATETIME_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})?$"
YEAR_RE = r"^[0-9]{4}$"
YEARMONTH_RE = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE = ["false", "False", "FALSE", "0"]


@dataclass
class Parsed:
    typed: pa.Array      # typed values; null where missing or invalid
    missing: pa.Array    # bool: the cell is a missing value
    invalid: pa.Array    # bool: not missing and not a valid value of the type


def _regex(raw: pa.Array, pattern: str) -> pa.Array:
    return pc.match_substring_regex(raw, pattern)


def _finish(typed: pa.Array, missing: pa.Array, ok: pa.Array) -> Parsed:
    invalid = pc.and_(pc.invert(missing), pc.invert(pc.fill_null(ok, False)))
    bad = pc.or_(missing, invalid)
    if pc.any(bad).as_py():
        typed = pc.if_else(bad, pa.scalar(None, typed.type), typed)
    return Parsed(typed, missing, invalid)


def _strptime(raw: pa.Array, ok: pa.Array, fmt: str) -> pa.Array:
    cleaned = pc.if_else(ok, raw, pa.scalar(None, pa.string()))
    return pc.strptime(cleaned, format=fmt, unit="s", error_is_null=True)


def parse_integer(raw, missing, field) -> Parsed:
    ok = _regex(raw, INT_RE)
    if field.get("bareNumber", True) is False:
        stripped = pc.replace_substring_regex(raw, r"^[^-0-9]*|[^0-9]*$", "")
        ok, raw = _regex(stripped, INT_RE), stripped
    clean = pc.if_else(ok, raw, pa.scalar("0"))
    clean = pc.replace_substring_regex(clean, r"^\+", "")
    try:
        typed = pc.cast(clean, pa.int64())
    except pa.ArrowInvalid:  # out of int64 range: treat those cells as invalid
        typed = pc.cast(pc.if_else(pc.less_equal(pc.utf8_length(clean), 18), clean, pa.scalar("0")), pa.int64())
        ok = pc.and_(ok, pc.less_equal(pc.utf8_length(clean), 18))
    return _finish(typed, missing, ok)


def parse_number(raw, missing, field) -> Parsed:
    dec, group = field.get("decimalChar", "."), field.get("groupChar", "")
    text = raw
    if group:
        text = pc.replace_substring(text, group, "")
    if dec != ".":
        text = pc.replace_substring(pc.replace_substring(text, ".", "\x00"), dec, ".")
    if field.get("bareNumber", True) is False:
        text = pc.replace_substring_regex(text, r"^[^-+.0-9]*|[^0-9.]*$", "")
    special = pc.is_in(text, value_set=pa.array(NUM_SPECIAL))
    ok = pc.or_(_regex(text, NUM_RE), special)
    clean = pc.if_else(ok, text, pa.scalar("0"))
    clean = pc.if_else(special, pc.replace_substring_regex(clean, r"(?i)^([+-]?)inf(inity)?$", r"\1inf"), clean)
    typed = pc.cast(clean, pa.float64())
    return _finish(typed, missing, ok)


def parse_boolean(raw, missing, field) -> Parsed:
    trues = pa.array([str(v) for v in field.get("trueValues", DEFAULT_TRUE)])
    falses = pa.array([str(v) for v in field.get("falseValues", DEFAULT_FALSE)])
    is_true, is_false = pc.is_in(raw, value_set=trues), pc.is_in(raw, value_set=falses)
    return _finish(is_true, missing, pc.or_(is_true, is_false))


def _real_day(ts: pa.Array, text: pa.Array, ok: pa.Array) -> pa.Array:
    """strptime rolls 2021-02-30 over to March 2: valid only if month and day read back unchanged."""
    safe = pc.if_else(ok, text, pa.scalar("0000-00-00"))
    month = pc.cast(pc.utf8_slice_codeunits(safe, 5, 7), pa.int64())
    day = pc.cast(pc.utf8_slice_codeunits(safe, 8, 10), pa.int64())
    return pc.and_(pc.equal(pc.month(ts), month), pc.equal(pc.day(ts), day))


def parse_date(raw, missing, field) -> Parsed:
    ok = _regex(raw, DATE_RE)
    ts = _strptime(raw, ok, "%Y-%m-%d")
    return _finish(pc.cast(ts, pa.date32()), missing, pc.and_(ok, _real_day(ts, raw, ok)))


def parse_time(raw, missing, field) -> Parsed:
    ok = _regex(raw, TIME_RE)  # the pattern admits only real times (00:00:00-23:59:59)
    safe = pc.if_else(ok, raw, pa.scalar("00:00:00"))
    part = lambda a, b: pc.cast(pc.utf8_slice_codeunits(safe, a, b), pa.int32())  # noqa: E731
    secs = pc.add(pc.add(pc.multiply(part(0, 2), 3600), pc.multiply(part(3, 5), 60)), part(6, 8))
    return _finish(pc.cast(pc.cast(secs, pa.int32()), pa.time32("s")), missing, ok)


def parse_datetime(raw, missing, field) -> Parsed:
    ok = _regex(raw, DATETIME_RE)
    base = pc.utf8_slice_codeunits(raw, 0, 19)
    ts = _strptime(base, ok, "%Y-%m-%dT%H:%M:%S")
    return _finish(ts, missing, pc.and_(ok, _real_day(ts, base, ok)))


def parse_year(raw, missing, field) -> Parsed:
    ok = _regex(raw, YEAR_RE)
    typed = pc.cast(pc.if_else(ok, raw, pa.scalar("0")), pa.int64())
    return _finish(typed, missing, ok)


def parse_yearmonth(raw, missing, field) -> Parsed:
    ok = _regex(raw, YEARMONTH_RE)
    return _finish(raw, missing, ok)


STRING_FORMATS_FAST = {"default", None}
# The scheme group of rfc3986's URL_PARSING_RE: a URI has a scheme exactly when it matches (importing
# rfc3986 for this test took 45 ms of every run; a test proves both agree).
URI_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")


def parse_string(raw, missing, field) -> Parsed:
    if field.get("format") in STRING_FORMATS_FAST:
        return _finish(raw, missing, pc.is_valid(raw))
    return parse_with_frictionless(raw, missing, field)


def _string_format_reader(fmt: str):
    """The same validators frictionless uses for string formats, without importing frictionless."""
    if fmt == "uri":  # frictionless: rfc3986 Validator().require_presence_of("scheme"), i.e. this test
        return lambda cell: cell if URI_SCHEME.match(cell) else None
    if fmt in ("email", "uuid"):
        import validators as vals

        check = getattr(vals, fmt)
        return lambda cell: cell if check(cell) else None
    return None


def parse_with_frictionless(raw, missing, field) -> Parsed:
    """Per distinct value, with frictionless's own reader (exact agreement for rare types)."""
    reader = _string_format_reader(field.get("format")) if field.get("type") == "string" else None
    if reader is None:
        from frictionless import Field

        desc = {k: v for k, v in field.items() if k not in ("constraints",)}
        desc.setdefault("name", "field")
        try:
            reader = Field.from_descriptor(desc).create_value_reader()
        except Exception:  # noqa: BLE001 - an unusable field description makes every cell invalid
            reader = None
    encoded = pc.dictionary_encode(raw).combine_chunks() if isinstance(raw, pa.ChunkedArray) else pc.dictionary_encode(raw)
    verdict = []
    for value in encoded.dictionary.to_pylist():
        try:
            verdict.append(reader is not None and reader(value) is not None)
        except Exception:  # noqa: BLE001
            verdict.append(False)
    ok = pc.take(pa.array(verdict, pa.bool_()), encoded.indices)
    return _finish(raw, missing, ok)


FAST = {
    "string": parse_string, "integer": parse_integer, "number": parse_number, "boolean": parse_boolean,
    "year": parse_year, "yearmonth": parse_yearmonth,
}
TEMPORAL = {"date": parse_date, "time": parse_time, "datetime": parse_datetime}
assert set(FAST) | set(TEMPORAL) <= KNOWN_TYPES  # the rest are parsed by frictionless's readers


def parse(raw: pa.Array, field: dict, missing_values: list[str], encoded: pa.DictionaryArray | None = None) -> Parsed:
    """Parse one column. `raw` holds every cell as text (never null).

    With `encoded` (the column dictionary-encoded), each distinct text is parsed once and the results
    are spread back to the rows with `take`: columns with repeated values cost almost nothing.
    """
    if isinstance(raw, pa.ChunkedArray):
        raw = raw.combine_chunks()
    if encoded is not None and len(encoded.dictionary) < len(raw):
        p = parse_values(encoded.dictionary, field, missing_values)
        idx = encoded.indices
        spread = lambda mask: pc.take(mask, idx) if pc.any(mask).as_py() else _all_false(len(raw))  # noqa: E731
        missing, invalid = spread(p.missing), spread(p.invalid)
        clean = not pc.any(pc.or_(p.missing, p.invalid)).as_py()
        typed = raw if p.typed.type == pa.string() and clean else pc.take(p.typed, idx)
        return Parsed(typed, missing, invalid)
    return parse_values(raw, field, missing_values)


def _all_false(n: int) -> pa.Array:
    return pa.array(np.zeros(n, dtype=bool))


def parse_values(raw: pa.Array, field: dict, missing_values: list[str]) -> Parsed:
    """Parse an array of texts (every element non-null)."""
    if missing_values == [""]:
        missing = pc.equal(raw, "")
    elif missing_values:
        missing = pc.is_in(raw, value_set=pa.array(missing_values, pa.string()))
    else:
        missing = pc.not_equal(raw, raw)  # all False
    ftype, fmt = field.get("type", "any"), field.get("format", "default")
    if ftype == "any":
        return _finish(raw, missing, pc.is_valid(raw))
    if ftype in TEMPORAL:
        if fmt in (None, "default"):
            return TEMPORAL[ftype](raw, missing, field)
        return parse_with_frictionless(raw, missing, field)
    if ftype in FAST:
        return FAST[ftype](raw, missing, field)
    return parse_with_frictionless(raw, missing, field)
