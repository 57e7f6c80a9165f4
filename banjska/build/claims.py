"""Claims: what each source says about an event, and the estimates reconciled across sources.

Why this exists: an event reported by several sources is one event row, but the sources need not agree.
As UCDP GED does for fatalities, the dataset keeps a best estimate with a low and a high, and, unlike GED,
it also publishes each source's own claim so the reconciliation can be checked and redone.

- `claims`: one row per (event, source). The source that codes the event (events.source_id) claims the
  event record's date, bounds and place (`coded_in` events); another source that reports the same event
  writes a record in annotations/<source_id>/claims.yaml with its own evidence (`coded_in` claims).
  A claim's fatalities are the sum of that source's casualty rows for the event with outcome `killed`.
  Low and high use each row's count_low/count_high where given, else its count where the qualifier makes
  the count that bound (exact; at_least for low; at_most for high); otherwise the bound is open (empty).
  Empty when the source gives no figure, never 0.
- `event_estimates`: one row per event. The best estimate is the lower median of the claims' best values (a
  value one source gives; with two sources, the lower); low is the smallest low, high the largest high; a
  bound one claim leaves open stays open; claims that state no value take no part. (The same rule, for
  readers, is a coding rule in metadata/dataset.yaml.)
"""

from __future__ import annotations

from collections import defaultdict

import pyarrow as pa
import pyarrow.compute as pc

from banjska.errors import BuildError
from banjska.package.types import parse_values

FROM_CASUALTIES = ("fatalities", "fatalities_low", "fatalities_high")
KILLED = "killed"
LOW_BOUND = ("exact", "at_least")   # qualifiers under which the count is also the lowest possible
HIGH_BOUND = ("exact", "at_most")   # ... and the highest possible


def _sum(values: list[str]) -> str:
    """The sum of counts read by the toolkit's one type parser (as an integer field); '' when one is empty or
    not an integer (the validation of the rendered package then reports that cell at its annotation line)."""
    parsed = parse_values(pa.array(values, pa.string()), {"name": "count", "type": "integer"}, [""])
    counts = pc.if_else(pc.or_(parsed.missing, parsed.invalid), None, parsed.typed).to_pylist()
    return "" if None in counts else str(sum(counts))


def _fatalities(rows: list[dict[str, str]]) -> tuple[str, str, str]:
    """(best, low, high) summed over one source's killed rows for one event; '' where a row lacks it."""
    if not rows:
        return "", "", ""
    best = [r["count"] for r in rows]
    low = [r.get("count_low") or (r["count"] if r.get("qualifier") in LOW_BOUND else "") for r in rows]
    high = [r.get("count_high") or (r["count"] if r.get("qualifier") in HIGH_BOUND else "") for r in rows]
    return _sum(best), _sum(low), _sum(high)


def claim_rows(rows: dict[str, list[dict[str, str]]], origin_of_claim, origin_of_casualty) -> list[dict[str, str]]:
    """The events' own claims and the sources' claim records, with fatalities from the casualties."""
    killed: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for r in rows.get("casualties", []):
        if r.get("outcome") == KILLED:
            killed[(r["event_id"], r.get("source_id", ""))].append(r)
    own = {e["event_id"]: e.get("source_id", "") for e in rows.get("events", [])}
    out = []
    for e in rows.get("events", []):
        out.append({"claim_id": f"{e['event_id']}--{e['source_id']}", "event_id": e["event_id"],
                    "source_id": e["source_id"], "coded_in": "events", "date": e.get("date", ""),
                    "date_start": e.get("date_start", ""), "date_end": e.get("date_end", ""),
                    "place_id": e.get("place_id", ""), "notes": ""})
    for c in rows.get("claims", []):
        written = [f for f in FROM_CASUALTIES + ("coded_in",) if c.get(f)]
        if written:
            raise BuildError(f"{', '.join(written)} cannot be written in a claim",
                             "A claim's fatalities come from the source's casualties rows (outcome killed) for the "
                             "event; coded_in is set by the build.", where=origin_of_claim(c["claim_id"], written[0]))
        if own.get(c["event_id"]) == c["source_id"]:
            raise BuildError(f"source {c['source_id']} codes event {c['event_id']} itself",
                             "Its claim is the event record: remove this claim, or correct the event record.",
                             where=origin_of_claim(c["claim_id"], "event_id"))
        out.append({**c, "coded_in": "claims"})
    claimed = {(r["event_id"], r["source_id"]) for r in out}
    for r in rows.get("casualties", []):
        if (r["event_id"], r.get("source_id", "")) not in claimed and r["event_id"] in own:
            raise BuildError(f"source {r['source_id']} gives casualties for event {r['event_id']} but neither codes "
                             "nor claims the event", f"Add a claim in annotations/{r['source_id']}/claims.yaml "
                             "(event_id, the source's date and place, with its quote), so its figures count.",
                             where=origin_of_casualty(r["casualty_id"]))
    for r in out:
        r["fatalities"], r["fatalities_low"], r["fatalities_high"] = _fatalities(killed.get((r["event_id"], r["source_id"]), []))
    return sorted(out, key=lambda r: (r["event_id"], r["source_id"]))


def _lower_median(values: list[str], key=str) -> str:
    ordered = sorted(values, key=key)
    return ordered[(len(ordered) - 1) // 2] if ordered else ""


def _envelope(values: list[str], pick, key=str) -> str:
    """min/max of the values; open ('') when any claim leaves it open."""
    return "" if not values or "" in values else pick(values, key=key)


def estimate_rows(claims: list[dict[str, str]]) -> list[dict[str, str]]:
    """One row per event with a claim: its sources, then the date and fatality estimates (module docstring)."""
    by_event: dict[str, list[dict[str, str]]] = defaultdict(list)
    for c in claims:
        by_event[c["event_id"]].append(c)
    out = []
    for event_id in sorted(by_event):
        cs = by_event[event_id]
        dated = [c for c in cs if c["date"]]
        counted = [c for c in cs if c["fatalities"] or c["fatalities_low"] or c["fatalities_high"]]
        out.append({
            "event_id": event_id, "sources": str(len(cs)), "source_ids": " ".join(sorted(c["source_id"] for c in cs)),
            "date_best": _lower_median([c["date"] for c in dated]),
            "date_low": _envelope([c["date_start"] for c in dated], min),
            "date_high": _envelope([c["date_end"] for c in dated], max),
            "fatalities_sources": str(len(counted)),
            "fatalities_best": _lower_median([c["fatalities"] for c in counted if c["fatalities"]], int),
            "fatalities_low": _envelope([c["fatalities_low"] for c in counted], min, int),
            "fatalities_high": _envelope([c["fatalities_high"] for c in counted], max, int),
        })
    return out
