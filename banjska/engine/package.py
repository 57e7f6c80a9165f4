"""Open a data package safely from a directory, a datapackage.json path or a release .zip.

A package is untrusted input: resource paths must stay inside the package (no absolute paths, no
'..', no URLs), zip members must not escape on extraction, and every problem is a located Issue
rather than an exception. Only an input that cannot be read at all raises InputError (exit 2).
"""

from __future__ import annotations

import json
import shutil
import stat
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterator

from ..errors import InputError
from ..report import Issue

MAX_UNZIPPED = 4 * 1024**3  # refuse archives that would unpack to more than 4 GiB


@dataclass
class Package:
    base: Path                     # directory the resource paths are relative to
    descriptor: dict
    label: str                     # how to name the package in messages
    issues: list[Issue] = field(default_factory=list)
    schemas: dict[str, dict] = field(default_factory=dict)  # resource name -> resolved Table Schema


def unsafe_reason(path: str) -> str:
    """Why a resource path may not be followed, or '' when it is safe."""
    if not isinstance(path, str) or not path:
        return "path is empty or not a string"
    if "://" in path:
        return "remote paths (URLs) are not validated offline"
    p = PurePosixPath(path.replace("\\", "/"))
    if p.is_absolute() or (len(path) > 1 and path[1] == ":"):
        return "absolute paths are not allowed"
    if ".." in p.parts:
        return "paths may not contain '..'"
    return ""


def _read_descriptor(path: Path) -> dict:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 at byte {exc.start}", "Save datapackage.json as UTF-8.", where=str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                         "Fix the JSON syntax of the descriptor.", where=str(path)) from None
    if not isinstance(doc, dict):
        raise InputError("the descriptor is not a JSON object", where=str(path))
    return doc


def _safe_extract(archive: Path, dest: Path) -> None:
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"not a readable zip file: {exc}", where=str(archive)) from None
    with zf:
        total = 0
        for info in zf.infolist():
            reason = unsafe_reason(info.filename.rstrip("/")) if info.filename.rstrip("/") else "empty member name"
            mode = info.external_attr >> 16
            if reason:
                raise InputError(f"zip member {info.filename!r} would escape the archive ({reason})",
                                 "Refusing to extract it; rebuild the archive with relative paths.", where=str(archive))
            if stat.S_ISLNK(mode):
                raise InputError(f"zip member {info.filename!r} is a symbolic link", "Links are not extracted.", where=str(archive))
            total += info.file_size
            if total > MAX_UNZIPPED:
                raise InputError("archive unpacks to more than 4 GiB", where=str(archive))
        for info in zf.infolist():
            target = dest / info.filename
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError, OSError) as exc:
                raise InputError(f"zip member {info.filename!r} cannot be extracted: {exc}",
                                 "Rebuild the archive (unencrypted, stored or deflated).", where=str(archive)) from None


def _find_descriptor_in(folder: Path, archive: Path) -> Path:
    direct = folder / "datapackage.json"
    if direct.exists():
        return direct
    found = sorted(folder.glob("*/datapackage.json"))
    if len(found) == 1:
        return found[0]
    raise InputError("no datapackage.json at the top level of the archive", where=str(archive))


@contextmanager
def open_package(target: str | Path) -> Iterator[Package]:
    """Yield a Package for a directory, descriptor path or zip; temporary extractions are removed after."""
    path = Path(target)
    if not path.exists():
        raise InputError(f"no data package at {path}", "Pass a package directory, its datapackage.json, or a release .zip.")
    if path.is_file() and path.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory(prefix="make-data-zip-") as tmp:
            _safe_extract(path, Path(tmp))
            desc = _find_descriptor_in(Path(tmp), path)
            yield Package(desc.parent, _read_descriptor(desc), f"{path}!{desc.relative_to(tmp).as_posix()}")
        return
    desc = path / "datapackage.json" if path.is_dir() else path
    if not desc.exists():
        raise InputError(f"no data package at {path} (no datapackage.json)",
                         "Pass a package directory, its datapackage.json, or a release .zip.")
    yield Package(desc.parent, _read_descriptor(desc), str(desc))
