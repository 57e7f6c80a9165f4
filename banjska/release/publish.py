"""`make-data publish`: a validated, versioned, byte-reproducible, atomic release under dist/.

Why this module exists: a citable dataset version must be immutable and verifiable. Publishing
therefore (1) refuses an invalid or stale package, (2) refuses a version number that understates the
changes since the last release (see versioning.py, diff.py), (3) writes the zip so that the same inputs
give the same bytes on every run (sorted entries, fixed timestamp and permissions, stored uncompressed),
(4) writes the release folder by a single rename, so a crash leaves the complete release or nothing,
and (5) never replaces a published version with different content: publishing a version whose dataset
is already published is a no-op ("already published as X.Y.Z"), even when only its documents differ,
so an edit to the toolkit or its docs never forces a data release. (6) One publish at a time: the
project directory is locked (flock on the directory itself: no lock file, nothing created before the
checks pass) for the whole publish; a second one exits 1 at once, and leftovers of a killed publish in
dist/ are removed only while holding the lock. `make-data bump` takes the same lock. A dist/ or root
that cannot be written is an environment problem (exit 2, naming the path), not a bug.

Layout: dist/<name>-<X.Y.Z>/<name>-<X.Y.Z>.zip and dist/<name>-<X.Y.Z>/SHA256SUMS (`sha256sum -c` format).
The zip holds the dataset only (see contents.py): datapackage.json at its top, data/, schemas/, seeds/
(the article and its capture metadata), docs/ (the generated codebook and its timeline figure), and
the dataset's own README.md (generated), CHANGELOG.md (the data sections), LICENSE (the data licence,
LICENSE-DATA) and CITATION.cff. The codebook and README must describe the version being released
(a stale codebook is refused). Entries are stored uncompressed: DEFLATE output depends on the zlib
build Python links (zlib-ng and others encode differently), so only stored entries give the same bytes
on every machine. The package is small, so the size cost is negligible.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import banjska.release.citation as citation
from banjska.build.descriptor import load_metadata
from banjska.build.layout import DESCRIPTOR
from banjska.build.schemas import read_json
from banjska.errors import PublishError
from banjska.files import sha256, write_all
from banjska.release.contents import CHANGELOG, is_document, release_entries
from banjska.release.diff import diff_packages, load_package
from banjska.release.versioning import DIST, Version, check_bump, release_dir, release_stem, releases, verify_sums

FILE_MODE = 0o644
TMP_PREFIX = ".publish-"
# errors of the environment (permissions, read-only or full disk): exit 2 with the path, never "a bug"
ENVIRONMENT_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT}


class NotWritable(PublishError):
    """dist/ or a root citation file cannot be written: an environment problem (exit 2)."""

    exit_code = 2


class PublishRunning(PublishError):
    """Another `make-data publish` (or bump) holds the lock on the project directory."""


@dataclass
class PublishResult:
    status: str  # "published", "unchanged" (same version, same content), "dry-run"
    name: str
    version: str
    previous: str
    bump: str
    reasons: list[str]
    folder: str  # relative to the repository root
    zip_name: str
    zip_sha256: str
    zip_bytes: int
    entries: list[str]
    citation_files: list[str] = field(default_factory=list)  # root files (citation, LICENSE-DATA) written or to write
    documents_changed: list[str] = field(default_factory=list)  # release documents that differ from the last release

    def as_dict(self) -> dict:
        return {"status": self.status, "name": self.name, "version": self.version,
                "previous_release": self.previous or None, "implied_bump": self.bump, "reasons": self.reasons,
                "folder": self.folder, "zip": {"name": self.zip_name, "sha256": self.zip_sha256,
                                               "bytes": self.zip_bytes},
                "files": [f"{self.folder}/{self.zip_name}", f"{self.folder}/SHA256SUMS"],
                "entries": self.entries, "citation_files": self.citation_files,
                "documents_changed": self.documents_changed}


# ----------------------------------------------------------------------------------------------- zip

def zip_bytes(entries: dict[str, bytes], date: str) -> bytes:
    """The same entries and date give the same bytes: sorted names, fixed time, mode and OS, no compression."""
    stamp = (int(date[:4]), int(date[5:7]), int(date[8:10]), 0, 0, 0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # Unix, so external_attr means the same everywhere
            info.external_attr = (0o100000 | FILE_MODE) << 16  # regular file, rw-r--r--
            info.compress_type = zipfile.ZIP_STORED
            zf.writestr(info, entries[name], compress_type=zipfile.ZIP_STORED)
    return buf.getvalue()


def zip_contents(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def sums_bytes(zip_name: str, data: bytes) -> bytes:
    return f"{sha256(data)}  {zip_name}\n".encode()


# -------------------------------------------------------------------------------------------- inputs

def check_ready(root: Path, meta: dict, version: Version) -> None:
    """Refuse an invalid, stale or undocumented package before anything is written."""
    from banjska.build.run import check as build_check
    from banjska.validate.core import validate_package

    report = validate_package(root)
    if not report.valid:
        first = "; ".join(f"{i.location()}: {i.message}" for i in report.issues[:3])
        raise PublishError(f"the package is invalid ({len(report.issues)} error(s)): {first}",
                           "Run `make-data validate` and fix every error before publishing.")
    _, differ = build_check(root)
    if differ:
        raise PublishError("data/ or datapackage.json differ from a fresh build: " + ", ".join(differ),
                           "Run `make-data build`, review and commit, then publish.")
    problems = citation.check_agreement(meta, read_json(root / DESCRIPTOR))
    if problems:
        raise PublishError("; ".join(problems), "Run `make-data build`.")
    check_codebook(root, version)
    changelog = (root / CHANGELOG).read_text(encoding="utf-8") if (root / CHANGELOG).exists() else ""
    heading = re.compile(rf"^## \[{re.escape(str(version))}\] - {re.escape(citation.release_date(meta))}\s*$", re.M)
    if not heading.search(changelog):
        raise PublishError(f"{CHANGELOG} has no entry '## [{version}] - {citation.release_date(meta)}'",
                           "`make-data bump` drafts it (or `make-data diff --changelog`: changes since the last "
                           "release); edit it into CHANGELOG.md, then publish.")


def check_codebook(root: Path, version: Version) -> None:
    """The codebook in the release must be the one `make-data codebook` makes now, for this version."""
    from banjska.consume.codebook import MARKDOWN
    from banjska.consume.codebook import check as codebook_check

    _, differ = codebook_check(root)
    if differ:
        raise PublishError(f"the codebook is stale (it must describe version {version}): "
                           + ", ".join(differ) + " differ from a fresh generation",
                           "Run `make-data codebook`, review and commit, then publish.")
    if f"version {version}" not in (root / MARKDOWN).read_text(encoding="utf-8"):
        raise PublishError(f"{MARKDOWN} does not state version {version}", "Run `make-data codebook`.")


# ------------------------------------------------------------------------------------------- publish

def _environment(exc: OSError, what: Path) -> NotWritable | None:
    if exc.errno not in ENVIRONMENT_ERRNOS:
        return None
    where = exc.filename or what
    return NotWritable(f"cannot write {where}: {exc.strerror or exc}",
                       f"Make {what} writable (or free space), then run `make-data publish` again.")


@contextlib.contextmanager
def publish_lock(root: Path):
    """Hold an exclusive, non-blocking lock on the project directory itself (no lock file is left behind).

    The lock belongs to the open descriptor: it ends when the publish ends or its process dies.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock (the rename still keeps each release whole)
        yield
        return
    try:
        fd = os.open(root, os.O_RDONLY)
    except OSError as exc:
        raise (_environment(exc, root) or exc) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishRunning(f"another publish (or bump) is running in {root}",
                                 "Wait for it to finish, then run `make-data publish` again.") from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock, also when the process is killed

