"""The Table Schema type parser (banjska.package.types), held to the spec's own wording and examples.

Table Schema v1 (https://specs.frictionlessdata.io/table-schema/) and v2
(https://datapackage.org/standard/table-schema/) define each type's lexical form and options; every
test below asserts exact typed values and exact missing / invalid masks. Masks are written as one
character per cell: "." a valid value, "x" invalid, "m" missing. The last part compares the parser
cell by cell with frictionless-py's own value reader: they agree everywhere except on a listed set
of cells where the spec says otherwise, and there the spec decides.
"""

from __future__ import annotations

import datetime as dt
import math

import pyarrow as pa
import pytest
from frictionless import Field

import banjska.package.types as types
from banjska.package.types import parse, parse_values

UTC = dt.UTC


def run(field: dict, cells: list[str], missing_values=("",)) -> types.Parsed:
    return parse(pa.array(cells, pa.string()), {"name": "f", **field}, list(missing_values))


def masks(state: str) -> tuple[list[bool], list[bool]]:
    return [c == "m" for c in state], [c == "x" for c in state]


def expect(field: dict, cells: list[str], typed: list, state: str, arrow_type: pa.DataType,
           missing_values=("",)) -> None:
    """Parse `cells`: typed values, masks and the typed array's Arrow type are exactly these."""
    assert len(cells) == len(typed) == len(state)
    parsed = run(field, cells, missing_values)
    missing, invalid = masks(state)
    assert parsed.typed.type == arrow_type
    assert parsed.typed.to_pylist() == typed
    assert parsed.missing.to_pylist() == missing
    assert parsed.invalid.to_pylist() == invalid


# --- number -------------------------------------------------------------------------------------------

def test_number_follows_xml_schema_decimal_as_in_the_spec_examples():
    # "For example: '-1.23', '12678967.543233', '+100000.00', '210'"; leading/trailing zeroes optional
    expect({"type": "number"}, ["-1.23", "12678967.543233", "+100000.00", "210", ".5", "5.", "007.50"],
           [-1.23, 12678967.543233, 100000.0, 210.0, 0.5, 5.0, 7.5], ".......", pa.float64())


def test_number_may_have_a_trailing_exponent():
    expect({"type": "number"}, ["1E5", "1e-3", "2.5E+2", "-1.5e2", "1e", "e5", "1E+"],
           [100000.0, 0.001, 250.0, -150.0, None, None, None], "....xxx", pa.float64())


def test_number_special_values_nan_inf_and_minus_inf_in_any_case():
    cells = ["NaN", "nan", "INF", "inf", "-INF", "-inf", "Infinity", "-NaN", "sNaN", "NA"]
    parsed = run({"type": "number"}, cells)
    got = parsed.typed.to_pylist()
    assert [math.isnan(v) for v in got[:2]] == [True, True]
    assert got[2:] == [math.inf, math.inf, -math.inf, -math.inf, None, None, None, None]
    assert parsed.invalid.to_pylist() == masks("......xxxx")[1]
    assert parsed.missing.to_pylist() == [False] * 10


def test_number_rejects_what_is_not_a_decimal():
    cells = ["1.5.2", ".", "0x10", "1_0", "--1", "+-1", "1,5", "abc", "١٫٥"]
    expect({"type": "number"}, cells, [None] * 9, "x" * 9, pa.float64())


def test_bare_numbers_must_be_bare_whitespace_included():
    # bareNumber defaults to true: "the physical contents of this field MUST follow the formatting constraints"
    cells = ["95%", "€95", "EUR 95", " 95", "95 ", "\t95"]
    expect({"type": "number"}, cells, [None] * 6, "x" * 6, pa.float64())
    expect({"type": "integer"}, cells, [None] * 6, "x" * 6, pa.int64())


def test_bare_number_false_strips_leading_and_trailing_text_from_numbers():
    # "to publish numeric data that contains trailing characters such as percentages e.g. 95% or
    # leading characters such as currencies e.g. €95 or EUR 95"
    cells = ["95%", "€95", "EUR 95", "$125.50", "EUR -95", "1.5e3 kg", " 42 ", "abc", "12 apples and 3", "-€95"]
    expect({"type": "number", "bareNumber": False}, cells,
           [95.0, 95.0, 95.0, 125.5, -95.0, 1500.0, 42.0, None, None, None], ".......xxx", pa.float64())


