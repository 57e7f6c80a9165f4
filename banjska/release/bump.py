"""`make-data bump`: set the next version from what changed since the last release, and draft its notes.

Why this module exists: choosing the version number by hand is where releases go wrong (a correction
published as a new minor, a breaking change as a patch). bump computes the smallest version the changes
allow (diff.py, the Data Package Version recipe) against the last release in dist/, lets the maintainer
raise the level (--level) but never lower it, and then does the release preparation the README used to
list as manual steps:

1. writes `version`, `created` and `date_released` into metadata/dataset.yaml by editing those lines
   only (comments, order and quoting of the file stay as they are);
2. rebuilds data/ and datapackage.json, and regenerates the codebook (it states the version);
3. drafts the CHANGELOG.md entry from the row-level diff, inserted below `## [Unreleased]` (above the
   previous release), for the maintainer to edit before `make-data publish`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from banjska.build.descriptor import load_metadata
from banjska.build.layout import METADATA
from banjska.errors import InputError, PublishError
from banjska.files import write_atomic
from banjska.release.contents import CHANGELOG
from banjska.release.versioning import LEVELS, Version, last_release, rank

_VERSION_HEADING = re.compile(r"^## \[\d+\.\d+\.\d+\]", re.M)


@dataclass
class BumpResult:
    previous: str
    version: str
    level: str  # the level applied
    implied: str  # the level the changes need
    date: str
    reasons: list[str]
    changelog: str  # the drafted entry
    changed: list[str] = field(default_factory=list)  # files written

    def as_dict(self) -> dict:
        return {"previous_release": self.previous, "version": self.version, "level": self.level,
                "implied_bump": self.implied, "date": self.date, "reasons": self.reasons,
                "changelog": self.changelog, "changed": self.changed}


def parse_date(text: str | None) -> str:
    """--date as YYYY-MM-DD (default: today)."""
    if text is None:
        return dt.date.today().isoformat()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise InputError(f"--date {text!r} is not a date YYYY-MM-DD", "For example --date 2026-12-01.")


def set_line(text: str, key: str, value: str) -> str:
    """Replace the value of one top-level `key:` line, keeping its trailing comment and everything else."""
    pattern = re.compile(rf"^({re.escape(key)}:[ \t]*)([^#\n]*?)([ \t]+#[^\n]*)?$", re.M)
    found = pattern.findall(text)
    if len(found) != 1:
        raise InputError(f"{METADATA} has {len(found)} top-level '{key}:' lines, expected one",
                         f"Keep exactly one line '{key}: ...' so that bump can edit it.")
    return pattern.sub(lambda m: m.group(1) + value + (m.group(3) or ""), text, count=1)


def set_version_lines(text: str, version: Version, date: str) -> str:
    text = set_line(text, "version", str(version))
    text = set_line(text, "created", f'"{date}T00:00:00Z"')
    return set_line(text, "date_released", f'"{date}"')


def insert_entry(changelog: str, entry: str, version: Version, date: str) -> str:
    """Put the drafted entry below `## [Unreleased]` and its notes, above the last release's section.

    If the version already has a section (bump run twice), only its heading's date is updated.
    """
    own = re.compile(rf"^## \[{re.escape(str(version))}\][^\n]*$", re.M)
    if own.search(changelog):
        return own.sub(f"## [{version}] - {date}", changelog, count=1)
    if not re.search(r"^## \[Unreleased\]", changelog, re.M):
        raise InputError(f"{CHANGELOG} has no '## [Unreleased]' heading",
                         "Keep a Changelog: add '## [Unreleased]' above the released versions.")
    block = entry.rstrip("\n") + "\n\n"
    m = _VERSION_HEADING.search(changelog)
    if m is None:
        return changelog.rstrip("\n") + "\n\n" + block.rstrip("\n") + "\n"
    return changelog[:m.start()] + block + changelog[m.start():]


def bump(root: Path, level: str | None = None, date: str | None = None) -> BumpResult:
    """Set the next version (the smallest the changes allow, or `level` if higher), rebuild, draft notes."""
    from banjska.release.publish import publish_lock

    with publish_lock(root):  # never while a publish reads the same files
        return _bump(root, level, date)


def _bump(root: Path, level: str | None, date: str | None) -> BumpResult:
    from banjska.build.run import build
    from banjska.consume.codebook import write as write_codebook
    from banjska.release.diff import changelog_entry, diff_packages, load_package

    if level is not None and level not in LEVELS[1:]:
        raise InputError(f"--level {level!r} is not one of patch, minor, major")
    day = parse_date(date)
    meta = load_metadata(root)
    found = last_release(root, str(meta["name"]))
    if found is None:
        raise PublishError(f"there is no release of {meta['name']} in {root / 'dist'} to bump from",
                           f"The first release is the version in {METADATA} ({meta.get('version')}): "
                           "run `make-data publish`.")
    last, last_zip = found
    changed = list(build(root).changed)  # the data as the annotations say now
    old = load_package(last_zip)
    d = diff_packages(old, load_package(root))
    implied, reasons = d.bump, d.reasons()
    if level is None:
        if implied == "none":
            raise PublishError(f"nothing changed in the data, schemas or metadata since {last}",
                               "There is nothing to release. To release documentation changes only, "
                               "run `make-data bump --level patch`.")
        level = implied
    elif rank(level) < rank(implied):
        raise InputError(f"--level {level} is lower than the changes since {last} need ({implied}): "
                         + "; ".join(reasons[:5]),
                         f"Use --level {implied} (or higher), or leave --level out.")
    version = last.bumped(level)

    meta_path = root / METADATA
    text = meta_path.read_text(encoding="utf-8")
    new_text = set_version_lines(text, version, day)
    if new_text != text:
        write_atomic(meta_path, new_text.encode("utf-8"))
        changed.append(METADATA)
    changed += build(root).changed
    changed += write_codebook(root).changed

    entry = changelog_entry(diff_packages(old, load_package(root)))
    log_path = root / CHANGELOG
    log = log_path.read_text(encoding="utf-8") if log_path.exists() else "# Changelog\n\n## [Unreleased]\n"
    new_log = insert_entry(log, entry, version, day)
    if new_log != log or not log_path.exists():
        write_atomic(log_path, new_log.encode("utf-8"))
        changed.append(CHANGELOG)
    return BumpResult(str(last), str(version), level, implied, day, reasons, entry,
                      sorted(dict.fromkeys(changed)))