def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, FILE_MODE)


def write_release(dist: Path, stem: str, zipped: bytes) -> Path:
    """Write the release folder under a temporary name, then rename it into place (all or nothing).

    Call it holding publish_lock(root): only then is every `.publish-*` folder a leftover of a killed
    publish rather than one a running publish is filling.
    """
    dist.mkdir(parents=True, exist_ok=True)
    for stale in dist.glob(TMP_PREFIX + "*"):  # left by a killed publish: never a release
        shutil.rmtree(stale, ignore_errors=True)
    final = dist / stem
    tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=dist))
    try:
        _write_file(tmp / f"{stem}.zip", zipped)
        _write_file(tmp / "SHA256SUMS", sums_bytes(f"{stem}.zip", zipped))
        os.chmod(tmp, 0o755)
        _fsync_dir(tmp)
        if final.exists():
            raise PublishError(f"{final} appeared while publishing", "Another publish ran at the same time; retry.")
        os.rename(tmp, final)
        _fsync_dir(dist)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def publish(root: Path, dry_run: bool = False) -> PublishResult:
    """Publish the version in metadata/dataset.yaml (a dry run checks everything and writes nothing)."""
    if dry_run:
        return _publish(root, dry_run=True)
    dist = root / DIST
    if dist.is_dir() and not os.access(dist, os.W_OK | os.X_OK):
        raise NotWritable(f"cannot write {dist}: permission denied",
                          f"Make {dist} writable, then run `make-data publish` again.")
    with publish_lock(root):
        return _publish(root, dry_run=False)


