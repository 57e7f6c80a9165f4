"""`make-data publish`: a validated, versioned, byte-reproducible, atomic release under dist/.

Why this module exists: a citable dataset version must be immutable and verifiable. Publishing
therefore (1) refuses an invalid or stale package, (2) refuses a version number that understates the
changes since the last release (see versioning.py, diff.py), (3) writes the zip so that the same inputs
give the same bytes on every run (sorted entries, fixed timestamp and permissions, stored uncompressed),
(4) writes the release folder by a single rename, so a crash leaves the complete release or nothing,
and (5) never replaces a published version with different content (the same content is a no-op).

Layout: dist/<name>-<X.Y.Z>/<name>-<X.Y.Z>.zip and dist/<name>-<X.Y.Z>/SHA256SUMS (`sha256sum -c` format).
The zip holds datapackage.json at its top, data/, schemas/, seeds/ (the article and its capture
metadata), docs/ (the generated codebook and its timeline figure), README.md, CITATION.cff, LICENSE and
CHANGELOG.md. Entries are stored uncompressed: DEFLATE output depends on the zlib build Python links (zlib-ng
and others encode differently), so only stored entries give the same bytes on every machine. The package
is small, so the size cost is negligible.
"""

from __future__ import annotations

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
from banjska.build.layout import DESCRIPTOR, SEEDS
from banjska.build.schemas import read_json
from banjska.errors import PublishError
from banjska.files import sha256, write_all
from banjska.release.diff import diff_packages, load_package
from banjska.release.versioning import DIST, Version, check_bump, release_dir, release_stem, releases, verify_sums

DOCS = ("README.md", "LICENSE", "CHANGELOG.md")
CODEBOOK = ("docs/codebook.md", "docs/codebook.html", "docs/timeline.png")
CHANGELOG = "CHANGELOG.md"
FILE_MODE = 0o644
TMP_PREFIX = ".publish-"


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
    citation_files: list[str] = field(default_factory=list)  # root citation files written (or to write)

    def as_dict(self) -> dict:
        return {"status": self.status, "name": self.name, "version": self.version,
                "previous_release": self.previous or None, "implied_bump": self.bump, "reasons": self.reasons,
                "folder": self.folder, "zip": {"name": self.zip_name, "sha256": self.zip_sha256,
                                               "bytes": self.zip_bytes},
                "files": [f"{self.folder}/{self.zip_name}", f"{self.folder}/SHA256SUMS"],
                "entries": self.entries, "citation_files": self.citation_files}


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

def _read(root: Path, rel: str) -> bytes:
    path = root / rel
    if not path.is_file():
        raise PublishError(f"{rel} is missing", f"A release must include {rel}.")
    return path.read_bytes()


def release_entries(root: Path, meta: dict) -> dict[str, bytes]:
    """Every file that goes into the zip, by its path inside the zip."""
    desc = read_json(root / DESCRIPTOR)
    entries = {DESCRIPTOR: _read(root, DESCRIPTOR)}
    for res in desc["resources"]:
        entries[res["path"]] = _read(root, res["path"])
        if isinstance(res.get("schema"), str):
            entries[res["schema"]] = _read(root, res["schema"])
    for path in sorted((root / SEEDS).glob("*")):
        if path.is_file():
            entries[f"{SEEDS}/{path.name}"] = path.read_bytes()
    for rel in DOCS + CODEBOOK:
        entries[rel] = _read(root, rel)
    entries[citation.CFF] = citation.cff_bytes(meta)
    return entries


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
    changelog = (root / CHANGELOG).read_text(encoding="utf-8") if (root / CHANGELOG).exists() else ""
    heading = re.compile(rf"^## \[{re.escape(str(version))}\] - {re.escape(citation.release_date(meta))}\s*$", re.M)
    if not heading.search(changelog):
        raise PublishError(f"{CHANGELOG} has no entry '## [{version}] - {citation.release_date(meta)}'",
                           "Draft it with `make-data diff --changelog` (changes since the last release), "
                           "edit it into CHANGELOG.md, then publish.")


# ------------------------------------------------------------------------------------------- publish

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
    """Write the release folder under a temporary name, then rename it into place (all or nothing)."""
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
    meta = load_metadata(root)
    name = str(meta["name"])
    version = Version.parse(str(meta.get("version")), where="metadata/dataset.yaml")
    check_ready(root, meta, version)
    entries = release_entries(root, meta)
    zipped = zip_bytes(entries, citation.release_date(meta))
    stem = release_stem(name, version)
    folder = release_dir(root, name, version)
    published = releases(root, name)
    citation_files = citation.generated_files(meta)
    to_write = [rel for rel, data in citation_files.items()
                if not (root / rel).exists() or (root / rel).read_bytes() != data]

    previous, bump, reasons = "", "none", []
    earlier = [v for v in published if v != version]
    if version in published or earlier:
        against = version if version in published else max(earlier)
        verify_sums(published[against].parent)
        d = diff_packages(load_package(published[against]), load_package(root))
        bump, reasons = d.bump, d.reasons()
        old_entries = zip_contents(published[against])
        package_files = {DESCRIPTOR} | {r["path"] for r in d.new.descriptor["resources"]} | {
            r["schema"] for r in d.new.descriptor["resources"] if isinstance(r.get("schema"), str)}
        docs = sorted(n for n in set(entries) | set(old_entries)
                      if n not in package_files and old_entries.get(n) != entries.get(n))
        if docs and bump == "none":
            bump = "patch"
        reasons += [f"{n}: changed [patch]" for n in docs]
        previous = str(against)
        if version in published:
            if old_entries == entries:
                status = "unchanged"
                result = PublishResult(status, name, str(version), previous, "none", [], folder.relative_to(root).as_posix(),
                                       f"{stem}.zip", sha256(published[version].read_bytes()),
                                       published[version].stat().st_size, sorted(entries), to_write)
                if not dry_run:
                    write_all(root, citation_files)
                return result
            higher = max(published)
            smallest = higher.bumped(bump if bump != "none" else "patch")
            shown = "; ".join(reasons[:5]) + (f"; and {len(reasons) - 5} more" if len(reasons) > 5 else "")
            raise PublishError(f"version {version} is already published with different content ({shown})",
                               f"A published version is never overwritten: set version: {smallest} in "
                               "metadata/dataset.yaml, run `make-data build`, add its CHANGELOG entry, then publish.")
        check_bump(against, version, bump, reasons)

    result = PublishResult("dry-run" if dry_run else "published", name, str(version), previous, bump, reasons,
                           folder.relative_to(root).as_posix(), f"{stem}.zip", sha256(zipped), len(zipped),
                           sorted(entries), to_write)
    if dry_run:
        return result
    write_release(root / DIST, stem, zipped)
    write_all(root, citation_files)
    return result
