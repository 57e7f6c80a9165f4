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


class Mapping(dict):
    """A YAML mapping that remembers where it was written: `line` (its first key) and `lines` (key -> line).

    `typed` names the plain (unquoted) values that YAML 1.1 would have read as something other than text
    (key -> "int", "float", "bool", "null", "timestamp"): they are kept as text, and metadata refuses them.
    """

    line: int = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: dict[str, int] = {}
        self.typed: dict[str, str] = {}


class Sequence(list):
    """A YAML sequence with the line of the sequence (`line`) and of each item (`lines`, `typed` as Mapping)."""

    line: int = 0

    def __init__(self, *args):
        super().__init__(*args)
        self.lines: list[int] = []
        self.typed: dict[int, str] = {}


class YamlRefused(Exception):
    """The text is valid YAML but uses a feature the project does not accept (see StrictLoader)."""

    def __init__(self, line: int, message: str, hint: str = ""):
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


class StrictLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
                   yaml.resolver.Resolver):
    """Composes YAML nodes (no constructor: every scalar stays text) and refuses anchors, aliases and tags.

    The YAML 1.1 resolver still runs so that each plain scalar's node tag says what PyYAML would have made
    of it (an int for `010`, a bool for `NO`): `build_value` keeps the text and records the type.
    """

    def __init__(self, stream: str):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.resolver.Resolver.__init__(self)

    def compose_node(self, parent, index):
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise YamlRefused(line, "anchors and aliases (&name, *name) are not allowed",
                              "Write the value out in full: every record must read on its own.")
        if getattr(event, "tag", None) is not None:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            raise YamlRefused(line, f"YAML tags ({tag}) are not allowed",
                              "Remove the tag: values are plain text, typed by the Table Schema.")
        return super().compose_node(parent, index)


def _short_tag(tag: str) -> str:
    return tag.rsplit(":", 1)[-1]


def build_value(node: yaml.Node) -> object:
    """Node tree -> Mapping / Sequence / str, refusing duplicate and non-text keys."""
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        out = Sequence()
        out.line = node.start_mark.line + 1
        for i, item in enumerate(node.value):
            out.append(build_value(item))
            out.lines.append(item.start_mark.line + 1)
            if _is_typed(item):
                out.typed[i] = _short_tag(item.tag)
        return out
    out = Mapping()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise YamlRefused(line, "a key must be text, not a list or mapping")
        key = key_node.value
        if key in out:
            raise YamlRefused(line, f"duplicate key {key!r} (first at line {out.lines[key]})",
                              "Keep one of them: YAML readers silently drop all but the last.")
        out[key] = build_value(value_node)
        out.lines[key] = line
        if _is_typed(value_node):
            out.typed[key] = _short_tag(value_node.tag)
    return out


def _is_typed(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.style is None and node.tag != "tag:yaml.org,2002:str"


def parse_yaml(text: str) -> object:
    """One YAML document as Mapping / Sequence / str (None for an empty document); raises YamlRefused."""
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    return None if node is None else build_value(node)


def load_yaml(path: Path, label: str = "") -> object:
    """Read a YAML file strictly (see StrictLoader): every scalar is text, every mapping and sequence knows
    its lines, and a syntax error or refused feature becomes a located, human message (`label:line`)."""
    label = label or str(path)
    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"file not found: {path}", "Restore it from git.") from None
    except UnicodeDecodeError as exc:
        raise BuildError(f"not UTF-8 at byte {exc.start}", "Save the file as UTF-8.", where=label) from None
    except YamlRefused as exc:
        raise BuildError(exc.message, exc.hint, where=f"{label}:{exc.line}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark else label
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
    label = meta_path.relative_to(root).as_posix()
    meta = load_yaml(meta_path, label)
    path = root / meta["path"]
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BuildError(f"seed text {meta['path']} is missing", "Restore it from git.", where=str(meta_path)) from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != meta["sha256"] or str(len(raw)) != meta["bytes"]:
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
    meta["line_kinds"] = line_numbers(meta.get("line_kinds") or {}, label)
    return Seed(meta=meta, text=text, path=path)


def line_numbers(kinds: dict, label: str) -> dict[int, str]:
    """`line_kinds:` keys are line numbers (text, as every scalar is): make them ints, refusing anything else."""
    if not isinstance(kinds, dict):
        raise BuildError("line_kinds must be a mapping of line number -> kind", where=label)
    for key in kinds:
        if not re.fullmatch(r"[0-9]+", key):
            raise BuildError(f"line_kinds: {key!r} is not a line number", where=f"{label}:{kinds.lines[key]}")
    return {int(k): v for k, v in kinds.items()}


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
