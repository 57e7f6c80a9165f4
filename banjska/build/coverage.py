"""Nothing silently dropped: every sentence of every source is cited by a record or excused with a reason.

Each source's annotations/<source_id>/excused.yaml lists the sentences it leaves uncoded. `make-data
add-source` writes it with every sentence as an entry without a `reason` (not yet coded): the coder deletes
the entry once a record cites the sentence, or writes the reason it is excused. An entry may repeat the
sentence's `text` to be readable; the build checks it is still that sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from banjska.build.coding import annotation_file, read_records
from banjska.build.source import Unit
from banjska.errors import BuildError

EXCUSED = "excused"
SHOWN = 8  # uncovered sentences named in the build's message


@dataclass(frozen=True)
class Coverage:
    total: int
    cited: int
    excused: int
    source_id: str = ""
    todo: tuple[str, ...] = ()  # ids of the sentences neither cited nor excused

    @property
    def percent(self) -> float:
        return 100.0 * (self.cited + self.excused) / self.total if self.total else 100.0

    def summary(self) -> str:
        return (f"coverage {self.percent:.1f}%: {self.cited} of {self.total} sentences cited, "
                f"{self.excused} excused")


def combined(parts: list[Coverage]) -> Coverage:
    """All sources together (the build's one-line summary)."""
    return Coverage(sum(c.total for c in parts), sum(c.cited for c in parts), sum(c.excused for c in parts),
                    todo=tuple(u for c in parts for u in c.todo))


def excuses(root: Path, source_id: str, units: list[Unit]) -> tuple[dict[str, str], set[str]]:
    """Read annotations/<source_id>/excused.yaml: (unit id -> reason, unit ids still to do)."""
    by_local = {u.local_id: u for u in units}
    label = annotation_file(EXCUSED, source_id)
    out: dict[str, str] = {}
    todo: set[str] = set()
    for rec in read_records(root, label, required=False):
        uid = str(rec.get("unit_id", ""))
        where = f"{label}:{rec.line}"
        unit = by_local.get(uid)
        if unit is None:
            raise BuildError(f"no such sentence unit {uid!r} in source {source_id}",
                             "Use an id of the source's sentences (L<line>S<sentence>, see data/units.csv).", where=where)
        unknown = sorted(set(rec) - {"unit_id", "text", "reason"})
        if unknown:
            raise BuildError(f"unknown field(s) {', '.join(unknown)}", "An entry has unit_id, text and reason.", where=where)
        if "text" in rec and str(rec["text"]).strip() != unit.text.strip():
            raise BuildError(f"text of {uid} is not the sentence's text", f"The sentence reads: {unit.text!r}.",
                             where=f"{label}:{rec.lines['text']}")
        if unit.unit_id in out or unit.unit_id in todo:
            raise BuildError(f"sentence {uid} is listed twice", "Keep one entry.", where=where)
        reason = str(rec.get("reason", "") or "").strip()
        if "reason" in rec and not reason:
            raise BuildError("an excuse needs a reason", "Write why the sentence is left uncoded.", where=where)
        if reason:
            out[unit.unit_id] = reason
        else:
            todo.add(unit.unit_id)
    return out, todo


def measure(source_id: str, units: list[Unit], cited: set[str], excused: dict[str, str],
            todo: set[str] = frozenset()) -> Coverage:
    """One source's coverage; a sentence both cited and excused, or cited and still listed to do, is an error."""
    both = sorted(cited & set(excused))
    if both:
        raise BuildError(f"sentence(s) {', '.join(both)} are excused but also cited",
                         "Remove the excuse or the citation.", where=annotation_file(EXCUSED, source_id))
    done = sorted(cited & todo)
    if done:
        raise BuildError(f"sentence(s) {', '.join(done)} are cited but still listed as not yet coded",
                         "Delete their entries (an entry without a reason means 'to do').",
                         where=annotation_file(EXCUSED, source_id))
    ids = {u.unit_id for u in units}
    todo = tuple(u.unit_id for u in units if u.unit_id not in cited and u.unit_id not in excused)
    return Coverage(len(units), len(ids & cited), len(excused), source_id, todo)


def require_full(parts: list[Coverage], units: dict[str, list[Unit]]) -> None:
    """Fail while any source has a sentence neither cited nor excused, naming the source and sentences."""
    short = [c for c in parts if c.todo]
    if not short:
        return
    text = {u.unit_id: u.text for us in units.values() for u in us}
    first = short[0]
    listing = "; ".join(f"{uid} {text[uid][:40]!r}" for uid in first.todo[:SHOWN])
    more = f" and {len(first.todo) - SHOWN} more" if len(first.todo) > SHOWN else ""
    others = "".join(f"; source {c.source_id}: {len(c.todo)} not covered" for c in short[1:])
    raise BuildError(f"source {first.source_id}: {first.summary()}; not covered: {listing}{more}{others}",
                     "Cite each sentence from a record's evidence, or excuse it with a reason in "
                     f"{annotation_file(EXCUSED, first.source_id)} (`make-data coverage` lists every source).",
                     where=annotation_file(EXCUSED, first.source_id))
