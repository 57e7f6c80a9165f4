"""Table Schema types, parsed vectorised: text column -> typed Arrow array + masks of missing and invalid cells.

Common types (string, integer, number, boolean, date, time, datetime, year, yearmonth) are parsed with
Arrow compute kernels over the whole column, following the Table Schema (v1 and v2) lexical forms:

    integer    [+-]digits; groupChar between digits; bareNumber false strips leading/trailing text
               ('$125', '95%'); outside int64 -> invalid                                    -> int64
    number     XML Schema decimal with optional exponent, or NaN / INF / -INF (any case); decimalChar,
               groupChar and bareNumber as for integer                                      -> float64
    boolean    exactly one of trueValues / falseValues (defaults "true" "True" "TRUE" "1" /
               "false" "False" "FALSE" "0")                                                  -> bool
    date       YYYY-MM-DD, a real calendar day ('2021-1-5' and 2021-02-30 are not dates)     -> date32
    time       hh:mm:ss with optional fractional seconds (03:00:00.5)                        -> time64[us]
    datetime   YYYY-MM-DDThh:mm:ss, optional fractional seconds, optional Z or +-hh:mm; values
               with an offset are converted to UTC, values without one are taken as UTC     -> timestamp[us, UTC]
    year       YYYY                                                                          -> int64
    yearmonth  YYYY-MM                                                                       -> text

A bare value must be exactly that form: leading or trailing whitespace makes it invalid (only
bareNumber false strips text around a number). Missing values are matched on the raw text first.
Rare types and formats (uri, email, object, geopoint, duration, custom date patterns, 'any', ...) use
frictionless's own cell reader, applied once per distinct value, so they agree with frictionless exactly;
dates and times read that way are still typed (date32, time64[us], timestamp[us, UTC]).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from banjska.package.descriptor import KNOWN_TYPES

INT_RE = r"^[+-]?[0-9]+$"
NUM_RE = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
NUM_SPECIAL = ["nan", "inf", "+inf", "-inf"]  # NaN, INF, -INF in any case (and +INF, XML Schema 1.1)
DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
TIME_RE = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?$"
# XML Schema dateTime: 'T' separator, fractional seconds, 'Z' or an offset -14:00..+14:00 written +-hh:mm.
DATETIME_RE = (r"^(?P<base>[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])"
               r"(?:\.(?P<frac>[0-9]+))?(?:Z|(?P<sign>[+-])(?P<off>(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?$")
YEAR_RE = r"^[0-9]{4}$"
YEARMONTH_RE = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE = ["false", "False", "FALSE", "0"]
INT64_MAX, INT64_MIN_ABS = "9223372036854775807", "9223372036854775808"
# bareNumber false: the leading and trailing text frictionless strips (a leading '-' is kept as the sign).
NON_NUMERIC_ENDS = r"^[^-0-9]*|[^0-9]*$"


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


def _lit(text: str) -> str:
    """`text` as an RE2 literal (every non-alphanumeric character as \\x{..})."""
    return "".join(c if c.isascii() and c.isalnum() else f"\\x{{{ord(c):x}}}" for c in text)


def _number_text(raw, field, decimal: bool) -> tuple[pa.Array, pa.Array]:
    """The cells as numeric text, and where they have the field's number form (groupChar, decimalChar,
    bareNumber applied). Group characters are allowed only between digits of the integer part."""
    group = str(field.get("groupChar") or "")
    text = raw
    if field.get("bareNumber", True) is False:  # '$125', '95%', 'EUR 95': strip what is not numeric
        text = pc.replace_substring_regex(text, NON_NUMERIC_ENDS, "")
    digits = f"[0-9]+(?:{_lit(group)}[0-9]+)*" if group else "[0-9]+"
    if not decimal:
        return text, _regex(text, f"^[+-]?{digits}$")
    dec = _lit(str(field.get("decimalChar") or "."))
    return text, _regex(text, f"^[+-]?(?:{digits}(?:{dec}[0-9]*)?|{dec}[0-9]+)(?:[eE][+-]?[0-9]+)?$")


def _int64_range(text: pa.Array, ok: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Integer texts ([+-]digits) -> the same without a sign '+' or leading zeros; those outside int64 invalid."""
    negative = pc.starts_with(text, "-")
    magnitude = pc.replace_substring_regex(text, r"^[+-]?0*", "")
    width = pc.utf8_length(magnitude)
    limit = pc.if_else(negative, pa.scalar(INT64_MIN_ABS), pa.scalar(INT64_MAX))
    ok = pc.and_(ok, pc.or_(pc.less(width, 19), pc.and_(pc.equal(width, 19), pc.less_equal(magnitude, limit))))
    magnitude = pc.if_else(pc.and_(ok, pc.greater(width, 0)), magnitude, pa.scalar("0", magnitude.type))
    signed = pc.binary_join_element_wise(pa.scalar("-", magnitude.type), magnitude, pa.scalar("", magnitude.type))
    return pc.if_else(pc.and_(ok, negative), signed, magnitude), ok


