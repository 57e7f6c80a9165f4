"""Deterministic file output: CSV bytes, JSON bytes, and atomic writes (temp file, then rename)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from pathlib import Path


def csv_bytes(header: list[str], rows: list[dict[str, str]]) -> bytes:
    """UTF-8 without BOM, LF line ends, minimal quoting, columns in schema order."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return buf.getvalue().encode("utf-8")


def json_bytes(doc: object) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write next to the target and rename: readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_all(root: Path, files: dict[str, bytes]) -> list[str]:
    """Write every file atomically; return the paths whose bytes changed."""
    changed = []
    for rel, data in files.items():
        target = root / rel
        if not target.exists() or target.read_bytes() != data:
            write_atomic(target, data)
            changed.append(rel)
    return changed


STAGING_PREFIX = ".build-staging-"


class StagingFailed(OSError):
    """A staged write failed: `path` is the file it failed on (relative to the root), `phase` "write" (into
    the staging directory) or "swap" (moving into place); `restored` says the previous files are back."""

    def __init__(self, exc: OSError, path: str, phase: str, staging: Path, restored: bool):
        super().__init__(exc.errno, exc.strerror or str(exc), path)
        self.path, self.phase, self.staging, self.restored = path, phase, staging, restored


def clean_leftovers(root: Path, rels: list[str], prefix: str = STAGING_PREFIX, tmp_dirs: tuple[str, ...] = ()) -> None:
    """Remove what a killed run left: staging directories `<root>/<prefix>*`, the `.<name>.*.tmp` files
    write_atomic leaves beside each of `rels`, and every `.*.tmp` file directly in `tmp_dirs`."""
    import glob
    import shutil

    for path in root.glob(glob.escape(prefix) + "*"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    stale = set()
    for rel in rels:
        target = root / rel
        stale |= {p for p in target.parent.glob(f".{glob.escape(target.name)}.*.tmp")} if target.parent.is_dir() else set()
    for rel in tmp_dirs:
        stale |= set((root / rel).glob(".*.tmp")) if (root / rel).is_dir() else set()
    for path in stale:
        if path.is_file() or path.is_symlink():
            path.unlink(missing_ok=True)


def write_staged(root: Path, files: dict[str, bytes], prefix: str = STAGING_PREFIX) -> list[str]:
    """Write the changed files into `<root>/<prefix><random>/` first, then rename each into place.

    A failure while staging touches nothing in place; a failure while moving puts back the files already
    moved (the previous ones are hard links, or copies, under the staging directory until the end). Either
    way StagingFailed is raised and the previous package stays whole. Returns the paths whose bytes changed.
    """
    import shutil

    changed = [rel for rel, data in files.items()
               if not (root / rel).is_file() or (root / rel).read_bytes() != data]
    if not changed:
        return []
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=root))
    moved: list[tuple[Path, Path | None]] = []  # (target, its previous version under staging, or None)
    phase, current = "write", changed[0]
    try:
        for current in changed:
            path = staging / "new" / current
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(files[current])
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(path, 0o644)
        phase = "swap"
        for current in changed:
            target = root / current
            backup = None
            if target.exists():
                backup = staging / "old" / current
                backup.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(target, backup)
                except OSError:
                    shutil.copy2(target, backup)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / "new" / current, target)
            moved.append((target, backup))
    except OSError as exc:
        restored = _put_back(moved)
        if restored:
            shutil.rmtree(staging, ignore_errors=True)
        raise StagingFailed(exc, current, phase, staging, restored) from exc
    except BaseException:
        if _put_back(moved):
            shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    return changed


def _put_back(moved: list[tuple[Path, Path | None]]) -> bool:
    """Undo the moves of a failed write_staged, newest first; False if some file could not be put back."""
    ok = True
    for target, backup in reversed(moved):
        try:
            if backup is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(backup, target)
        except OSError:
            ok = False
    return ok
