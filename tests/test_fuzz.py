"""Property-based fuzzing of `validate_package` with hypothesis: mutate one cell of the package, or
flip / insert / delete raw bytes of one CSV, and check two properties:

1. validation never raises (InputError, the documented "unreadable input" error, is the only exception
   allowed) and never modifies its input;
2. it never calls a package valid that Frictionless finds invalid (Frictionless only runs when our
   engine says "valid", which is the only case where the two could disagree in that direction).

The runs are derandomized and use no example database, so CI sees the same examples every time.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from banjska.errors import InputError
from banjska.validate.core import validate_package

from corrupt import Pkg, copy_package, no_unraisable, tree_digest
from repo import ROOT, TABLES

ROW_RULES = ("type-error", "constraint-error", "unique-error", "primary-key", "foreign-key", "extra-cell",
             "missing-cell", "blank-row", "dataset:")


def _shape(table: str) -> tuple[int, list[str]]:
    with open(ROOT / "data" / f"{table}.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return len(rows), rows[0]


SHAPES = {t: _shape(t) for t in TABLES}

FUZZ = settings(max_examples=80, deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SPECIAL = ['', ' ', '"', '""', ',', '\n', '\r\n', '\r', '\x00', '\ufeff', 'NA', 'null', 'true', '-1', '0', '1e3',
           '2023-02-30', '2023-09-24', '25:00:00', '=1+1', '+1', '@x', 'a,"b",c', '"quoted"', 'é', '\u202e',
           'x' * 5000, 'kosovo', 'banjska-attack', 'L02S01', 'killed', 'exact', 'day']
CELL_TEXT = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from(list(',"\n\r =+-@\\\x00é0123456789abcdefkosv-_')), max_size=20),
    st.builds(lambda a, b: a + b, st.sampled_from(SPECIAL), st.text(max_size=10)),
)


@st.composite
def cell_mutations(draw):
    """(table, CSV line, column, new text): line 1 is the header, so labels get mutated too."""
    table = draw(st.sampled_from(TABLES))
    lines, header = SHAPES[table]
    line = draw(st.one_of(st.integers(2, lines), st.just(1))) if lines > 1 else 1
    return table, line, draw(st.sampled_from(header)), draw(CELL_TEXT)


BYTE = st.one_of(st.sampled_from(list(b'",\n\r \x00\xff\xfe\xef\xbb\xbf\xc3\x80')), st.integers(0, 255))
BYTE_OP = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 1 << 30), st.integers(0, 7)),
    st.tuples(st.just("insert"), st.integers(0, 1 << 30), BYTE),
    st.tuples(st.just("delete"), st.integers(0, 1 << 30), st.integers(1, 64)),
)


def apply_bytes(data: bytes, ops: list[tuple[str, int, int]]) -> bytes:
    buf = bytearray(data)
    for op, pos, arg in ops:
        if op == "flip" and buf:
            buf[pos % len(buf)] ^= 1 << arg
        elif op == "insert":
            buf.insert(pos % (len(buf) + 1), arg)
        elif op == "delete" and buf:
            at = pos % len(buf)
            del buf[at:at + arg]
    return bytes(buf)


@pytest.fixture(scope="module")
def template():
    with tempfile.TemporaryDirectory(prefix="banjska-fuzz-") as tmp:
        yield copy_package(Path(tmp) / "pkg")


def frictionless_verdict(root: Path) -> tuple[bool, list[str]]:
    from frictionless import Package

    try:
        report = Package(str(root / "datapackage.json")).validate()
    except Exception as exc:  # noqa: BLE001 - Frictionless refusing the package counts as "invalid"
        return False, [f"frictionless raised {type(exc).__name__}: {exc}"]
    errors = [f"{e.type}: {e.message}" for task in report.tasks for e in task.errors] + \
             [f"{e.type}: {e.message}" for e in report.errors]
    return report.valid, errors[:8]


def check_properties(root: Path, what: str) -> None:
    before = tree_digest(root)
    try:
        with no_unraisable():
            report = validate_package(root)
    except InputError:
        return
    assert tree_digest(root) == before, "validation modified its input"
    for issue in report.issues:
        assert issue.rule and issue.message and (issue.file or issue.table), issue
        if issue.rule.startswith(ROW_RULES):
            assert issue.line is not None and issue.line >= 1, f"{what}: row finding without a line: {issue}"
    if report.valid:
        valid, errors = frictionless_verdict(root)
        assert valid, f"{what}: make-data says valid, Frictionless says invalid:\n  " + "\n  ".join(errors)


@FUZZ
@given(mutation=cell_mutations())
@example(mutation=("casualties", 2, "count_raw", ""))
@example(mutation=("casualties", 3, "notes", 'a "quoted",\nmulti-line\r\nnote'))
@example(mutation=("events", 2, "notes", "\x00"))
@example(mutation=("actors", 1, "name", "Name"))
@example(mutation=("evidence", 2, "field", "=cmd|' /C calc'!A0"))
@example(mutation=("places", 3, "notes", "\ufeffnote"))
def test_cell_mutation_never_crashes_nor_hides_an_error(template, mutation):
    table, line, column, value = mutation
    with tempfile.TemporaryDirectory(prefix="banjska-fuzz-") as tmp:
        pkg = Pkg(Path(shutil.copytree(template, Path(tmp) / "pkg")))
        pkg.set_cell(table, line, column, value)  # re-hashes the descriptor
        check_properties(pkg.root, f"{table}:{line} column {column} = {value!r}")


@FUZZ
@given(table=st.sampled_from(TABLES), ops=st.lists(BYTE_OP, min_size=1, max_size=4), rehash=st.booleans())
@example(table="casualties", ops=[("delete", 91, 64)] * 4, rehash=True)  # header only
@example(table="places", ops=[("insert", 10_000, 0xC4)], rehash=True)                     # truncated UTF-8 at EOF
@example(table="units", ops=[("insert", 300, ord('"'))], rehash=True)                     # unbalanced quote
def test_byte_mutation_never_crashes_nor_hides_an_error(template, table, ops, rehash):
    with tempfile.TemporaryDirectory(prefix="banjska-fuzz-") as tmp:
        pkg = Pkg(Path(shutil.copytree(template, Path(tmp) / "pkg")))
        pkg.write_raw(table, apply_bytes(pkg.raw(table), ops), rehash=rehash)
        check_properties(pkg.root, f"{table} bytes {ops} rehash={rehash}")
