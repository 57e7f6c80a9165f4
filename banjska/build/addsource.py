"""`make-data add-source`: register a new article in one step.

Why this exists: adding a source by hand means copying the text byte for byte, hashing it, writing its
capture metadata and listing its sentences for coding; a slip in any of them breaks the evidence chain.
This copies the article into seeds/<source_id>/article.txt, records its sha256 and size in
seeds/<source_id>/source.yaml with what the maintainer knows (title, publisher, URL, publication date,
language; the rest stays empty, meaning unknown), cuts it into sentences and writes
annotations/<source_id>/excused.yaml listing every sentence as not yet coded. It refuses an empty or
non-UTF-8 file, an id in use and a text already registered (same sha256), and writes nothing then: the
files are staged and moved into place together (banjska.files.write_staged).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from banjska.build.coding import annotation_file
from banjska.build.coverage import EXCUSED
from banjska.build.layout import ANNOTATIONS, SEEDS
from banjska.build.source import ARTICLE_FILE, SOURCE_FILE, SOURCE_ID, load_yaml, segment, source_ids
from banjska.errors import BuildError, InputError
from banjska.files import StagingFailed, write_staged

LICENSE_NOTE = ("Rights not recorded: treat the text as third-party material, included only so that the evidence "
                "can be checked and not covered by the dataset's licence.")


@dataclass(frozen=True)
class Added:
    source_id: str
    sha256: str
    bytes: int
    sentences: int
    files: list[str]


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def read_article(path: Path) -> tuple[bytes, str]:
    """The file's bytes and text; refuse what is not a non-empty UTF-8 regular file."""
    if not path.is_file():
        raise InputError(f"{path} is not a file", "Give the path of the article's plain-text file.")
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(f"{path} is empty", "Give the article's text.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 (at byte offset {exc.start}, counting from 0)",
                         "Convert the file to UTF-8 first (e.g. `iconv -f latin1 -t utf-8`).") from None
    if "\x00" in text:
        raise InputError(f"{path} contains a NUL byte (at offset {text.index(chr(0))}): it is not a plain-text article",
                         "Export the article as plain UTF-8 text.")
    if text.startswith("\ufeff"):
        raise InputError(f"{path} starts with a byte-order mark", "Save it as UTF-8 without a BOM.")
    return raw, text


def check_new(root: Path, source_id: str, digest: str) -> None:
    """Refuse a malformed id, an id in use, and a text some source already holds."""
    if not SOURCE_ID.fullmatch(source_id):
        raise InputError(f"source id {source_id!r} is not lowercase letters, digits, '_' and '-' "
                         "(2 to 63, starting and ending with a letter or digit)", "Choose an id such as src-001.")
    for rel in (f"{SEEDS}/{source_id}", f"{ANNOTATIONS}/{source_id}"):
        if (root / rel).exists():
            raise InputError(f"source id {source_id!r} is in use ({rel} exists)", "Choose another id.")
    for other in source_ids(root):
        meta = load_yaml(root / SEEDS / other / SOURCE_FILE, f"{SEEDS}/{other}/{SOURCE_FILE}")
        if isinstance(meta, dict) and meta.get("sha256") == digest:
            raise InputError(f"this text is already source {other!r} (same sha256 {digest})",
                             "A source is registered once.")


def source_yaml(source_id: str, digest: str, size: int, title: str, published: str, url: str, publisher: str,
                language: str) -> str:
    rule = ("given by the maintainer (make-data add-source --published)" if published else
            "not known: no publication date was given")
    return "\n".join([
        f"# Capture record for source {source_id}, written by `make-data add-source`. The folder name is its id;",
        "# article.txt beside this file is the text byte for byte (the build verifies sha256 and bytes).",
        "# Empty means unknown. Add reference_date (with reference_date_rule) before resolving relative dates,",
        "# weekday_checks for printed weekday/date pairs, and line_kinds (title, lede, subheading, navigation).",
        f"title: {_q(title)}",
        f"publisher: {_q(publisher)}",
        f"url: {_q(url)}",
        f"publication_date_earliest: {_q(published)}",
        f"publication_date_latest: {_q(published)}",
        f"publication_date_rule: {_q(rule)}",
        f"language: {_q(language)}",
        f"sha256: {_q(digest)}",
        f"bytes: {_q(str(size))}",
        'encoding: "utf-8"',
        'reference_date: ""',
        'reference_date_rule: ""',
        f"license_note: {_q(LICENSE_NOTE)}",
        "line_kinds: {}",
        "",
    ])


def skeleton(source_id: str, units: list) -> str:
    lines = [
        f"# Sentences of source {source_id} not yet coded (written by `make-data add-source`). For each one,",
        "# either cite it from a record's evidence and delete its entry here, or excuse it by adding",
        "# `reason:`. The build fails while an entry has no reason, naming the source and the sentences.",
        "records:",
    ]
    for unit in units:
        lines += [f"  - unit_id: {unit.unit_id}", f"    text: {_q(unit.text)}"]
    return "\n".join(lines) + "\n"


def check_options(published: str, url: str, language: str) -> None:
    if published:
        try:
            dt.date.fromisoformat(published)
        except ValueError:
            raise InputError(f"--published {published!r} is not a date (YYYY-MM-DD)", "Give the day, e.g. 2023-09-30.") from None
    if url and not url.startswith(("http://", "https://")):
        raise InputError(f"--url {url!r} is not an http(s) address", "Give the article's web address, or leave it out.")
    if not language or not all(part.isalnum() for part in language.split("-")):
        raise InputError(f"--language {language!r} is not a BCP 47 tag", "Use e.g. en, sr-Latn, or und (undetermined).")


def add_source(root: Path, path: Path, source_id: str, title: str = "", published: str = "", url: str = "",
               publisher: str = "", language: str = "und") -> Added:
    """Register the article at `path` as source `source_id` of the project at `root`."""
    try:
        check_options(published, url, language)
        raw, text = read_article(path)
        digest = hashlib.sha256(raw).hexdigest()
        check_new(root, source_id, digest)
    except InputError as exc:
        raise InputError(exc.message, f"{exc.hint} Nothing was written.".strip(), exc.where) from None
    units = segment(text, {})
    files = {
        f"{SEEDS}/{source_id}/{ARTICLE_FILE}": raw,
        f"{SEEDS}/{source_id}/{SOURCE_FILE}": source_yaml(source_id, digest, len(raw), title, published, url,
                                                          publisher, language).encode("utf-8"),
        annotation_file(EXCUSED, source_id): skeleton(source_id, units).encode("utf-8"),
    }
    try:
        written = write_staged(root, files)
    except StagingFailed as exc:
        for rel in (f"{SEEDS}/{source_id}", f"{ANNOTATIONS}/{source_id}"):
            with contextlib.suppress(OSError):  # rmdir removes only an empty folder: nothing of the source stays
                (root / rel).rmdir()
        raise BuildError(f"could not write {exc.path}: {exc.strerror}; nothing was added",
                         "Free disk space or fix the permissions, then run the command again.") from None
    return Added(source_id, digest, len(raw), len(units), written)