def test_bare_number_false_strips_leading_and_trailing_text_from_integers():
    cells = ["95%", "€95", "EUR 95", "$125", "€-95", "1.5%", "12abc34", "abc"]
    expect({"type": "integer", "bareNumber": False}, cells, [95, 95, 95, 125, -95, None, None, None],
           ".....xxx", pa.int64())


def test_group_char_groups_digits_of_integers():
    # v2 integer: groupChar, "A common value is ',' e.g. '100,000'"
    cells = ["100,000", "1,000,000", "-1,000", "1000", "1,000.5", ",100", "100,", "1,,000"]
    expect({"type": "integer", "groupChar": ","}, cells, [100000, 1000000, -1000, 1000, None, None, None, None],
           "....xxxx", pa.int64())


def test_group_char_groups_digits_of_numbers():
    cells = ["100,000", "1,000,000.5", "1000.5", "1,000.000,1", ",1000"]
    expect({"type": "number", "groupChar": ","}, cells, [100000.0, 1000000.5, 1000.5, None, None], "...xx",
           pa.float64())


def test_decimal_char_replaces_the_period():
    cells = ["1,5", "-1,5", ",5", "1,5e3", "1.5"]
    expect({"type": "number", "decimalChar": ","}, cells, [1.5, -1.5, 0.5, 1500.0, None], "....x", pa.float64())


def test_group_and_decimal_chars_together():
    expect({"type": "number", "groupChar": ".", "decimalChar": ","}, ["1.000.000,25", "1.000,5", "1,000.5"],
           [1000000.25, 1000.5, None], "..x", pa.float64())
    expect({"type": "number", "groupChar": " ", "decimalChar": ","}, ["1 000 000,5", "1000,5", "1 000.5"],
           [1000000.5, 1000.5, None], "..x", pa.float64())


# --- integer ------------------------------------------------------------------------------------------

def test_integers_in_the_standard_way():
    cells = ["0", "-1", "+1", "007", "-0", "1.0", "1e3", "1.5", "--1", "1-", "12a", "1_000", "١٢", "+", "-"]
    expect({"type": "integer"}, cells, [0, -1, 1, 7, 0] + [None] * 10, "....." + "x" * 10, pa.int64())


def test_integers_outside_int64_are_invalid():
    cells = ["9223372036854775807", "-9223372036854775808", "+0000000000000000000000000001",
             "-0000000000000000000000000042", "9223372036854775808", "-9223372036854775809", "99999999999999999999"]
    expect({"type": "integer"}, cells, [2**63 - 1, -(2**63), 1, -42, None, None, None], "....xxx", pa.int64())


# --- boolean ------------------------------------------------------------------------------------------

def test_boolean_default_true_and_false_values():
    cells = ["true", "True", "TRUE", "1", "false", "False", "FALSE", "0",
             "yes", "no", "t", "f", "tRUE", " true", "true ", "2"]
    expect({"type": "boolean"}, cells, [True] * 4 + [False] * 4 + [None] * 8, "." * 8 + "x" * 8, pa.bool_())


def test_boolean_custom_values_replace_the_defaults():
    cells = ["yes", "Y", "no", "N", "true", "false", "1", "0", "YES"]
    expect({"type": "boolean", "trueValues": ["yes", "Y"], "falseValues": ["no", "N"]}, cells,
           [True, True, False, False, None, None, None, None, None], "....xxxxx", pa.bool_())


def test_boolean_false_values_keep_their_default_when_only_true_values_are_given():
    expect({"type": "boolean", "trueValues": ["oui"]}, ["oui", "false", "0", "true"], [True, False, False, None],
           "...x", pa.bool_())


# --- date ---------------------------------------------------------------------------------------------

