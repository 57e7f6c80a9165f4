"""The proper-noun audit: every capitalised name in a source is an actor, a place, or excused.

Why this exists: a name the coder overlooked is a silent omission that sentence coverage cannot see (a
sentence may be cited for one actor while naming another). Names are checked word by word: each
capitalised word of the source (`Kosovo`, `NATO`, `White`, `House`; a possessive 's dropped) must occur in
an evidence quote, from the same source, of an actors or places record, or be listed in
annotations/<source_id>/names.yaml with the reason it is not an actor or place (a weekday, a month, a
sentence's first word, a title).
"""

from __future__ import annotations

import re
from pathlib import Path

from banjska.build.coding import Coded, annotation_file, read_records
from banjska.build.source import Seed, Unit
from banjska.errors import BuildError

NAMES = "names"
REGISTERS = ("actors", "places")
WORD = re.compile(r"\b[A-Z][\w&-]*(?:['’][A-Za-z]+)?")
POSSESSIVE = re.compile(r"['’]s$")
SHOWN = 8


def words(text: str) -> list[tuple[str, int]]:
    """(word, offset) for every capitalised word in the text (a possessive 's dropped)."""
    return [(POSSESSIVE.sub("", m.group()), m.start()) for m in WORD.finditer(text)]


def excused_names(root: Path, source_id: str) -> dict[str, str]:
    label = annotation_file(NAMES, source_id)
    out: dict[str, str] = {}
    for rec in read_records(root, label, required=False):
        name, reason = str(rec.get("name", "")), str(rec.get("reason", "") or "").strip()
        where = f"{label}:{rec.line}"
        if not name or not reason:
            raise BuildError("an excused name needs `name` and `reason`", where=where)
        if name in out:
            raise BuildError(f"name {name!r} is listed twice", "Keep one entry.", where=where)
        out[name] = reason
    return out


def unexplained(root: Path, seed: Seed, quotes: list[str]) -> list[tuple[str, int]]:
    """(word, first offset) of each capitalised word of the source that no actor or place quote of the source
    contains and that is not excused; an excuse that matches no word is an error."""
    excused = excused_names(root, seed.source_id)
    found: dict[str, int] = {}
    for word, offset in words(seed.text):
        found.setdefault(word, offset)
    unused = sorted(set(excused) - set(found))
    if unused:
        raise BuildError(f"excused name(s) {', '.join(map(repr, unused))} do not occur in source {seed.source_id}",
                         "Remove the entry, or spell the word as the article does.",
                         where=annotation_file(NAMES, seed.source_id))
    registered = {w for q in quotes for w, _ in words(q)}
    return [(w, a) for w, a in found.items() if w not in excused and w not in registered]


def unit_of(units: list[Unit], offset: int) -> str:
    return next((u.unit_id for u in units if u.start <= offset < u.end), "?")


def audit(root: Path, seeds: dict[str, Seed], units: dict[str, list[Unit]], coded: Coded) -> None:
    """Fail on the first source with a name that is neither an actor, a place, nor excused."""
    for sid, seed in seeds.items():
        quotes = [e["quote"] for e in coded.evidence if e["source_id"] == sid and e["table_name"] in REGISTERS]
        missing = unexplained(root, seed, quotes)
        if missing:
            listing = "; ".join(f"{n!r} ({unit_of(units[sid], a)})" for n, a in missing[:SHOWN])
            more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
            raise BuildError(
                f"source {sid}: {len(missing)} capitalised name(s) are not an actor or place: {listing}{more}",
                "Quote each in the evidence of an actors or places record, or excuse the name with a reason in "
                f"{annotation_file(NAMES, sid)}.", where=annotation_file(NAMES, sid))
