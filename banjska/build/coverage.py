"""Nothing silently dropped: every sentence of the article is cited by a record or excused with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from banjska.build.coding import read_records
from banjska.build.source import Unit
from banjska.errors import BuildError


@dataclass(frozen=True)
class Coverage:
    total: int
    cited: int
    excused: int

    @property
    def percent(self) -> float:
        return 100.0 * (self.cited + self.excused) / self.total if self.total else 100.0

    def summary(self) -> str:
        return (f"coverage {self.percent:.1f}%: {self.cited} of {self.total} sentences cited, "
                f"{self.excused} excused")


def excuses(root: Path, units: list[Unit]) -> dict[str, str]:
    """Read annotations/excused.yaml: unit id -> reason."""
    known = {u.unit_id for u in units}
    out: dict[str, str] = {}
    for rec in read_records(root, "excused"):
        uid, reason = str(rec.get("unit_id", "")), str(rec.get("reason", "") or "").strip()
        where = f"annotations/excused.yaml unit {uid or '?'}"
        if uid not in known:
            raise BuildError(f"no such sentence unit {uid!r}", "Use an id from data/units.csv (L<line>S<sentence>).", where=where)
        if not reason:
            raise BuildError("an excuse needs a reason", where=where)
        out[uid] = reason
    return out


def check_coverage(units: list[Unit], cited: set[str], excused: dict[str, str]) -> Coverage:
    """Fail below 100%, and on a sentence that is both cited and excused."""
    both = sorted(cited & set(excused))
    if both:
        raise BuildError(f"sentence(s) {', '.join(both)} are excused but also cited",
                         "Remove the excuse or the citation.", where="annotations/excused.yaml")
    missing = [u for u in units if u.unit_id not in cited and u.unit_id not in excused]
    cov = Coverage(len(units), len({u.unit_id for u in units} & cited), len(excused))
    if missing:
        listing = "; ".join(f"{u.unit_id} {u.text[:40]!r}" for u in missing)
        raise BuildError(f"{cov.summary()}; not covered: {listing}",
                         "Cite each sentence from a record's evidence, or excuse it with a reason in annotations/excused.yaml.")
    return cov