def test_date_default_is_strict_yyyy_mm_dd():
    valid = ["2024-01-26", "2020-02-29", "0001-01-01", "9999-12-31"]
    invalid = ["2021-1-5", "2021-01-5", "21-01-05", "2021/01/05", "20210105", "2021-02-29", "2021-02-30",
               "2021-04-31", "2021-13-01", "2021-00-10", "2021-01-00", "0000-01-01", " 2021-01-05", "2021-01-05 ",
               "2021-01-05T00:00:00", "2021-01-05Z"]
    expect({"type": "date"}, valid + invalid,
           [dt.date(2024, 1, 26), dt.date(2020, 2, 29), dt.date(1, 1, 1), dt.date(9999, 12, 31)] + [None] * 16,
           "...." + "x" * 16, pa.date32())


def test_date_with_a_strptime_pattern():
    cells = ["05/01/2021", "5/1/2021", "30/02/2021", "2021-01-05"]
    expect({"type": "date", "format": "%d/%m/%Y"}, cells, [dt.date(2021, 1, 5), dt.date(2021, 1, 5), None, None],
           "..xx", pa.date32())
    # the v1 example: "%d/%m/%y" "would correspond to dates like: 30/11/14"
    expect({"type": "date", "format": "%d/%m/%y"}, ["30/11/14", "30/11/2014"], [dt.date(2014, 11, 30), None], ".x",
           pa.date32())


def test_date_format_any():
    expect({"type": "date", "format": "any"}, ["2021-01-05", "5 January 2021", "not a date"],
           [dt.date(2021, 1, 5), dt.date(2021, 1, 5), None], "..x", pa.date32())


# --- time ---------------------------------------------------------------------------------------------

def test_time_default_with_optional_fractional_seconds():
    cells = ["15:00:00", "00:00:00", "23:59:59", "03:00:00.5", "03:00:00.123456", "03:00:00.1234567",
             "23:59:59.999999"]
    expect({"type": "time"}, cells,
           [dt.time(15), dt.time(0), dt.time(23, 59, 59), dt.time(3, 0, 0, 500000), dt.time(3, 0, 0, 123456),
            dt.time(3, 0, 0, 123456), dt.time(23, 59, 59, 999999)], ".......", pa.time64("us"))


def test_time_default_rejects_other_forms():
    cells = ["3:00:00", "03:00", "0300", "24:00:00", "03:60:00", "03:00:60", "03:00:00.", "03:00:00,5",
             "03:00:00Z", "03:00:00+01:00", " 03:00:00", "03:00:00 ", "03:00:00 PM", "T03:00:00"]
    expect({"type": "time"}, cells, [None] * 14, "x" * 14, pa.time64("us"))


def test_time_with_a_strptime_pattern():
    expect({"type": "time", "format": "%H:%M"}, ["15:00", "3:00", "15:00:00"], [dt.time(15), dt.time(3), None],
           "..x", pa.time64("us"))


# --- datetime -----------------------------------------------------------------------------------------

def test_datetime_default_with_fractional_seconds_and_offsets_converted_to_utc():
    cells = ["2024-01-26T15:00:00",             # spec v2 example
             "2024-01-26T15:00:00.300-05:00",   # spec v2 example
             "2014-03-01T07:00:00Z",            # spec v1 example
             "2021-01-05T00:30:00+01:00",       # the offset moves it to the previous day
             "2021-12-31T23:00:00-14:00",
             "2021-01-05T10:00:00-00:00",
             "2021-01-05T10:00:00.1234567Z",
             "2020-02-29T12:00:00"]
    expect({"type": "datetime"}, cells,
           [dt.datetime(2024, 1, 26, 15, tzinfo=UTC), dt.datetime(2024, 1, 26, 20, 0, 0, 300000, tzinfo=UTC),
            dt.datetime(2014, 3, 1, 7, tzinfo=UTC), dt.datetime(2021, 1, 4, 23, 30, tzinfo=UTC),
            dt.datetime(2022, 1, 1, 13, tzinfo=UTC), dt.datetime(2021, 1, 5, 10, tzinfo=UTC),
            dt.datetime(2021, 1, 5, 10, 0, 0, 123456, tzinfo=UTC), dt.datetime(2020, 2, 29, 12, tzinfo=UTC)],
           "........", pa.timestamp("us", tz="UTC"))


