"""The sources: load each article, prove it is the captured text (sha256), cut it into addressable units.

Each registered source is a folder seeds/<source_id>/ with article.txt (byte-exact) and source.yaml (its
capture metadata, with the sha256 the build verifies). Units are sentences addressed as
<source_id>/L<line>S<sentence> with character offsets into their article. Splitting is a
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
    unit_id: str  # <source_id>/L<line>S<sentence>: unique across sources
    line: int
    sentence: int
    start: int
    end: int
    kind: str
    text: str

    @property
    def local_id(self) -> str:
        """L<line>S<sentence>: the id within its source, as a source's excused.yaml writes it."""
        return self.unit_id.rsplit("/", 1)[-1]


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


SOURCE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,61}[a-z0-9]")  # the Table Schemas' id pattern
ARTICLE_FILE = "article.txt"   # seeds/<source_id>/article.txt: the text, byte for byte as captured
SOURCE_FILE = "source.yaml"    # seeds/<source_id>/source.yaml: its capture metadata


def stray_seeds(root: Path) -> list[str]:
    """Entries of seeds/ that are not a registered source (a folder holding article.txt and source.yaml, and
    nothing else)."""
    folder = root / SEEDS
    if not folder.is_dir():
        return []
    stray = []
    for entry in sorted(folder.iterdir()):
        if not is_source(entry):
            stray.append(entry.relative_to(root).as_posix())
        else:
            stray += [p.relative_to(root).as_posix() for p in sorted(entry.iterdir())
                      if p.name not in (ARTICLE_FILE, SOURCE_FILE)]
    return stray


def is_source(folder: Path) -> bool:
    """A registered source: a real folder (not a link) holding article.txt and source.yaml."""
    return (folder.is_dir() and not folder.is_symlink() and (folder / ARTICLE_FILE).is_file()
            and (folder / SOURCE_FILE).is_file())


def source_ids(root: Path) -> list[str]:
    """The registered sources, in id order."""
    folder = root / SEEDS
    return sorted(p.name for p in folder.iterdir() if is_source(p)) if folder.is_dir() else []


def load_sources(root: Path) -> list[Seed]:
    """Every registered source, in id order; refuse a project without one, and anything else in seeds/
    (it would otherwise be silently left out of the data)."""
    stray = stray_seeds(root)
    if stray:
        raise BuildError(f"{', '.join(stray)}: not part of a registered source",
                         "Add an article with `make-data add-source PATH --id ID`, or move the file out of seeds/.",
                         where=f"{SEEDS}/")
    ids = source_ids(root)
    if not ids:
        raise BuildError(f"no source in {SEEDS}/", "Add the first article with `make-data add-source PATH --id ID`.",
                         where=f"{SEEDS}/")
    return [load_seed(root, sid) for sid in ids]


def load_seed(root: Path, source_id: str) -> Seed:
    """Load one source's text and metadata; refuse a text whose bytes are not the captured ones."""
    folder = f"{SEEDS}/{source_id}"
    if not SOURCE_ID.fullmatch(source_id):
        raise BuildError(f"source id {source_id!r} is not lowercase letters, digits, '_' and '-' (starting and ending with a letter or digit)",
                         "Rename the folder (and every reference to the id).", where=f"{folder}/")
    label = f"{folder}/{SOURCE_FILE}"
    meta = load_yaml(root / label, label)
    if not isinstance(meta, Mapping):
        raise BuildError("expected a mapping of metadata fields", where=label)
    for key in ("source_id", "path"):
        if key in meta:
            raise BuildError(f"{key!r} is given by the folder, not written here", f"Remove the {key} line.",
                             where=f"{label}:{meta.lines[key]}")
    meta["source_id"], meta["path"] = source_id, f"{folder}/{ARTICLE_FILE}"
    path = root / meta["path"]
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != meta.get("sha256") or str(len(raw)) != meta.get("bytes"):
        raise BuildError(
            f"seed text {meta['path']} has sha256 {digest} ({len(raw)} bytes) but its metadata records "
            f"{meta.get('sha256')} ({meta.get('bytes')} bytes)",
            f"The article must stay byte-for-byte as captured: restore it with `git checkout -- {folder}/`.",
            where=label,
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BuildError(f"seed text is not UTF-8 at byte {exc.start}", where=meta["path"]) from None
    check_weekdays(meta, text, label)
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


def check_weekdays(meta: dict, text: str, label: str) -> None:
    """The year is not printed: verify the resolved dates fall on the weekdays the text prints."""
    for item in meta.get("weekday_checks", []):
        if item["quote"] not in text:
            raise BuildError(f"weekday check quote {item['quote']!r} is not in the text", where=label)
        day = dt.date.fromisoformat(item["date"])
        if day.strftime("%A") != item["weekday"]:
            raise BuildError(f"{item['date']} is a {day.strftime('%A')}, not a {item['weekday']} as the text says",
                             "Correct reference_date / weekday_checks in the source metadata.", where=label)


def segment(text: str, line_kinds: dict[int, str], source_id: str = "", label: str = "source metadata") -> list[Unit]:
    """Cut the text into sentence units with offsets; classify each by its line. Ids are
    `<source_id>/L<line>S<sentence>` (without a source id, the local `L<line>S<sentence>`)."""
    prefix = f"{source_id}/" if source_id else ""
    units: list[Unit] = []
    offset = 0
    for line_no, line in enumerate(text.split("\n"), start=1):
        kind = line_kinds.get(line_no, "body")
        if kind not in UNIT_KINDS:
            raise BuildError(f"line {line_no} has unknown kind {kind!r}", f"Use one of {', '.join(UNIT_KINDS)}.",
                             where=f"{label} line_kinds")
        pieces, cursor = [], 0
        for match in SENTENCE_END.finditer(line):
            pieces.append((cursor, match.end()))
            cursor = match.end()
            while cursor < len(line) and line[cursor].isspace():
                cursor += 1
        if cursor < len(line):
            pieces.append((cursor, len(line.rstrip())))
        for n, (a, b) in enumerate(pieces, start=1):
            units.append(Unit(f"{prefix}L{line_no:02d}S{n:02d}", line_no, n, offset + a, offset + b, kind, line[a:b]))
        offset += len(line) + 1
    return units