def _write_citation_files(root: Path, files: dict[str, bytes]) -> None:
    try:
        write_all(root, files)
    except OSError as exc:
        raise (_environment(exc, root) or exc) from exc


def _publish(root: Path, dry_run: bool) -> PublishResult:
    meta = load_metadata(root)
    name = str(meta["name"])
    version = Version.parse(str(meta.get("version")), where="metadata/dataset.yaml")
    check_ready(root, meta, version)
    entries = release_entries(root, meta)
    zipped = zip_bytes(entries, citation.release_date(meta))
    stem = release_stem(name, version)
    folder = release_dir(root, name, version)
    published = releases(root, name)
    citation_files = citation.root_files(meta)
    to_write = [rel for rel, data in citation_files.items()
                if not (root / rel).exists() or (root / rel).read_bytes() != data]

    previous, bump, reasons, documents = "", "none", [], []
    earlier = [v for v in published if v != version]
    if version in published or earlier:
        against = version if version in published else max(earlier)
        verify_sums(published[against].parent)
        d = diff_packages(load_package(published[against]), load_package(root))
        bump, reasons = d.bump, d.reasons()
        old_entries = zip_contents(published[against])
        differ = sorted(n for n in set(entries) | set(old_entries) if old_entries.get(n) != entries.get(n))
        documents = [n for n in differ if is_document(n)]
        dataset = [n for n in differ if not is_document(n)]
        if dataset and bump == "none":  # e.g. the seed's capture metadata: a correction
            bump = "patch"
            reasons += [f"{n}: changed [patch]" for n in dataset if n != DESCRIPTOR]
        previous = str(against)
        if version in published:
            if not dataset:  # the same dataset: already published (documents wait for the next version)
                result = PublishResult("unchanged", name, str(version), previous, "none", [],
                                       folder.relative_to(root).as_posix(), f"{stem}.zip",
                                       sha256(published[version].read_bytes()), published[version].stat().st_size,
                                       sorted(old_entries), to_write, documents)
                if not dry_run:
                    _write_citation_files(root, citation_files)
                return result
            higher = max(published)
            smallest = higher.bumped(bump if bump != "none" else "patch")
            shown = "; ".join(reasons[:5]) + (f"; and {len(reasons) - 5} more" if len(reasons) > 5 else "")
            raise PublishError(f"version {version} is already published with different content ({shown})",
                               f"A published version is never overwritten: run `make-data bump` (or set version: "
                               f"{smallest} in metadata/dataset.yaml and run `make-data build`), add its CHANGELOG "
                               "entry, then publish.")
        if documents and bump == "none":
            bump = "patch"
        reasons += [f"{n}: changed [patch]" for n in documents]
        check_bump(against, version, bump, reasons)

    result = PublishResult("dry-run" if dry_run else "published", name, str(version), previous, bump, reasons,
                           folder.relative_to(root).as_posix(), f"{stem}.zip", sha256(zipped), len(zipped),
                           sorted(entries), to_write, documents)
    if dry_run:
        return result
    try:
        write_release(root / DIST, stem, zipped)
    except OSError as exc:
        raise (_environment(exc, root / DIST) or exc) from exc
    try:
        _write_citation_files(root, citation_files)
    except NotWritable as exc:
        exc.hint = (f"{folder.relative_to(root)} was published; make the file writable and run "
                    "`make-data publish` again to write the citation files.")
        raise
    return result