def test_datetime_default_rejects_other_forms_and_impossible_days():
    cells = ["2021-02-30T10:00:00", "2021-02-29T12:00:00", "2021-01-05", "2021-1-5T10:00:00", "2021-01-05 10:00:00",
             "2021-01-05t10:00:00", "2021-01-05T10:00:00z", "2021-01-05T25:00:00", "2021-01-05T24:00:00",
             "2021-01-05T10:00", "2021-01-05T10:00:00+1", "2021-01-05T10:00:00+01", "2021-01-05T10:00:00+0100",
             "2021-01-05T10:00:00+14:30", "2021-01-05T10:00:00+15:00", "2021-01-05T10:00:00+01:60",
             "2021-01-05T10:00:00,5", "2021-01-05T10:00:00.", "0000-01-01T00:00:00", " 2021-01-05T10:00:00",
             "2021-01-05T10:00:00 "]
    expect({"type": "datetime"}, cells, [None] * 21, "x" * 21, pa.timestamp("us", tz="UTC"))


def test_datetime_with_a_strptime_pattern():
    # the v2 example: "%d/%m/%Y %H:%M:%S" "would correspond to a date with time like: 12/11/2018 09:15:32"
    expect({"type": "datetime", "format": "%d/%m/%Y %H:%M:%S"}, ["12/11/2018 09:15:32", "2018-11-12T09:15:32"],
           [dt.datetime(2018, 11, 12, 9, 15, 32, tzinfo=UTC), None], ".x", pa.timestamp("us", tz="UTC"))
    expect({"type": "datetime", "format": "%Y-%m-%d %H:%M%z"}, ["2021-01-05 10:00+0200", "2021-01-05 10:00"],
           [dt.datetime(2021, 1, 5, 8, tzinfo=UTC), None], ".x", pa.timestamp("us", tz="UTC"))


# --- year, yearmonth ----------------------------------------------------------------------------------

def test_year_is_yyyy():
    cells = ["2021", "0000", "9999", "21", "20210", "-202", "+202", " 202", "1_23", "abc"]
    expect({"type": "year"}, cells, [2021, 0, 9999] + [None] * 7, "..." + "x" * 7, pa.int64())


def test_yearmonth_is_yyyy_mm():
    cells = ["2021-01", "2021-12", "2021-13", "2021-00", "2021-1", "21-01", " 2021-01", "2021-01-01", "202101"]
    expect({"type": "yearmonth"}, cells, ["2021-01", "2021-12"] + [None] * 7, ".." + "x" * 7, pa.string())


# --- string, any and the rare types -------------------------------------------------------------------

def test_string_and_any_keep_the_text_as_it_is():
    cells = ["  a ", "NA", "0", "b"]
    expect({"type": "string"}, cells, cells, "....", pa.string())
    expect({"type": "any"}, cells, cells, "....", pa.string())


@pytest.mark.parametrize("field,cells,state", [
    ({"type": "object"}, ['{"a": 1}', "{}", "[1]", "x"], "..xx"),
    ({"type": "array"}, ["[1, 2]", "[]", '{"a": 1}', "x"], "..xx"),
    ({"type": "geopoint"}, ["90.50, 45.50", "90.5,45.5", "190, 45", "x"], "..xx"),
    ({"type": "duration"}, ["P1Y2M3DT4H5M6S", "PT1.5S", "P", "1 day"], "..xx"),
    ({"type": "list", "itemType": "integer"}, ["1,2,3", "7", "1,a", "a"], "..xx"),
    ({"type": "string", "format": "email"}, ["a@example.org", "b@example.com", "not-an-email", "a@"], "..xx"),
    ({"type": "string", "format": "uuid"}, ["0f8fad5b-d9cb-469f-a165-70867728950e",
                                            "7c9e6679-7425-40de-944b-e07fc1f90ae7", "0f8fad5b", "x"], "..xx"),
], ids=["object", "array", "geopoint", "duration", "list", "email", "uuid"])
def test_rare_types_are_read_by_frictionless_and_stay_text(field, cells, state):
    expect(field, cells, cells[:2] + [None, None], state, pa.string())


