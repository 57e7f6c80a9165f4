"""The one way to open a Frictionless data package: a directory, a datapackage.json path or a zip.

validate, load, export, diff and codebook all read packages through `open_package`. It accepts Data
Package v1 and v2 descriptors, inline or referenced Table Schemas, and zips with datapackage.json at the
top or inside one top folder. Remote packages and resources (URLs) are refused: nothing is fetched.

A package is untrusted input, so every file goes through one path-safety rule:

* a resource or schema path must be relative, without '..' and not a URL;
* in a directory, only regular files inside the package root are read: a symbolic link that leaves the
  root, a FIFO, a device or a directory is refused (its content is never read or printed);
* in a zip, nothing is extracted to disk: a member is read only when a resource references it, never
  a symbolic link, and never more than MAX_READ bytes in all.

A file that breaks the rule raises `FileRefused` (exit 1: the package is invalid), naming the resource
and the reason. Only an input that cannot be opened at all raises InputError (exit 2).
"""

from __future__ import annotations

import json
import mmap
import os
import posixpath
import stat
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

from banjska.errors import DataInvalid, InputError
from banjska.report import Issue

DESCRIPTOR = "datapackage.json"
MAX_READ = 4 * 1024**3  # bytes read from one zip in all (a zip bomb stops here)
MAP_AT = 8 << 20  # files this large are memory-mapped read-only instead of copied (see DirSource.data)
TABULAR_FORMATS = {"csv", "tsv"}

# A file's contents: bytes, or a read-only memory map of a large file. Consumers use only what both
# offer: len, slicing (which gives bytes), find, and the buffer protocol (hashlib, numpy, Arrow).
Bytes = bytes | mmap.mmap


class FileRefused(DataInvalid):
    """A resource file that the package may not have: unsafe path, outside the root, not a regular file,
    missing, or too large. `rule` is the validation rule it is reported under."""

    def __init__(self, rule: str, message: str, hint: str = "", where: str = ""):
        super().__init__(message, hint, where)
        self.rule = rule


def unsafe_reason(path: object) -> str:
    """Why a resource path may not be followed, or '' when it is safe."""
    if not isinstance(path, str) or not path:
        return "path is empty or not a string"
    if "://" in path:
        return "remote paths (URLs) are not read: download the file into the package"
    p = PurePosixPath(path.replace("\\", "/"))
    if p.is_absolute() or (len(path) > 1 and path[1] == ":"):
        return "absolute paths are not allowed"
    if ".." in p.parts:
        return "paths may not contain '..'"
    return ""


def is_tabular(res: dict) -> bool:
    """Whether a resource is a table: v2 `type`, v1 `profile`, a schema, a tabular format or a .csv path."""
    return (res.get("type") == "table" or res.get("profile") == "tabular-data-resource" or "schema" in res
            or str(res.get("format", "")).lower() in TABULAR_FORMATS or str(res.get("path", "")).lower().endswith(".csv"))


class Source(Protocol):
    """Where a package's files are: read one by its package-relative path."""

    label: str

    def data(self, rel: str) -> Bytes: ...

    def size(self, rel: str) -> int: ...

    def open(self, rel: str) -> BinaryIO: ...


def _refuse_unsafe(rel: str) -> str:
    reason = unsafe_reason(rel)
    if reason:
        raise FileRefused("unsafe-path", f"path {rel!r} refused: {reason}", "Use a relative path inside the package.")
    return posixpath.normpath(rel.replace("\\", "/"))


class DirSource:
    """Files of a package directory; only regular files whose real path is inside the root."""

    def __init__(self, base: Path):
        self.base = base
        self.real = os.path.realpath(base)
        self.label = str(base)

    def _open(self, rel: str) -> tuple[int, os.stat_result]:
        rel = _refuse_unsafe(rel)
        real = os.path.realpath(self.base / rel)
        if os.path.commonpath([real, self.real]) != self.real:
            raise FileRefused("unsafe-path", f"{rel} is a link to a file outside the package",
                              "Put the file itself inside the package.")
        try:  # O_NONBLOCK: opening a FIFO must not wait for a writer
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            raise FileRefused("scheme-error", f"file {rel} does not exist",
                              "Restore the file or fix the resource path.") from None
        except IsADirectoryError:
            raise FileRefused("scheme-error", f"{rel} is a directory, not a file", "Point the path at a file.") from None
        except OSError as exc:
            raise FileRefused("scheme-error", f"cannot read {rel}: {exc.strerror}", "Check the file's permissions.") from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise FileRefused("unsafe-path", f"{rel} is not a regular file (a FIFO, device, socket or directory)",
                              "Only regular files are read from a package.")
        return fd, info

    def size(self, rel: str) -> int:
        fd, info = self._open(rel)
        os.close(fd)
        return info.st_size

    def open(self, rel: str) -> BinaryIO:
        """The file, opened for reading in pieces (validate/stream.py reads large tables so)."""
        fd, _ = self._open(rel)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")

    def data(self, rel: str) -> Bytes:
        """The file's bytes. Files of MAP_AT bytes or more are memory-mapped read-only instead of copied
        (copying 240 MB into fresh memory costs ~0.15 s of CPU, mostly the kernel zeroing new pages).

        POSIX only. A mapped file must not be truncated in place while it is read; replacing it by a
        rename, as make-data build does, is safe.
        """
        fd, info = self._open(rel)
        try:
            if os.name == "posix" and info.st_size >= MAP_AT:
                try:
                    return mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
                except (OSError, ValueError):  # a file system without mmap, or a file emptied meanwhile
                    pass
            os.set_blocking(fd, True)
            with os.fdopen(os.dup(fd), "rb") as fh:
                return fh.read()
        finally:
            os.close(fd)


