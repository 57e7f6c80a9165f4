"""Helpers to corrupt a private copy of the data package on purpose (hostile-input and fuzz tests).

`Pkg` wraps a package directory: edit a CSV cell by (table, CSV line, column), rewrite raw bytes,
edit the descriptor, and re-hash a resource so that a corruption tests the intended error rather
than just the hash. `tree_digest` fingerprints every file under a directory, so a test can prove
that validation never modifies its input.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import sys
import zipfile
from contextlib import contextmanager
from pathlib import Path

from repo import ROOT

PACKAGE_PARTS = ("data", "schemas", "seeds", "datapackage.json")


def copy_package(dst: Path, src: Path = ROOT) -> Path:
    """Copy just what the package needs (descriptor, data, schemas, article) to `dst`."""
    dst.mkdir(parents=True, exist_ok=True)
    for name in PACKAGE_PARTS:
        if (src / name).is_dir():
            shutil.copytree(src / name, dst / name)
        else:
            shutil.copy2(src / name, dst / name)
    for path in dst.rglob("*"):  # the article is read-only in the checkout; copies must be editable
        if path.is_file():
            path.chmod(0o644)
    return dst


@contextmanager
def no_unraisable():
    """Fail if an exception is swallowed as 'Exception ignored in ...' (e.g. inside a CSV reader callback):
    outside pytest that prints a traceback on stderr."""
    caught: list[str] = []
    old = sys.unraisablehook
    sys.unraisablehook = lambda u: caught.append(f"{u.exc_type.__name__}: {u.exc_value} (in {u.object!r})")
    try:
        yield caught
    finally:
        sys.unraisablehook = old
    assert not caught, "an exception was swallowed and printed as a traceback: " + "; ".join(caught)


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file (and the target of every link) under `root`, by relative path."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[rel] = "link:" + str(path.readlink())
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


class Pkg:
    """A writable package directory with corruption helpers. Lines are physical CSV lines (header = 1)."""

    def __init__(self, root: Path):
        self.root = root

    # --- descriptor ---------------------------------------------------------------------------
    @property
    def descriptor_path(self) -> Path:
        return self.root / "datapackage.json"

    def descriptor(self) -> dict:
        return json.loads(self.descriptor_path.read_text(encoding="utf-8"))

    def write_descriptor(self, doc: dict) -> None:
        self.descriptor_path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    def resource(self, name: str, doc: dict | None = None) -> dict:
        doc = doc or self.descriptor()
        return next(r for r in doc["resources"] if r["name"] == name)

    def path_of(self, table: str) -> Path:
        return self.root / self.resource(table)["path"]

    def rehash(self, table: str) -> None:
        """Make the descriptor's bytes and sha256 agree with the file again."""
        doc = self.descriptor()
        res = self.resource(table, doc)
        data = (self.root / res["path"]).read_bytes()
        res["bytes"] = len(data)
        res["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
        self.write_descriptor(doc)

    # --- raw bytes ----------------------------------------------------------------------------
    def raw(self, table: str) -> bytes:
        return self.path_of(table).read_bytes()

    def write_raw(self, table: str, data: bytes, rehash: bool = True) -> None:
        self.path_of(table).write_bytes(data)
        if rehash:
            self.rehash(table)

    def replace_bytes(self, table: str, old: bytes, new: bytes, rehash: bool = True) -> int:
        """Replace the first occurrence of `old`; return the physical line where it was."""
        data = self.raw(table)
        at = data.find(old)
        assert at >= 0, f"{old!r} not in {table}"
        self.write_raw(table, data[:at] + new + data[at + len(old):], rehash)
        return data.count(b"\n", 0, at) + 1

    # --- cells --------------------------------------------------------------------------------
    def rows(self, table: str) -> list[list[str]]:
        with open(self.path_of(table), newline="", encoding="utf-8") as fh:
            return list(csv.reader(fh))

    def write_rows(self, table: str, rows: list[list[str]], rehash: bool = True) -> None:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        self.write_raw(table, buf.getvalue().encode("utf-8"), rehash)

    def header(self, table: str) -> list[str]:
        return self.rows(table)[0]

    def cell(self, table: str, line: int, column: str) -> str:
        rows = self.rows(table)
        return rows[line - 1][rows[0].index(column)]

    def set_cell(self, table: str, line: int, column: str, value: str, rehash: bool = True) -> int:
        """Set one cell (the files have no embedded newlines, so CSV line = physical line)."""
        rows = self.rows(table)
        rows[line - 1][rows[0].index(column)] = value
        self.write_rows(table, rows, rehash)
        return line

    def line_where(self, table: str, column: str, value: str) -> int:
        """The CSV line of the first row whose `column` equals `value`."""
        rows = self.rows(table)
        col = rows[0].index(column)
        return next(i + 1 for i, r in enumerate(rows) if i and r[col] == value)


# --- zips -------------------------------------------------------------------------------------------

def zip_package(pkg_dir: Path, dest: Path, prefix: str = "pkg/", extra: list[tuple[zipfile.ZipInfo, bytes]] = (),
                compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """Zip a package directory under `prefix`, then append hand-made members (names kept verbatim)."""
    with zipfile.ZipFile(dest, "w", compression) as zf:
        for path in sorted(pkg_dir.rglob("*")):
            if path.is_file():
                zf.write(path, prefix + path.relative_to(pkg_dir).as_posix())
        for info, data in extra:
            zf.writestr(info, data)
    return dest


def member(name: str, mode: int | None = None) -> zipfile.ZipInfo:
    """A zip member whose name is stored exactly as given (ZipInfo does not sanitise '..' or '/')."""
    info = zipfile.ZipInfo(name, date_time=(2023, 9, 29, 0, 0, 0))
    if mode is not None:
        info.external_attr = mode << 16
        info.create_system = 3  # unix, so the mode bits are meaningful
    return info


def patch_central_directory(archive: Path, name: str, *, flags: int | None = None, method: int | None = None) -> None:
    """Rewrite a member's general-purpose flags or compression method in the central directory."""
    data = bytearray(archive.read_bytes())
    enc = name.encode()
    at = 0
    while True:
        at = data.find(b"PK\x01\x02", at)
        assert at >= 0, f"{name} not in the central directory"
        n = int.from_bytes(data[at + 28:at + 30], "little")
        if bytes(data[at + 46:at + 46 + n]) == enc:
            break
        at += 4
    if flags is not None:
        data[at + 8:at + 10] = flags.to_bytes(2, "little")
    if method is not None:
        data[at + 10:at + 12] = method.to_bytes(2, "little")
    archive.write_bytes(bytes(data))


def corrupt_member_data(archive: Path, name: str) -> None:
    """Flip bytes inside a member's compressed data (its CRC no longer matches)."""
    data = bytearray(archive.read_bytes())
    enc = name.encode()
    at = data.find(b"PK\x03\x04")  # first local header
    while True:
        n = int.from_bytes(data[at + 26:at + 28], "little")
        m = int.from_bytes(data[at + 28:at + 30], "little")
        size = int.from_bytes(data[at + 18:at + 22], "little")
        if bytes(data[at + 30:at + 30 + n]) == enc:
            start = at + 30 + n + m
            for i in range(start + size // 3, start + size // 3 + 8):
                data[i] ^= 0x55
            archive.write_bytes(bytes(data))
            return
        at = data.find(b"PK\x03\x04", at + 30 + n + m + size)
        assert at >= 0, f"{name} not in the archive"