# --- missing values -----------------------------------------------------------------------------------

def test_missing_values_default_is_the_empty_string():
    expect({"type": "integer"}, ["1", "", "NA"], [1, None, None], ".mx", pa.int64())


def test_missing_values_examples_from_the_spec():
    # "missingValues": ["-"]: only "-" is missing, "" is then an invalid integer
    expect({"type": "integer"}, ["-", "", "3"], [None, None, 3], "mx.", pa.int64(), missing_values=["-"])
    # "missingValues": ["NaN", "-"]: NaN is missing (converted before any type-specific conversion), not a NaN
    expect({"type": "number"}, ["NaN", "-", "1.5", ""], [None, None, 1.5, None], "mm.x", pa.float64(),
           missing_values=["NaN", "-"])


def test_an_empty_missing_values_list_converts_nothing():
    # "Providing the empty list [] means that no conversion to null will be done, on any value."
    expect({"type": "integer"}, ["", "1"], [None, 1], "x.", pa.int64(), missing_values=[])
    expect({"type": "string"}, ["", "a"], ["", "a"], "..", pa.string(), missing_values=[])


def test_missing_values_as_objects_with_labels():
    # v2: [{"value": "", "label": "OMITTED"}, {"value": "-99", "label": "REFUSED"}]
    expect({"type": "integer"}, ["", "-99", "5", "-98"], [None, None, 5, -98], "mm..", pa.int64(),
           missing_values=[{"value": "", "label": "OMITTED"}, {"value": "-99", "label": "REFUSED"}])


def test_missing_values_come_before_the_type():
    expect({"type": "boolean"}, ["0", "1", ""], [None, True, None], "m.x", pa.bool_(), missing_values=["0"])


# --- the encoded path and speed -----------------------------------------------------------------------

@pytest.mark.parametrize("field,cells", [
    ({"type": "integer"}, ["1", "2", "x", "", "1", "2", "1", "9223372036854775808"]),
    ({"type": "number", "decimalChar": ","}, ["1,5", "1,5", "2", "", "2", "x"]),
    ({"type": "datetime"}, ["2021-01-05T10:00:00+01:00", "2021-01-05T10:00:00+01:00", "x", "", "2021-01-05T10:00:00Z"]),
    ({"type": "time"}, ["03:00:00.5", "03:00:00.5", "03:00:00", "", "24:00:00"]),
    ({"type": "date", "format": "%d/%m/%Y"}, ["05/01/2021", "05/01/2021", "x", "", "x"]),
    ({"type": "string"}, ["a", "a", "b", "", "a"]),
], ids=["integer", "number", "datetime", "time", "date-pattern", "string"])
def test_a_dictionary_encoded_column_parses_as_the_plain_one(field, cells):
    raw = pa.array(cells, pa.string())
    plain = parse(raw, {"name": "f", **field}, [""])
    encoded = parse(raw, {"name": "f", **field}, [""], encoded=raw.dictionary_encode())
    assert encoded.typed.type == plain.typed.type
    assert encoded.typed.to_pylist() == plain.typed.to_pylist()
    assert encoded.missing.to_pylist() == plain.missing.to_pylist()
    assert encoded.invalid.to_pylist() == plain.invalid.to_pylist()


