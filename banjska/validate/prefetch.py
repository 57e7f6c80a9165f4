"""Read every resource file and verify its size and hash, in one background thread.

validate starts this before it imports pyarrow and numpy (about 0.2 s): the files are read, then
hashed (SHA-256 of a 240 MB package is ~0.6 s of CPU, and hashlib releases the GIL) while the
interpreter is still importing; parsing and then the checks overlap with the rest of the hashing
(validate collects the size and hash verdicts last).
"""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import Future

from banjska.package.reader import Bytes, Source
from banjska.report import Issue

REBUILD = ("The file differs from what datapackage.json records. In a make-data project, edit annotations/ "
           "and run `make-data build` (which overwrites hand edits to data/); otherwise regenerate the "
           "descriptor with the tool that made the package.")


def declared_hash(resource: dict) -> tuple[str, str] | None:
    """(algorithm, hex digest) the descriptor declares (md5 unless prefixed), if it is one we compute."""
    h = resource.get("hash")
    if not isinstance(h, str) or not h:
        return None
    algo, _, digest = h.rpartition(":")
    algo = (algo or "md5").lower()
    return (algo, digest) if algo in {"md5", "sha1", "sha256", "sha512"} else None


def compare_bytes(size: int, actual: str | None, resource: dict, file: str, table: str) -> list[Issue]:
    """Compare a file's size and digest (of the declared algorithm) with what the descriptor declares."""
    issues = []
    declared = resource.get("bytes")
    if declared is not None and declared != size:
        issues.append(Issue(table, "byte-count", f"file has {size} bytes, the descriptor declares {declared}",
                            file=file, hint=REBUILD))
    expected = declared_hash(resource)
    if expected is not None and actual != expected[1].lower():
        issues.append(Issue(table, "hash-count", f"{expected[0]} of the file is {actual}, the descriptor declares "
                            f"{expected[1]}", file=file, hint=REBUILD))
    return issues


def check_bytes(data: Bytes, resource: dict, file: str, table: str) -> list[Issue]:
    """Compare size and hash with what the descriptor declares."""
    expected = declared_hash(resource)
    actual = hashlib.new(expected[0], data).hexdigest() if expected else None
    return compare_bytes(len(data), actual, resource, file, table)


class Prefetch:
    """Each file's bytes and byte/hash issues, as futures filled by one thread, largest file first."""

    def __init__(self, source: Source, files: dict[str, tuple[dict, str]]):
        files = dict(files)  # the caller may change its dict while this thread reads
        self.order = sorted(files, key=lambda name: -file_size(source, files[name][1]))
        self._dropped: set[str] = set()
        self._data: dict[str, Future] = {name: Future() for name in files}
        self._checked: dict[str, Future] = {name: Future() for name in files}
        threading.Thread(target=self._run, args=(source, files), name="prefetch", daemon=True).start()

    def _run(self, source: Source, files: dict[str, tuple[dict, str]]) -> None:
        read = {}
        for name in self.order:  # reading is quick: every parse can start before any hashing
            try:
                read[name] = source.data(files[name][1])
                self._data[name].set_result(read[name])
            except BaseException as exc:  # noqa: BLE001 - re-raised to whoever asks for the data
                self._data[name].set_exception(exc)
                self._checked[name].set_result([])
        for name in read:
            if name in self._dropped:  # validated in batches instead (validate/stream.py), which hashes it
                read[name] = None
                self._checked[name].set_result([])
                continue
            res, path = files[name]
            try:
                self._checked[name].set_result(check_bytes(read[name], res, path, name))
            except BaseException as exc:  # noqa: BLE001
                self._checked[name].set_exception(exc)

    def drop(self, names: set[str]) -> None:
        """Files another reader takes over: not hashed here, unless hashing them has begun."""
        self._dropped |= names

    def data(self, name: str) -> Bytes:
        return self._data[name].result()

    def checked(self, name: str) -> list[Issue]:
        return self._checked[name].result()


def file_size(source: Source, rel: str | None) -> int:
    """The file's size, or 0 if it cannot be had (refused files are reported when they are read)."""
    if rel is None:
        return 0
    try:
        return source.size(rel)
    except Exception:  # noqa: BLE001 - refused files were reported already; order only
        return 0