class ZipSource:
    """Members of a zip, read in memory only when asked for, with datapackage.json at the top or in one
    top folder. Archives whose member names would escape on extraction are refused outright."""

    def __init__(self, path: Path):
        self.label = str(path)
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"not a readable zip file: {exc}", where=str(path)) from None
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in self.zip.infolist():
            name = info.filename.rstrip("/")
            reason = unsafe_reason(name) if name else "empty member name"
            if reason:
                self.zip.close()
                raise InputError(f"zip member {info.filename!r} would escape the archive ({reason})",
                                 "Refusing to read it; rebuild the archive with relative paths.", where=str(path))
            if stat.S_ISLNK(info.external_attr >> 16):
                self.zip.close()
                raise InputError(f"zip member {info.filename!r} is a symbolic link", "Links are not read; rebuild the "
                                 "archive with the files themselves.", where=str(path))
            if not info.is_dir():
                self.members[posixpath.normpath(name)] = info
        self.prefix = self._find_prefix(path)
        self.read_so_far = 0

    def _find_prefix(self, path: Path) -> str:
        if DESCRIPTOR in self.members:
            return ""
        tops = sorted(n[: -len(DESCRIPTOR)] for n in self.members if n.count("/") == 1 and n.endswith("/" + DESCRIPTOR))
        if len(tops) == 1:
            return tops[0]
        self.zip.close()
        raise InputError(f"no {DESCRIPTOR} at the top of the archive or in one top folder", where=str(path))

    def _member(self, rel: str) -> zipfile.ZipInfo:
        name = self.prefix + _refuse_unsafe(rel)
        info = self.members.get(name)
        if info is None:
            raise FileRefused("scheme-error", f"file {rel} is not in the archive", "Add it to the zip or fix the path.")
        return info

    def size(self, rel: str) -> int:
        return self._member(rel).file_size

    def open(self, rel: str) -> BinaryIO:
        """The member, decompressed as it is read: nothing is written to disk, and what is read counts
        towards MAX_READ like `data`."""
        info = self._member(rel)
        try:
            return _Counted(self, rel, self.zip.open(info))
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, OSError) as exc:
            raise InputError(f"the archive is damaged: member {info.filename} cannot be read ({exc})",
                             "Rebuild the archive (unencrypted, stored or deflated).", where=self.label) from None

    def data(self, rel: str) -> bytes:
        info = self._member(rel)
        budget = MAX_READ - self.read_so_far
        if info.file_size > budget:
            raise FileRefused("source-error", f"zip member {rel} would take the archive past {MAX_READ >> 30} GiB unpacked",
                              "Split the package or ship it as a directory.")
        try:
            with self.zip.open(info) as fh:
                data = fh.read(budget + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError, OSError) as exc:
            raise InputError(f"the archive is damaged: member {info.filename} cannot be read ({exc})",
                             "Rebuild the archive (unencrypted, stored or deflated).", where=self.label) from None
        if len(data) > budget:
            raise FileRefused("source-error", f"zip member {rel} unpacks to more than it declares",
                              "Rebuild the archive.")
        self.read_so_far += len(data)
        return data

    def close(self) -> None:
        self.zip.close()


