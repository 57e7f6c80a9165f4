"""A generic events + places package of any size, for the benchmark (issue 16) and the streaming tests.

Two tables, like a national event export: `places` (a primary key, a country enum, coordinates with
ranges) and `events` (a primary key, a date, an enum, a bounded integer, free text, and a foreign key to
places). The package's name carries no dataset rule set, so only its Table Schemas apply.

Faults, each a case of issue 16's error path: `ragged` (2 rows with a cell too many), `types` (1% of the
events get a date that is not a date) and `foreign_keys` (1% cite a place that does not exist).
Generation is vectorised with pyarrow and written in slices, so 20 million rows take well under a minute
and little memory.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

FAULTS = ("ragged", "types", "foreign_keys")
EVENT_TYPES = ["Battles", "Explosions/Remote violence", "Protests", "Riots", "Strategic developments",
               "Violence against civilians"]
COUNTRIES = ["XK", "RS", "AL", "MK", "ME", "BA"]
SLICE = 1_000_000

PLACES = {"fields": [
    {"name": "place_id", "type": "string", "constraints": {"required": True, "pattern": "pl-[0-9]+"}},
    {"name": "name", "type": "string", "constraints": {"required": True}},
    {"name": "country", "type": "string", "constraints": {"required": True, "enum": COUNTRIES}},
    {"name": "latitude", "type": "number", "constraints": {"minimum": -90, "maximum": 90}},
    {"name": "longitude", "type": "number", "constraints": {"minimum": -180, "maximum": 180}},
], "primaryKey": ["place_id"]}

EVENTS = {"fields": [
    {"name": "event_id", "type": "string", "constraints": {"required": True}},
    {"name": "date", "type": "date", "constraints": {"required": True}},
    {"name": "event_type", "type": "string", "constraints": {"required": True, "enum": EVENT_TYPES}},
    {"name": "fatalities", "type": "integer", "constraints": {"minimum": 0}},
    {"name": "place_id", "type": "string", "constraints": {"required": True}},
    {"name": "notes", "type": "string"},
], "primaryKey": ["event_id"],
    "foreignKeys": [{"fields": ["place_id"], "reference": {"resource": "places", "fields": ["place_id"]}}]}


def _ids(prefix: str, start: int, n: int) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(np.arange(start, start + n)), pa.string()), "")


def _places(n: int, rng: np.random.Generator) -> pa.Table:
    return pa.table({
        "place_id": _ids("pl-", 0, n),
        "name": _ids("Place ", 0, n),
        "country": pa.array(np.array(COUNTRIES)[rng.integers(0, len(COUNTRIES), n)]),
        "latitude": pa.array(np.round(rng.uniform(40, 45, n), 4)).cast(pa.string()),
        "longitude": pa.array(np.round(rng.uniform(19, 23, n), 4)).cast(pa.string()),
    })


def _events(start: int, n: int, places: int, rng: np.random.Generator, fault: str | None) -> pa.Table:
    days = np.datetime64("2015-01-01") + rng.integers(0, 3650, n).astype("timedelta64[D]")
    date = pa.array(days.astype(str))
    place = rng.integers(0, places, n)
    place_id = _ids("pl-", 0, places).take(pa.array(place))
    if fault in ("types", "foreign_keys"):
        hit = np.zeros(n, dtype=bool)
        hit[rng.choice(n, n // 100, replace=False)] = True
        if fault == "types":
            date = pc.if_else(pa.array(hit), pa.scalar("2023-02-30"), date)
        else:
            place_id = pc.if_else(pa.array(hit), pa.scalar("pl-missing"), place_id)
    notes = pc.binary_join_element_wise("Reported clash near ", place_id, "")
    return pa.table({
        "event_id": _ids("ev-", start, n),
        "date": date,
        "event_type": pa.array(np.array(EVENT_TYPES)[rng.integers(0, len(EVENT_TYPES), n)]),
        "fatalities": pa.array(rng.integers(0, 20, n)).cast(pa.string()),
        "place_id": place_id,
        "notes": notes,
    })


def _write(path: Path, slices) -> tuple[int, str]:
    digest, size, first = hashlib.sha256(), 0, True
    with open(path, "wb") as out:
        for table in slices:
            sink = pa.BufferOutputStream()
            pacsv.write_csv(table, sink, write_options=pacsv.WriteOptions(quoting_style="needed", include_header=first))
            data = sink.getvalue().to_pybytes()
            out.write(data)
            digest.update(data)
            size += len(data)
            first = False
    return size, digest.hexdigest()


def generate(dest: Path, rows: int, fault: str | None = None, seed: int = 0) -> dict[str, int]:
    """Write the package (`rows` events and rows/100 places); return the rows per table."""
    if fault not in (None, *FAULTS):
        raise ValueError(f"fault must be one of {FAULTS}")
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "data").mkdir(exist_ok=True)
    rng = np.random.default_rng(seed)
    n_places = max(10, rows // 100)
    counts = {"places": n_places, "events": rows}

    def event_slices():
        for start in range(0, rows, SLICE):
            yield _events(start, min(SLICE, rows - start), n_places, rng, fault)

    resources = []
    for name, schema, slices in (("places", PLACES, [_places(n_places, rng)]), ("events", EVENTS, event_slices())):
        size, digest = _write(dest / "data" / f"{name}.csv", slices)
        resources.append({"name": name, "path": f"data/{name}.csv", "profile": "tabular-data-resource",
                          "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "bytes": size,
                          "hash": f"sha256:{digest}", "schema": schema})
    if fault == "ragged":
        _ragged(dest / "data" / "events.csv", resources[1])
    descriptor = {"name": "bench-events", "title": "Generated events and places (benchmark)",
                  "licenses": [{"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}],
                  "resources": resources}
    (dest / "datapackage.json").write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")
    return counts


def _ragged(path: Path, resource: dict) -> None:
    """Give two rows (near the start and the end) one cell too many, and re-hash the file."""
    data = bytearray(path.read_bytes())
    for at in (len(data) // 10, len(data) * 9 // 10):
        end = data.index(b"\n", at)
        data[end:end] = b",extra"
    path.write_bytes(bytes(data))
    resource["bytes"], resource["hash"] = len(data), f"sha256:{hashlib.sha256(data).hexdigest()}"