def parse_integer(raw, missing, field) -> Parsed:
    text, ok = _number_text(raw, field, decimal=False)
    if field.get("groupChar"):
        text = pc.replace_substring(text, str(field["groupChar"]), "")
    text = pc.if_else(ok, text, pa.scalar("0"))
    if pc.any(pc.greater(pc.utf8_length(text), 18)).as_py():  # 18 characters always fit in int64
        text, ok = _int64_range(text, ok)
    elif pc.any(pc.starts_with(text, "+")).as_py():
        text = pc.utf8_ltrim(text, characters="+")
    return _finish(pc.cast(text, pa.int64()), missing, ok)


def parse_number(raw, missing, field) -> Parsed:
    text, ok = _number_text(raw, field, decimal=True)
    special = pc.is_in(pc.utf8_lower(text), value_set=pa.array(NUM_SPECIAL))
    ok = pc.or_(ok, special)
    group, dec = str(field.get("groupChar") or ""), str(field.get("decimalChar") or ".")
    if group:
        text = pc.replace_substring(text, group, "")
    if dec != ".":
        text = pc.replace_substring(text, dec, ".")
    clean = pc.if_else(ok, pc.if_else(special, pc.utf8_lower(text), text), pa.scalar("0"))
    return _finish(pc.cast(clean, pa.float64()), missing, ok)


def parse_boolean(raw, missing, field) -> Parsed:
    trues = pa.array([str(v) for v in field.get("trueValues", DEFAULT_TRUE)], pa.string())
    falses = pa.array([str(v) for v in field.get("falseValues", DEFAULT_FALSE)], pa.string())
    is_true, is_false = pc.is_in(raw, value_set=trues), pc.is_in(raw, value_set=falses)
    # a text in both lists reads as false, as in frictionless (its false values are mapped last)
    return _finish(pc.and_(is_true, pc.invert(is_false)), missing, pc.or_(is_true, is_false))


def _real_day(ts: pa.Array, text: pa.Array, ok: pa.Array) -> pa.Array:
    """strptime rolls 2021-02-30 over to March 2: valid only if month and day read back unchanged.
    Year 0000 is no year (XML Schema 1.0, Python's datetime)."""
    safe = pc.if_else(ok, text, pa.scalar("0000-00-00"))
    month = pc.cast(pc.utf8_slice_codeunits(safe, 5, 7), pa.int64())
    day = pc.cast(pc.utf8_slice_codeunits(safe, 8, 10), pa.int64())
    real = pc.and_(pc.equal(pc.month(ts), month), pc.equal(pc.day(ts), day))
    return pc.and_(real, pc.invert(pc.starts_with(safe, "0000")))


def parse_date(raw, missing, field) -> Parsed:
    ok = _regex(raw, DATE_RE)
    ts = _strptime(raw, ok, "%Y-%m-%d")
    return _finish(pc.cast(ts, pa.date32()), missing, pc.and_(ok, _real_day(ts, raw, ok)))


def _micros(fraction: pa.Array) -> pa.Array:
    """Fractional-second digits ('5', '123456789', '') -> microseconds (beyond 6 digits truncated)."""
    return pc.cast(pc.utf8_slice_codeunits(pc.utf8_rpad(fraction, width=6, padding="0"), 0, 6), pa.int64())


def parse_time(raw, missing, field) -> Parsed:
    ok = _regex(raw, TIME_RE)  # the pattern admits only real times (00:00:00-23:59:59.999...)
    safe = pc.if_else(ok, raw, pa.scalar("00:00:00"))
    part = lambda a, b: pc.cast(pc.utf8_slice_codeunits(safe, a, b), pa.int64())  # noqa: E731
    secs = pc.add(pc.add(pc.multiply(part(0, 2), 3600), pc.multiply(part(3, 5), 60)), part(6, 8))
    micros = pc.multiply(secs, 1_000_000)
    if pc.any(pc.greater(pc.utf8_length(safe), 8)).as_py():  # fractional seconds
        micros = pc.add(micros, _micros(pc.utf8_slice_codeunits(safe, 9, 1 << 30)))
    return _finish(pc.cast(micros, pa.time64("us")), missing, ok)