@pytest.mark.parametrize("field,cells,state", [
    ({"type": "integer", "groupChar": ",", "bareNumber": False}, ["$1,000", "", "x"], ".mx"),
    ({"type": "number", "decimalChar": ","}, ["1,5", "", "1.5"], ".mx"),
    ({"type": "boolean"}, ["true", "", "yes"], ".mx"),
    ({"type": "date"}, ["2021-01-05", "", "2021-1-5"], ".mx"),
    ({"type": "time"}, ["03:00:00.5", "", "3:00:00"], ".mx"),
    ({"type": "datetime"}, ["2021-01-05T10:00:00+01:00", "", "2021-01-05 10:00:00"], ".mx"),
    ({"type": "year"}, ["2021", "", "21"], ".mx"),
    ({"type": "yearmonth"}, ["2021-01", "", "2021-1"], ".mx"),
    ({"type": "string"}, ["x", "", " "], ".m."),
], ids=["integer", "number", "boolean", "date", "time", "datetime", "year", "yearmonth", "string"])
def test_common_types_never_fall_back_to_a_per_value_reader(monkeypatch, field, cells, state):
    def refuse(*args):
        raise AssertionError("a common type went through the per-value reader")

    monkeypatch.setattr(types, "parse_with_frictionless", refuse)
    parsed = parse_values(pa.array(cells, pa.string()), {"name": "f", **field}, [""])
    assert (parsed.missing.to_pylist(), parsed.invalid.to_pylist()) == masks(state)


# --- agreement with frictionless ----------------------------------------------------------------------

TRICKY = [
    ({"type": "integer"}, ["0", "1", "-1", "+1", "007", "-0", "9223372036854775807", "-9223372036854775808", "1.0",
                           "1e3", "1.5", "abc", "", "-", "+", "--1", "1-", "0x10", "12a"]),
    ({"type": "integer", "bareNumber": False}, ["$125", "95%", "€95", "EUR 95", "€-95", "-€95", "1.5%", "12abc34",
                                                "abc", "", "  42  ", "#1", "1st", "$ -5"]),
    ({"type": "integer", "groupChar": ","}, ["1000", "1,000.5", "abc"]),
    ({"type": "number"}, ["0", "-1.23", "12678967.543233", "+100000.00", "210", ".5", "5.", "1e5", "1E5", "1e-3",
                          "2.5E+2", "NaN", "nan", "INF", "inf", "-INF", "-inf", "+INF", "1e", "e5", ".", "", "1.5.2",
                          "0x10", "abc", "1,5", "--1", "+-1"]),
    ({"type": "number", "bareNumber": False}, ["$125.50", "95%", "€95", "EUR 95", "EUR -95", "1.5e3 kg", "$-1", "abc",
                                               "", "12 apples", "€.5", "-€95"]),
    ({"type": "number", "decimalChar": ","}, ["1,5", "-1,5", "1.5", "1", "1,5e3", ",5", "5,", "1,2,3"]),
    ({"type": "number", "groupChar": ","}, ["1,000,000.5", "100,000", "1000.5", "1,000"]),
    ({"type": "number", "groupChar": ".", "decimalChar": ","}, ["1.000,5", "1.000.000", "1,5", "1.5", "1.000.000,25"]),
    ({"type": "number", "groupChar": " ", "decimalChar": ","}, ["1 000 000,5", "1000,5", "1 000.5"]),
    ({"type": "boolean"}, ["true", "True", "TRUE", "1", "false", "False", "FALSE", "0", "yes", "no", "t", "f", "",
                           " true", "true ", "tRUE", "2"]),
    ({"type": "boolean", "trueValues": ["yes", "Y"], "falseValues": ["no", "N"]},
     ["yes", "Y", "no", "N", "true", "false", "1", "0", "YES"]),
    ({"type": "date"}, ["2024-01-26", "2021-01-05", "2020-02-29", "2021-02-29", "2021-02-30", "2021-04-31",
                        "2021-13-01", "2021-00-10", "2021-01-00", "21-01-05", "2021/01/05", "20210105", "0000-01-01",
                        "0001-01-01", "9999-12-31", " 2021-01-05", "2021-01-05 ", "2021-01-05T00:00:00", "2021-01-05Z",
                        "2021-W01-2", ""]),
    ({"type": "date", "format": "%d/%m/%Y"}, ["05/01/2021", "5/1/2021", "30/02/2021", "2021-01-05", "05/01/21", ""]),
    ({"type": "date", "format": "any"}, ["2021-01-05", "5 January 2021", "Jan 5, 2021", "not a date", ""]),
    ({"type": "time"}, ["15:00:00", "00:00:00", "23:59:59", "03:00:00.5", "03:00:00.123456", "03:00:00.1234567",
                        "3:00:00", "03:00", "0300", "03:60:00", "03:00:60", "03:00:00.", " 03:00:00", "03:00:00 ",
                        "03:00:00 PM", "T03:00:00", ""]),
    ({"type": "time", "format": "%H:%M"}, ["15:00", "3:00", "15:00:00", "25:00"]),
    ({"type": "datetime"}, ["2024-01-26T15:00:00", "2024-01-26T15:00:00.300-05:00", "2014-03-01T07:00:00Z",
                            "2021-01-05T10:00:00+01:00", "2021-01-05T10:00:00-00:00", "2021-01-05T10:00:00.5Z",
                            "2021-01-05T10:00:00+14:00", "2021-01-05T10:00:00-14:00", "2020-02-29T12:00:00",
                            "2021-02-29T12:00:00", "2021-02-30T10:00:00", "2021-01-05", "2021-1-5T10:00:00",
                            "2021-01-05T25:00:00", "2021-01-05T10:00", "2021-01-05T10:00:00+1",
                            "2021-01-05T10:00:00+01:60", "2021-01-05T10:00:00.", "0000-01-01T00:00:00",
                            " 2021-01-05T10:00:00", "2021-01-05T10:00:00 ", ""]),
    ({"type": "datetime", "format": "%d/%m/%Y %H:%M:%S"}, ["12/11/2018 09:15:32", "12/11/2018 9:15:32",
                                                          "2018-11-12T09:15:32"]),
    ({"type": "year"}, ["2021", "0000", "9999", "21", "20210", "-202", "abc", ""]),
    ({"type": "yearmonth"}, ["2021-01", "2021-12", "2021-13", "2021-00", "2021-01-01", "202101", ""]),
    ({"type": "object"}, ['{"a": 1}', "{}", "[1]", "x", ""]),
    ({"type": "array"}, ["[1, 2]", "[]", '{"a": 1}', "x"]),
    ({"type": "geopoint"}, ["90.50, 45.50", "90.5,45.5", "190, 45", "x"]),
    ({"type": "geopoint", "format": "array"}, ["[90.50, 45.50]", "[1]", "x"]),
    ({"type": "duration"}, ["P1Y2M3DT4H5M6S", "PT1.5S", "P", "1 day"]),
    ({"type": "list", "itemType": "integer"}, ["1,2,3", "1,a"]),
    ({"type": "string", "format": "email"}, ["a@example.org", "not-an-email"]),
    ({"type": "string", "format": "uri"}, ["https://example.org", "example.org"]),
    ({"type": "string", "format": "uuid"}, ["0f8fad5b-d9cb-469f-a165-70867728950e", "0f8fad5b"]),
]


