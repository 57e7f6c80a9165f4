"""Data versions: the Frictionless "Data Package Version" recipe as code, and where releases live.

Why this module exists: publishing must refuse a version number that understates what changed since
the last release. That needs three small things kept in one place: parsing MAJOR.MINOR.PATCH, ordering
bump levels (none < patch < minor < major), and finding the published releases in `dist/`.

Release layout (see README "Releases and citation"): one folder per version,
`dist/<name>-<X.Y.Z>/` holding `<name>-<X.Y.Z>.zip` and `SHA256SUMS`. The folder appears by a single
rename, so a folder with that name is a complete release; anything else in dist/ (e.g. a leftover
`.publish-*` temp folder from a killed process) is ignored. The "last release" is the highest version
among those folders.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from banjska.errors import InputError, PublishError

DIST = "dist"
SUMS = "SHA256SUMS"
LEVELS = ("none", "patch", "minor", "major")
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str, where: str = "") -> Version:
        m = _SEMVER.match(str(text).strip())
        if not m:
            raise InputError(f"version {text!r} is not MAJOR.MINOR.PATCH (e.g. 1.0.0)",
                             "Data versions follow the Frictionless Data Package Version recipe.", where=where)
        return cls(*(int(g) for g in m.groups()))

    def bumped(self, level: str) -> Version:
        if level == "major":
            return Version(self.major + 1, 0, 0)
        if level == "minor":
            return Version(self.major, self.minor + 1, 0)
        if level == "patch":
            return Version(self.major, self.minor, self.patch + 1)
        return self

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def rank(level: str) -> int:
    return LEVELS.index(level)


def highest(levels) -> str:
    """The largest bump level among `levels` ("none" if empty)."""
    return max(levels, key=rank, default="none")


def bump_between(old: Version, new: Version) -> str:
    """Which component `new` bumps relative to `old`; "none" if it is not higher."""
    if new.major > old.major:
        return "major"
    if new.major == old.major and new.minor > old.minor:
        return "minor"
    if (new.major, new.minor) == (old.major, old.minor) and new.patch > old.patch:
        return "patch"
    return "none"


def check_bump(old: Version, new: Version, implied: str, reasons: list[str] | None = None) -> None:
    """Refuse `new` if it is not above `old` or bumps less than the changes imply."""
    smallest = old.bumped(implied if implied != "none" else "patch")
    why = ""
    if reasons:
        shown = "; ".join(reasons[:5]) + (f"; and {len(reasons) - 5} more" if len(reasons) > 5 else "")
        why = f" Changes since {old}: {shown}."
    if new <= old:
        raise PublishError(f"version {new} is not above the last release {old}.{why}",
                           f"Set version: {smallest} (or higher) in metadata/dataset.yaml, run `make-data build`, "
                           "then publish again.")
    given = bump_between(old, new)
    if rank(given) < rank(implied):
        raise PublishError(f"version {new} is a {given} bump over {old}, but the changes need a {implied} bump.{why}",
                           f"The smallest allowed version is {smallest}: set it in metadata/dataset.yaml, run "
                           "`make-data build`, then publish again.")


def release_stem(name: str, version: Version | str) -> str:
    return f"{name}-{version}"


def release_dir(root: Path, name: str, version: Version | str) -> Path:
    return root / DIST / release_stem(name, version)


def releases(root: Path, name: str) -> dict[Version, Path]:
    """Published releases of package `name`: version -> zip path (complete release folders only)."""
    found: dict[Version, Path] = {}
    dist = root / DIST
    if not dist.is_dir():
        return found
    prefix = f"{name}-"
    for folder in dist.iterdir():
        if not folder.is_dir() or not folder.name.startswith(prefix):
            continue
        text = folder.name[len(prefix):]
        if not _SEMVER.match(text):
            continue
        zip_path = folder / f"{folder.name}.zip"
        if zip_path.is_file() and (folder / "SHA256SUMS").is_file():
            found[Version.parse(text)] = zip_path
    return found


def last_release(root: Path, name: str) -> tuple[Version, Path] | None:
    found = releases(root, name)
    if not found:
        return None
    version = max(found)
    return version, found[version]


def release_zip(path: Path) -> Path:
    """A release folder of dist/ (no datapackage.json, one zip) stands for its zip; other paths as given."""
    if path.is_dir() and not (path / "datapackage.json").exists():
        zips = sorted(path.glob("*.zip"))
        if len(zips) == 1:
            return zips[0]
    return path


def verify_sums(folder: Path) -> None:
    """A published release must still match its SHA256SUMS; otherwise nothing can be compared with it."""
    for line in (folder / SUMS).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        target = folder / name.strip()
        if not target.is_file() or hashlib.sha256(target.read_bytes()).hexdigest() != digest.strip():
            raise PublishError(f"{target} does not match {folder.name}/{SUMS}",
                               "A published release was modified: restore it from git (`git checkout dist/`).")