def parse_datetime(raw, missing, field) -> Parsed:
    ok = _regex(raw, DATETIME_RE)
    base = pc.utf8_slice_codeunits(raw, 0, 19)
    ts = _strptime(base, ok, "%Y-%m-%dT%H:%M:%S")
    ok = pc.and_(ok, _real_day(ts, base, ok))
    micros = pc.multiply(pc.fill_null(pc.cast(ts, pa.int64()), 0), 1_000_000)
    extra = pc.and_(ok, pc.greater(pc.utf8_length(raw), 20))  # beyond 'Z': fractional seconds or an offset
    if pc.any(extra).as_py():  # read those (only) with the pattern's groups
        found = pc.extract_regex(pc.filter(raw, extra), DATETIME_RE)
        off = pc.struct_field(found, "off")
        off = pc.if_else(pc.equal(off, ""), pa.scalar("00:00"), off)
        off_secs = pc.add(pc.multiply(pc.cast(pc.utf8_slice_codeunits(off, 0, 2), pa.int64()), 3600),
                          pc.multiply(pc.cast(pc.utf8_slice_codeunits(off, 3, 5), pa.int64()), 60))
        east = pc.if_else(pc.equal(pc.struct_field(found, "sign"), "-"), pc.negate(off_secs), off_secs)
        shift = pc.subtract(_micros(pc.struct_field(found, "frac")), pc.multiply(east, 1_000_000))
        micros = pc.replace_with_mask(micros, extra, pc.add(pc.filter(micros, extra), shift))
    return _finish(pc.cast(micros, pa.timestamp("us", tz="UTC")), missing, ok)


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


def _utc_time(value) -> dt.time:
    if value.utcoffset() is None:
        return value.replace(tzinfo=None)
    moment = dt.datetime.combine(dt.date(2000, 1, 2), value.replace(tzinfo=None)) - value.utcoffset()
    return moment.time()


def _utc_datetime(value) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.utcoffset() is None else value.astimezone(dt.UTC)


# What frictionless's readers return for date, time and datetime, typed as the fast parsers type them.
LOGICAL = {"date": (pa.date32(), lambda v: v), "time": (pa.time64("us"), _utc_time),
           "datetime": (pa.timestamp("us", tz="UTC"), _utc_datetime)}


def parse_with_frictionless(raw, missing, field) -> Parsed:
    """Per distinct value, with frictionless's own reader (exact agreement for rare types).

    Dates, times and datetimes read this way (custom patterns, 'any') are typed as their fast parsers
    type them; every other type stays text."""
    reader = _string_format_reader(field.get("format")) if field.get("type") == "string" else None
    if reader is None:
        from frictionless import Field

        # the reader ignores constraints and missing values (those are resolved before; v2 objects in
        # missingValues would make older frictionless reject the whole field)
        desc = {k: v for k, v in field.items() if k not in ("constraints", "missingValues")}
        desc.setdefault("name", "field")
        try:
            reader = Field.from_descriptor(desc).create_value_reader()
        except Exception:  # noqa: BLE001 - an unusable field description makes every cell invalid
            reader = None
    encoded = pc.dictionary_encode(raw).combine_chunks() if isinstance(raw, pa.ChunkedArray) else pc.dictionary_encode(raw)
    logical, convert = LOGICAL.get(field.get("type"), (None, None))
    verdict, values = [], []
    for value in encoded.dictionary.to_pylist():
        try:
            read = reader(value) if reader is not None else None
            if read is not None and convert is not None:
                read = convert(read)
        except Exception:  # noqa: BLE001
            read = None
        verdict.append(read is not None)
        values.append(read)
    ok = pc.take(pa.array(verdict, pa.bool_()), encoded.indices)
    typed = raw if logical is None else pc.take(pa.array(values, logical), encoded.indices)
    return _finish(typed, missing, ok)


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
    # Table Schema v2 also allows objects {"value": ..., "label": ...}
    missing_values = [m.get("value", "") if isinstance(m, dict) else str(m) for m in missing_values or []]
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