def frictionless_invalid(field: dict, cells: list[str]) -> list[bool]:
    reader = Field.from_descriptor({"name": "f", **field}).create_value_reader()
    return [reader(cell) is None for cell in cells]


@pytest.mark.parametrize("field,cells", TRICKY, ids=[str(f) for f, _ in TRICKY])
def test_invalid_cells_agree_with_frictionless(field, cells):
    ours = run(field, cells, missing_values=[]).invalid.to_pylist()
    assert list(zip(cells, ours, strict=True)) == list(zip(cells, frictionless_invalid(field, cells), strict=True))


# Cells where frictionless 5.21 reads the text otherwise than the spec: the parser follows the spec.
SPEC_DECIDES = [
    # bareNumber true: "the physical contents MUST follow the formatting constraints" (frictionless strips
    # whitespace; Python's int() and Decimal() also take '_' separators and non-ASCII digits)
    ({"type": "integer"}, " 1", False), ({"type": "integer"}, "1 ", False), ({"type": "integer"}, "1_000", False),
    ({"type": "integer"}, "١٢", False), ({"type": "number"}, " 1.5", False), ({"type": "number"}, "1.5 ", False),
    ({"type": "number"}, "1_0", False),
    # the special values are NaN, INF and -INF; Decimal() also reads these
    ({"type": "number"}, "Infinity", False), ({"type": "number"}, "sNaN", False), ({"type": "number"}, "-NaN", False),
    # integers are int64 here (out of range: invalid); frictionless keeps Python's unbounded int
    ({"type": "integer"}, "9223372036854775808", False), ({"type": "integer"}, "-9223372036854775809", False),
    # v2 integer groupChar, which frictionless does not implement
    ({"type": "integer", "groupChar": ","}, "1,000,000", True), ({"type": "integer", "groupChar": ","}, "-1,000", True),
    # groupChar groups digits of the number: not leading, trailing, doubled or in the fraction
    ({"type": "number", "groupChar": ","}, ",1000", False), ({"type": "number", "groupChar": ","}, "1,,000", False),
    ({"type": "number", "groupChar": ","}, "1000,", False), ({"type": "number", "groupChar": ","}, "1,000.000,1", False),
    ({"type": "number", "groupChar": ".", "decimalChar": ","}, "1,000.5", False),
    # date: "MUST be yyyy-mm-dd" (strptime's %m and %d take one digit)
    ({"type": "date"}, "2021-1-5", False), ({"type": "date"}, "2021-01-5", False),
    # time: hh:mm:ss with fractional seconds after '.' (no 24:00:00, no decimal comma, no offset)
    ({"type": "time"}, "24:00:00", False), ({"type": "time"}, "03:00:00,5", False),
    ({"type": "time"}, "03:00:00Z", False), ({"type": "time"}, "03:00:00+01:00", False),
    # datetime: XML Schema dateTime ('T', 'Z', offsets +-hh:mm within 14:00; dateutil's isoparse is looser)
    ({"type": "datetime"}, "2021-01-05 10:00:00", False), ({"type": "datetime"}, "2021-01-05t10:00:00", False),
    ({"type": "datetime"}, "2021-01-05T10:00:00z", False), ({"type": "datetime"}, "2021-01-05T24:00:00", False),
    ({"type": "datetime"}, "2021-01-05T10:00:00+01", False), ({"type": "datetime"}, "2021-01-05T10:00:00+0100", False),
    ({"type": "datetime"}, "2021-01-05T10:00:00+14:30", False), ({"type": "datetime"}, "2021-01-05T10:00:00+15:00", False),
    ({"type": "datetime"}, "2021-01-05T10:00:00,5", False),
    # year YYYY, yearmonth YYYY-MM (frictionless: any 4 characters int() reads; any int-int)
    ({"type": "year"}, "+202", False), ({"type": "year"}, " 202", False), ({"type": "year"}, "1_23", False),
    ({"type": "yearmonth"}, "2021-1", False), ({"type": "yearmonth"}, "21-01", False),
    ({"type": "yearmonth"}, " 2021-01", False),
]


