"""Synthetic packages for benchmarks and tests: valid, referentially consistent packages of any size
with this project's schemas and article, plus fault injection (how many cells to break, and how).

Generation is vectorised (numpy/pyarrow), so a million rows take seconds. Every generated package
passes `make-data validate`; each injected fault is one that validation must report.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import yaml

from banjska.files import json_bytes, sha256

ROOT = Path(__file__).resolve().parent.parent
TABLES = tuple(yaml.safe_load((ROOT / "metadata" / "dataset.yaml").read_text(encoding="utf-8"))["tables"])

SHARES = {"places": 0.001, "actors": 0.005, "events": 0.3, "event_actors": 0.15, "statements": 0.03,
          "statement_actors": 0.03, "casualties": 0.03}
FAULT_KINDS = ("type", "enum", "foreign_key", "duplicate_key", "required", "quote", "date_order")


@dataclass
class Generated:
    path: Path
    rows: dict[str, int]
    faults: int


def _ids(prefix: str, n: int) -> np.ndarray:
    return np.char.add(prefix, np.arange(n).astype(str))


def _units() -> list[dict]:
    with open(ROOT / "data" / "units.csv", newline="", encoding="utf-8") as fh:
        import csv
        return list(csv.DictReader(fh))


def generate_tables(total_rows: int, seed: int = 0) -> dict[str, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    n = {t: max(2, int(total_rows * share)) for t, share in SHARES.items()}
    units = _units()
    cited = [u for u in units if not u["excuse_reason"]]
    t: dict[str, dict[str, np.ndarray]] = {}
    t["sources"] = {k: np.array([v]) for k, v in _source_row().items()}
    t["units"] = {k: np.array([u[k] for u in units], dtype=object) for k in units[0]}
    t["places"] = {"place_id": _ids("pl-", n["places"]), "name": np.full(n["places"], "Banjska", dtype=object),
                   "place_type": rng.choice(["village", "municipality", "region"], n["places"]),
                   "country_code": np.full(n["places"], "XK", dtype=object)}
    t["places"]["parent_place_id"] = np.where(np.arange(n["places"]) > 0, "pl-0", "")
    t["actors"] = {"actor_id": _ids("ac-", n["actors"]), "name": np.full(n["actors"], "Kosovo police", dtype=object),
                   "named": rng.choice(["true", "false"], n["actors"]),
                   "actor_type": rng.choice(["person", "state_force", "group"], n["actors"]),
                   "country_code": rng.choice(["XK", "RS", "US", ""], n["actors"]),
                   "affiliation_actor_id": np.where(np.arange(n["actors"]) > 0, "ac-0", ""),
                   "affiliation_basis": np.where(np.arange(n["actors"]) > 0, "stated", "")}
    ne = n["events"]
    days = np.datetime64("2023-09-01") + rng.integers(0, 28, ne).astype("timedelta64[D]")
    day_s = days.astype(str)
    violent = rng.random(ne) < 0.5
    t["events"] = {
        "event_id": _ids("ev-", ne), "source_id": np.full(ne, "src-000", dtype=object),
        "description": np.full(ne, "Armed confrontation near a village, \"quoted\", with commas", dtype=object),
        "event_status": np.full(ne, "occurred", dtype=object),
        "acled_disorder_type": np.where(violent, "Political violence", "Strategic developments"),
        "acled_event_type": np.where(violent, "Battles", "Strategic developments"),
        "acled_sub_event_type": np.where(violent, "Armed clash", "Other"),
        "cameo_code": rng.choice(["193", "154", "041"], ne),
        "date": day_s.copy(), "time_precision": np.full(ne, "1", dtype=object), "date_basis": np.full(ne, "stated", dtype=object),
        "date_start": day_s.copy(), "date_end": day_s.copy(), "date_precision": np.full(ne, "day", dtype=object),
        "date_raw": np.char.add("September ", ((days - np.datetime64("2023-09-01")).astype(int) + 1).astype(str)),
        "date_rule": np.full(ne, "explicit_month_day", dtype=object),
        "date_reference": np.full(ne, "2023-09-29", dtype=object),
        "time_local": np.full(ne, "03:00:00", dtype=object), "time_utc": np.full(ne, "01:00:00", dtype=object),
        "time_qualifier": np.full(ne, "approximately", dtype=object),
        "place_id": np.char.add("pl-", rng.integers(0, n["places"], ne).astype(str)),
        "geo_precision": rng.choice(["1", "2", "3"], ne)}
    na = n["event_actors"]
    ev_idx = rng.permutation(ne)[:na] if na <= ne else rng.integers(0, ne, na)
    ac_idx = rng.integers(0, n["actors"], na)
    ev_ids, ac_ids = t["events"]["event_id"][ev_idx], np.char.add("ac-", ac_idx.astype(str))
    sized = rng.random(na) < 0.3
    t["event_actors"] = {"event_actor_id": np.char.add(np.char.add(ev_ids.astype(str), "--"), ac_ids),
                         "event_id": ev_ids, "actor_id": ac_ids, "role": rng.choice(["attacker", "target", "participant"], na),
                         "size": np.where(sized, rng.integers(1, 100, na).astype(str), ""),
                         "size_qualifier": np.where(sized, "approximately", "")}
    ns = n["statements"]
    se = rng.integers(0, ne, ns)
    t["statements"] = {"statement_id": _ids("st-", ns), "source_id": np.full(ns, "src-000", dtype=object),
                       "speaker_actor_id": np.char.add("ac-", rng.integers(0, n["actors"], ns).astype(str)),
                       "date": day_s[se], "time_precision": np.full(ns, "2", dtype=object),
                       "date_basis": np.full(ns, "inferred", dtype=object), "date_start": day_s[se],
                       "date_precision": np.full(ns, "after", dtype=object),
                       "date_rule": np.full(ns, "after_referenced_event", dtype=object), "date_reference": day_s[se],
                       "channel": rng.choice(["statement", "phone_call", "unspecified"], ns),
                       "speech_act": rng.choice(["stated", "urged", "called_for"], ns),
                       "cameo_code": rng.choice(["010", "0256", "020"], ns), "paraphrase": np.full(ns, "urged all parties to de-escalate", dtype=object),
                       "event_id": t["events"]["event_id"][se]}
    nsa = n["statement_actors"]
    sa_st = _ids("st-", ns)[np.arange(nsa) % ns]
    sa_ac = np.char.add("ac-", ((np.arange(nsa) // ns) % n["actors"]).astype(str))
    t["statement_actors"] = {"statement_actor_id": np.char.add(np.char.add(sa_st, "--"), sa_ac), "statement_id": sa_st,
                             "actor_id": sa_ac, "role": rng.choice(["addressee", "appealed_to", "subject", "threatened"], nsa)}
    violent_ids = t["events"]["event_id"][violent]
    nc = min(n["casualties"], len(violent_ids))
    cev = violent_ids[:nc]
    t["casualties"] = {"casualty_id": np.char.add(cev.astype(str), "--killed"), "event_id": cev,
                       "source_id": np.full(nc, "src-000", dtype=object),
                       "actor_id": np.char.add("ac-", rng.integers(0, n["actors"], nc).astype(str)),
                       "outcome": np.full(nc, "killed", dtype=object), "count": rng.integers(0, 50, nc).astype(str),
                       "qualifier": np.full(nc, "exact", dtype=object), "count_raw": np.full(nc, "three attackers", dtype=object)}
    ev_tables, ev_ids_all = [], []
    t["event_places"] = {"event_place_id": np.char.add(np.char.add(t["events"]["event_id"].astype(str), "--"), t["events"]["place_id"]),
                         "event_id": t["events"]["event_id"].copy(), "place_id": t["events"]["place_id"].copy(),
                         "relation": np.full(ne, "at", dtype=object)}
    for table in ("places", "actors", "events", "event_actors", "event_places", "statements", "statement_actors", "casualties"):
        key = next(iter(t[table]))
        ev_tables.append(np.full(len(t[table][key]), table, dtype=object))
        ev_ids_all.append(t[table][key].astype(object))
    tables, recs = np.concatenate(ev_tables), np.concatenate(ev_ids_all)
    k = len(recs)
    pick = np.arange(k) % len(cited)
    quote = np.array([u["text"] for u in cited], dtype=object)[pick]
    t["evidence"] = {"evidence_id": np.char.add(np.char.add(tables.astype(str), "/"), np.char.add(recs.astype(str), "/1")),
                     "source_id": np.full(k, "src-000", dtype=object),
                     "table_name": tables, "record_id": recs, "quote": quote,
                     # an event's or statement's one quote is also its date cue (rule: date_cue_quoted)
                     "field": np.where(np.isin(tables, ["events", "statements"]), "date_basis", ""),
                     "start": np.array([u["start"] for u in cited], dtype=object)[pick],
                     "end": np.array([u["end"] for u in cited], dtype=object)[pick],
                     "unit_id": np.array([u["unit_id"] for u in cited], dtype=object)[pick]}
    ev = t["events"]
    # each event's own claim (one source), its deaths the event's one killed row (exact), and the estimates
    dead = np.full(ne, "", dtype=object)
    dead[np.flatnonzero(violent)[:nc]] = t["casualties"]["count"]
    t["claims"] = {"claim_id": np.char.add(ev["event_id"].astype(str), "--src-000"), "event_id": ev["event_id"],
                   "source_id": np.full(ne, "src-000", dtype=object), "coded_in": np.full(ne, "events", dtype=object),
                   "date": ev["date"], "date_start": ev["date_start"], "date_end": ev["date_end"],
                   "place_id": ev["place_id"], "fatalities": dead, "fatalities_low": dead, "fatalities_high": dead}
    t["event_estimates"] = {"event_id": ev["event_id"], "sources": np.full(ne, "1", dtype=object),
                            "source_ids": np.full(ne, "src-000", dtype=object), "date_best": ev["date"],
                            "date_low": ev["date_start"], "date_high": ev["date_end"],
                            "fatalities_sources": np.where(dead != "", "1", "0").astype(object),
                            "fatalities_best": dead, "fatalities_low": dead, "fatalities_high": dead}
    t["enrichment"] = {"enrichment_id": np.array(["places--pl-0--latitude"], dtype=object), "table_name": np.array(["places"], dtype=object),
                       "record_id": np.array(["pl-0"], dtype=object), "property": np.array(["latitude"], dtype=object),
                       "value": np.array(["42.97333"], dtype=object), "source_title": np.array(["Wikipedia: Banjska (village)"], dtype=object),
                       "source_url": np.array(["https://en.wikipedia.org/wiki/Banjska_(village)"], dtype=object)}
    return t


def _source_row() -> dict[str, str]:
    import csv
    with open(ROOT / "data" / "sources.csv", newline="", encoding="utf-8") as fh:
        return next(csv.DictReader(fh))


def inject_faults(t: dict[str, dict[str, np.ndarray]], count: int, seed: int = 1) -> int:
    """Break `count` cells, cycling through FAULT_KINDS; each is an error validation must report."""
    rng = np.random.default_rng(seed)
    ev = t["events"]
    ne = len(ev["event_id"])
    rows = rng.choice(ne, size=min(count, ne), replace=False)
    for i, row in enumerate(rows):
        kind = FAULT_KINDS[i % len(FAULT_KINDS)]
        if kind == "type":
            ev["geo_precision"][row] = "two"
        elif kind == "enum":
            ev["event_status"][row] = "happened"
        elif kind == "foreign_key":
            ev["place_id"][row] = "pl-missing"
        elif kind == "duplicate_key":
            ev["event_id"][row] = ev["event_id"][(row + 1) % ne]
        elif kind == "required":
            ev["description"][row] = ""
        elif kind == "quote":
            j = row % len(t["evidence"]["quote"])
            t["evidence"]["quote"][j] = "not in the article"
        elif kind == "date_order":
            ev["date"][row] = "2023-13-45"
    return len(rows)


def write_package(dest: Path, tables: dict[str, dict[str, np.ndarray]]) -> dict[str, int]:
    """Write CSVs in schema field order, copy schemas and article, and a descriptor with sizes and hashes."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "data").mkdir(exist_ok=True)
    shutil.copytree(ROOT / "schemas", dest / "schemas", dirs_exist_ok=True)
    shutil.copytree(ROOT / "seeds", dest / "seeds", dirs_exist_ok=True)
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    rows = {}
    for res in descriptor["resources"]:
        if res["name"] not in TABLES:
            continue
        if res["name"] not in tables:  # small tables the generator does not scale: copied as they are
            shutil.copy2(ROOT / res["path"], dest / res["path"])
            rows[res["name"]] = len((ROOT / res["path"]).read_text(encoding="utf-8").splitlines()) - 1
            continue
        schema = json.loads((ROOT / "schemas" / f"{res['name']}.schema.json").read_text())
        cols = tables[res["name"]]
        n = len(next(iter(cols.values())))
        arrays = [pa.array(np.asarray(cols.get(f["name"], np.full(n, "", dtype=object))).astype(str), pa.string())
                  for f in schema["fields"]]
        table = pa.table(arrays, names=[f["name"] for f in schema["fields"]])
        path = dest / res["path"]
        pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))
        data = path.read_bytes()
        res["bytes"], res["hash"] = len(data), f"sha256:{sha256(data)}"
        rows[res["name"]] = n
    (dest / "datapackage.json").write_bytes(json_bytes(descriptor))
    return rows


def generate(dest: Path, total_rows: int, faults: int = 0, seed: int = 0) -> Generated:
    tables = generate_tables(total_rows, seed)
    injected = inject_faults(tables, faults, seed + 1) if faults else 0
    return Generated(dest, write_package(dest, tables), injected)
