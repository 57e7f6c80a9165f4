"""The seed article: load it, prove it is the captured text (sha256), and cut it into addressable units.

Units are sentences addressed as L<line>S<sentence> with character offsets into the text. Splitting is a
documented rule, not a model, so the ids never change while the text does not: a sentence ends at
'.', '!' or '?' (optionally followed by a closing '"') when whitespace and then a capital letter or an
opening '"' follow. Lines are paragraphs and never share a sentence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from banjska.build.layout import SEEDS
from banjska.errors import BuildError, InputError

SENTENCE_END = re.compile(r'[.!?]"?(?=\s+["A-Z])')
UNIT_KINDS = ("title", "lede", "body", "subheading", "navigation")


@dataclass(frozen=True)
class Unit:
    unit_id: str
    line: int
    sentence: int
    start: int
    end: int
    kind: str
    text: str


@dataclass(frozen=True)
class Seed:
    meta: dict
    text: str
    path: Path

    @property
    def source_id(self) -> str:
        return self.meta["source_id"]


def load_yaml(path: Path) -> object:
    """Read a YAML file, turning a syntax error into a located, human message."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"file not found: {path}", "Restore it from git.") from None
    except UnicodeDecodeError as exc:
        raise BuildError(f"not UTF-8 at byte {exc.start}", "Save the file as UTF-8.", where=str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BuildError(f"YAML syntax error: {problem}", "Fix the YAML at that position.", where=where) from None


def find_meta(root: Path) -> Path:
    metas = sorted((root / SEEDS).glob("*.meta.yaml"))
    if len(metas) != 1:
        raise BuildError(f"expected exactly one seed metadata file in {SEEDS}/, found {len(metas)}",
                         "Keep one <name>.meta.yaml beside the seed text.")
    return metas[0]


def load_seed(root: Path) -> Seed:
    """Load the seed text and its metadata; refuse a text whose bytes are not the captured ones."""
    meta_path = find_meta(root)
    meta = load_yaml(meta_path)
    path = root / meta["path"]
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BuildError(f"seed text {meta['path']} is missing", "Restore it from git.", where=str(meta_path)) from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != meta["sha256"] or len(raw) != meta["bytes"]:
        raise BuildError(
            f"seed text {meta['path']} has sha256 {digest} ({len(raw)} bytes) but its metadata records "
            f"{meta['sha256']} ({meta['bytes']} bytes)",
            "The article must stay byte-for-byte as captured: restore it with `git checkout -- seeds/`.",
            where=str(meta_path.relative_to(root)),
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BuildError(f"seed text is not UTF-8 at byte {exc.start}", where=meta["path"]) from None
    check_weekdays(meta, text)
    return Seed(meta=meta, text=text, path=path)


def check_weekdays(meta: dict, text: str) -> None:
    """The year is not printed: verify the resolved dates fall on the weekdays the text prints."""
    for item in meta.get("weekday_checks", []):
        if item["quote"] not in text:
            raise BuildError(f"weekday check quote {item['quote']!r} is not in the text", where="seed metadata")
        day = dt.date.fromisoformat(item["date"])
        if day.strftime("%A") != item["weekday"]:
            raise BuildError(f"{item['date']} is a {day.strftime('%A')}, not a {item['weekday']} as the text says",
                             "Correct reference_date / weekday_checks in the seed metadata.", where="seed metadata")


def segment(text: str, line_kinds: dict[int, str]) -> list[Unit]:
    """Cut the text into sentence units with offsets; classify each by its line."""
    units: list[Unit] = []
    offset = 0
    for line_no, line in enumerate(text.split("\n"), start=1):
        kind = line_kinds.get(line_no, "body")
        if kind not in UNIT_KINDS:
            raise BuildError(f"line {line_no} has unknown kind {kind!r}", f"Use one of {', '.join(UNIT_KINDS)}.",
                             where="seed metadata line_kinds")
        pieces, cursor = [], 0
        for match in SENTENCE_END.finditer(line):
            pieces.append((cursor, match.end()))
            cursor = match.end()
            while cursor < len(line) and line[cursor].isspace():
                cursor += 1
        if cursor < len(line):
            pieces.append((cursor, len(line.rstrip())))
        for n, (a, b) in enumerate(pieces, start=1):
            units.append(Unit(f"L{line_no:02d}S{n:02d}", line_no, n, offset + a, offset + b, kind, line[a:b]))
        offset += len(line) + 1
    return units