@pytest.mark.parametrize("field,cell,valid", SPEC_DECIDES, ids=[f"{f['type']}:{c!r}" for f, c, _ in SPEC_DECIDES])
def test_where_frictionless_reads_otherwise_the_spec_decides(field, cell, valid):
    assert run(field, [cell], missing_values=[]).invalid.to_pylist() == [not valid]
    assert frictionless_invalid(field, [cell]) == [valid]


def test_constraint_values_are_logical_not_written_in_the_fields_text_form(tmp_path):
    """maximum 1.2 on a decimalChar "," field and enum [true] on a trueValues ["yes"] field."""
    import json

    from banjska.validate import validate_package

    (tmp_path / "t.csv").write_text("x,ok\n\"1,1\",yes\n\"1,3\",no\n", encoding="utf-8")
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "t", "resources": [{
        "name": "t", "path": "t.csv", "schema": {"fields": [
            {"name": "x", "type": "number", "decimalChar": ",", "constraints": {"maximum": 1.2}},
            {"name": "ok", "type": "boolean", "trueValues": ["yes"], "falseValues": ["no"],
             "constraints": {"enum": [True]}}]}}]}), encoding="utf-8")
    report = validate_package(tmp_path)
    assert sorted((i.line, i.column, i.rule) for i in report.issues) == [
        (3, "ok", "constraint-error:enum"), (3, "x", "constraint-error:range")]