class _Counted:
    """A zip member read in pieces, counted against the archive's MAX_READ and checked against its size."""

    def __init__(self, source: ZipSource, rel: str, fh):
        self.source, self.rel, self.fh = source, rel, fh

    def readinto(self, view) -> int:
        try:
            n = self.fh.readinto(view)
        except (zipfile.BadZipFile, RuntimeError, zlib.error, EOFError, OSError) as exc:
            raise InputError(f"the archive is damaged: member {self.rel} cannot be read ({exc})",
                             "Rebuild the archive (unencrypted, stored or deflated).", where=self.source.label) from None
        self.source.read_so_far += n
        if self.source.read_so_far > MAX_READ:
            raise FileRefused("source-error", f"zip member {self.rel} would take the archive past {MAX_READ >> 30} GiB "
                              "unpacked", "Split the package or ship it as a directory.")
        return n

    def close(self) -> None:
        self.fh.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def parse_json(data: bytes, where: str, what: str = "the descriptor") -> object:
    """JSON text -> document, or InputError saying where the syntax breaks."""
    try:
        return json.loads(bytes(data).decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 at byte {exc.start}", f"Save {what} as UTF-8.", where=where) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                         f"Fix the JSON syntax of {what}.", where=where) from None
    except RecursionError:
        raise InputError("the JSON is nested too deeply to read", where=where) from None


@dataclass
class Package:
    """An opened package: its descriptor, where its files are, and problems found while resolving it."""

    label: str                    # how messages name the package
    descriptor: dict
    source: Source
    issues: list[Issue] = field(default_factory=list)
    _schemas: dict[str, dict | None] = field(default_factory=dict, repr=False)

    def resources(self) -> list[dict]:
        """The resources that are objects with a name (others are reported by the descriptor check)."""
        res = self.descriptor.get("resources")
        return [r for r in res if isinstance(r, dict) and isinstance(r.get("name"), str)] if isinstance(res, list) else []

    def table_resources(self) -> list[dict]:
        return [r for r in self.resources() if is_tabular(r)]

    def resource(self, name: str) -> dict:
        for r in self.resources():
            if r["name"] == name:
                return r
        raise InputError(f"no resource {name!r} in {self.label}")

    def data(self, rel: str) -> Bytes:
        return self.source.data(rel)

    def schema(self, res: dict) -> dict | None:
        """The resource's Table Schema (inline, or a safe relative path), resolved once; None with an issue
        recorded when it is missing, unsafe or not a schema."""
        name = res["name"]
        if name not in self._schemas:
            self._schemas[name] = self._resolve_schema(res)
        return self._schemas[name]

    def _resolve_schema(self, res: dict) -> dict | None:
        name, schema = res["name"], res.get("schema")
        if isinstance(schema, str):
            try:
                raw = self.source.data(schema)
                schema = parse_json(raw, schema, "the Table Schema")
            except FileRefused as exc:
                unsafe = exc.rule == "unsafe-path"
                self.issues.append(Issue(name, "unsafe-path" if unsafe else "schema-error", f"schema {exc.message}",
                                         file=DESCRIPTOR if unsafe else schema, hint=exc.hint))
                return None
            except InputError as exc:
                self.issues.append(Issue(name, "schema-error", f"schema file {res['schema']} is not valid JSON: "
                                         f"{exc.message}", file=res["schema"], hint="Fix the JSON syntax."))
                return None
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or \
                not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in schema["fields"]):
            self.issues.append(Issue(name, "schema-error", "the Table Schema has no valid 'fields' list",
                                     hint="Every field needs at least a name."))
            return None
        return schema


def _descriptor_path(path: Path) -> Path:
    if path.is_dir():
        return path / DESCRIPTOR
    return path


@contextmanager
def open_package(target: str | Path) -> Iterator[Package]:
    """Open a package directory, a datapackage.json path or a zip; the zip is closed afterwards."""
    text = str(target)
    if "://" in text:
        raise InputError(f"{text} is a URL: remote packages are not read", "Download the package and pass its path.")
    path = Path(target)
    if not path.exists():
        raise InputError(f"no data package at {path}", "Pass a package directory, its datapackage.json, or a .zip.")
    if path.is_file() and path.suffix.lower() == ".zip" and not zipfile.is_zipfile(path):
        raise InputError(f"{path} is not a readable zip archive", "Download it again, or pass the package's "
                         "directory or datapackage.json.")
    if path.is_file() and zipfile.is_zipfile(path) and path.suffix.lower() != ".json":
        source = ZipSource(path)
        try:
            raw = source.data(DESCRIPTOR)
            label = f"{path}!{source.prefix}{DESCRIPTOR}"
            yield Package(label, _as_object(parse_json(raw, label), label), source)
        finally:
            source.close()
        return
    desc = _descriptor_path(path)
    if path.is_file() and path.suffix.lower() != ".json":
        raise InputError(f"{path} is not a data package",
                         "Pass a package directory, its datapackage.json, or a .zip (for a CSV file, pass the "
                         "package that describes it).")
    if not desc.exists():
        raise InputError(f"no data package at {path} (no {DESCRIPTOR})",
                         "Pass a package directory, its datapackage.json, or a .zip.")
    source = DirSource(desc.parent)
    try:
        raw = source.data(desc.name)
    except FileRefused as exc:
        raise InputError(f"cannot read the descriptor: {exc.message}", where=str(desc)) from None
    yield Package(str(desc), _as_object(parse_json(raw, str(desc)), str(desc)), source)


def _as_object(doc: object, where: str) -> dict:
    if not isinstance(doc, dict):
        raise InputError("the descriptor is not a JSON object", where=where)
    return doc
