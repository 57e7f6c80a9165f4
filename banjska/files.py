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
