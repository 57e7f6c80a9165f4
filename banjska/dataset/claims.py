"""The dataset's rules for claims and estimates across sources: the derived tables must follow from the coded
ones, so a package edited by hand (or made by another tool) cannot carry a reconciliation nobody can redo.

- A claim's id is <event_id>--<source_id>; a claim coded in `events` repeats its event record (same source,
  date, bounds and place); every event has its own claim (so, ids being unique, a claim coded in `claims`
  is another source's).
- A claim's fatalities are the sums over its source's casualty rows of the event with outcome killed
  (low/high: count_low/count_high where given, else the count where the qualifier makes it that bound).
- event_estimates follow from the claims: sources and their ids; best = lower median of the claims' values,
  low = smallest low and high = largest high, open when a claim leaves that bound open; claims that state
  no value take no part (the coding rule "Sources, claims and estimates").

Everything is computed with integer codes and numpy group operations, once per package (memoised on the
Context), so the rules stay linear in the number of claims.
"""

from __future__ import annotations

import threading

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from banjska.dataset.rules import dates, has, joined, key, lacks, numbers, rule, take_rows, text_eq
from banjska.validate import keys
from banjska.validate.context import Context, TableData
from banjska.validate.keys import Ref

LOW_BOUND = ("exact", "at_least")
HIGH_BOUND = ("exact", "at_most")
CLAIM_FIELDS = ("date", "date_start", "date_end", "place_id")
ESTIMATES = ("sources", "source_ids", "date_best", "date_low", "date_high", "fatalities_sources",
             "fatalities_best", "fatalities_low", "fatalities_high")
_memo_lock = threading.RLock()  # re-entrant: one memoised computation may use another
_memo: list = [None, {}]  # [context, {name: computed}]: one package at a time


def _equal_or_both_missing(a: pa.Array, b: pa.Array) -> np.ndarray:
    """a == b, where two missing values are the same."""
    both_null = pc.and_(pc.is_null(a), pc.is_null(b))
    return pc.fill_null(pc.or_kleene(pc.equal(a, b), both_null), False).to_numpy(zero_copy_only=False)


def _codes(*columns: pa.Array) -> list[np.ndarray]:
    """Shared integer codes for text (or integer) columns (-1 where missing)."""
    if all(pa.types.is_integer(c.type) for c in columns):
        enc = pc.dictionary_encode(pa.concat_arrays(list(columns)))
    else:
        kind = pa.large_string() if any(pa.types.is_large_string(c.type) for c in columns) else pa.string()
        enc = pc.dictionary_encode(pa.concat_arrays([pc.cast(c, kind) for c in columns]))
    flat = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return np.split(flat, np.cumsum([len(c) for c in columns])[:-1])


CODED_BY = {"event_id": ("events", "claims", "casualties", "event_estimates"),
            "source_id": ("events", "claims", "casualties")}


def _shared_codes(ctx: Context, column: str) -> dict[str, np.ndarray]:
    """Integer codes of `column` shared by every table that has it (encoded once per package)."""
    def compute(c: Context) -> dict[str, np.ndarray]:
        names = [t for t in CODED_BY[column] if t in c.tables and c.tables[t].typed(column) is not None]
        return dict(zip(names, _codes(*(c.tables[t].typed(column) for t in names)), strict=True))

    return _memoised(ctx, f"codes:{column}", compute)


def _pair_codes(ctx: Context, table: str) -> np.ndarray:
    """Per row of `table`: one integer for its (event_id, source_id) pair, comparable across tables (-1:
    either is missing)."""
    events, sources = _shared_codes(ctx, "event_id"), _shared_codes(ctx, "source_id")
    width = max((int(v.max(initial=0)) for v in sources.values()), default=0) + 1
    e, s = events[table], sources[table]
    return np.where((e >= 0) & (s >= 0), e * width + s, -1)


def _nan_eq(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a == b) | (np.isnan(a) & np.isnan(b))


# --- claims -------------------------------------------------------------------------------------

def _unresolved(ctx: Context, table: str, refs: tuple[tuple[str, str], ...]) -> np.ndarray:
    """Per row of `table`: a reference (column -> referenced table) points at nothing (the foreign-key check
    reports it)."""
    td = ctx.tables[table]
    out = np.zeros(td.num_rows, dtype=bool)
    for column, parent in refs:
        rows = keys.parent_rows(ctx, Ref(table, column), key(parent, ctx)) if parent in ctx.tables else None
        if rows is not None:
            out |= (rows < 0) & has(td, column)
    return out


def _required_missing(td: TableData, name: str) -> np.ndarray:
    """Per row: a field its Table Schema requires is missing, so the row is invalid (reported as such) and what a
    rule would derive from it is unknown, not empty."""
    field = next((f for f in td.schema.get("fields", []) if f.get("name") == name), {})
    required = bool((field.get("constraints") or {}).get("required"))
    return ~has(td, name) if required else np.zeros(td.num_rows, dtype=bool)


def _inputs_broken(ctx: Context, table: str, refs: tuple[tuple[str, str], ...]) -> bool:
    """A derived table is checked only once the rows it derives from resolve: while one has a broken reference,
    we cannot know which claim or event it belonged to, the foreign-key check reports it, and the recomputation
    would only repeat it. (A cell that does not parse counts as missing here, as in every rule.)"""
    return _memoised(ctx, f"broken:{table}:{refs}", lambda c: bool(_unresolved(c, table, refs).any()))


@rule("claims", "claim_id", needs=("claims",), hint="Use <event_id>--<source_id>.")
def claim_id_form(ctx: Context):
    """claim_id must be <event_id>--<source_id>."""
    td = ctx.tables["claims"]
    same = pc.fill_null(pc.equal(td.typed("claim_id"), joined(td.typed("event_id"), td.typed("source_id"))), True)
    return same.to_numpy(zero_copy_only=False)


def _event_side(ctx: Context) -> tuple[TableData, np.ndarray, np.ndarray]:
    """(claims, per claim its event's row or -1, per claim: coded in the event record)."""
    cl = ctx.tables["claims"]
    parent = keys.parent_rows(ctx, Ref("claims", "event_id"), key("events", ctx))
    return cl, np.full(cl.num_rows, -1) if parent is None else parent, text_eq(cl, "coded_in", "events")


@rule("claims", "source_id", needs=("claims", "events"), hint="The event's own source claims it through its event "
      "record (coded_in events); any other source through a claim record (coded_in claims).")
def claim_of_own_source(ctx: Context):
    """A claim coded in events must be the event record's own source."""
    cl, parent, own = _event_side(ctx)
    same = _equal_or_both_missing(cl.typed("source_id"), take_rows(ctx.tables["events"].typed("source_id"), parent))
    return (parent < 0) | ~own | same


def _register_repeat_rule(field: str) -> None:
    def fn(ctx: Context):
        cl, parent, own = _event_side(ctx)
        events = ctx.tables["events"]
        expected = take_rows(events.typed(field), parent)
        unknown = np.where(parent >= 0, _required_missing(events, field)[np.maximum(parent, 0)], False)
        return (parent < 0) | ~own | unknown | _equal_or_both_missing(cl.typed(field), expected)

    fn.__name__ = f"claim_{field}_repeats_event"
    fn.__doc__ = f"A claim coded in events must repeat its event record's {field}."
    rule("claims", field, needs=("claims", "events"),
         hint="Rebuild: make-data build copies the event record into its claim.")(fn)


for _f in CLAIM_FIELDS:
    _register_repeat_rule(_f)


@rule("events", "event_id", needs=("events", "claims"), hint="Rebuild: make-data build writes each event's own claim.")
def event_claimed(ctx: Context):
    """The event has no claim of its own source (claims row <event_id>--<source_id>, coded_in events)."""
    ev, cl = ctx.tables["events"], ctx.tables["claims"]
    if lacks(cl, "coded_in"):
        return np.ones(ev.num_rows, dtype=bool)
    own = text_eq(cl, "coded_in", "events")
    claimed, wanted = _pair_codes(ctx, "claims"), _pair_codes(ctx, "events")
    return np.isin(wanted, np.unique(claimed[own & (claimed >= 0)])) | (wanted < 0)


@rule("claims", "date", needs=("claims",), hint="Keep the source's date within its bounds (date_start <= date <= date_end).")
def claim_dates_ordered(ctx: Context):
    """The claim's date lies outside its own bounds, or its bounds are reversed."""
    cl = ctx.tables["claims"]
    day, start, end = (dates(cl, n) for n in ("date", "date_start", "date_end"))
    with np.errstate(invalid="ignore"):
        ordered = ~(day < start) & ~(day > end) & ~(start > end)
    return ordered | text_eq(cl, "coded_in", "events")  # the event record's own claim: event_dates_ordered


@rule("casualties", "source_id", needs=("casualties", "claims"), hint="Add the source's claim on the event "
      "(annotations/<source_id>/claims.yaml), so that its figures count in the estimates.")
def casualty_claimed(ctx: Context):
    """The source gives casualties for an event it neither codes nor claims, so its figures count nowhere."""
    cas = ctx.tables["casualties"]
    if _inputs_broken(ctx, "claims", (("event_id", "events"), ("source_id", "sources"))):
        return np.ones(cas.num_rows, dtype=bool)
    claimed, pair = _pair_codes(ctx, "claims"), _pair_codes(ctx, "casualties")
    unresolved = _unresolved(ctx, "casualties", (("event_id", "events"), ("source_id", "sources")))
    return np.isin(pair, np.unique(claimed[claimed >= 0])) | (pair < 0) | unresolved


def _killed_sums(ctx: Context) -> dict[str, np.ndarray]:
    """Per claim: the sums of its source's killed rows for its event (NaN when a row lacks the value, or there
    is none), and `unknown` where one of those rows misses a required outcome, count or qualifier."""
    cas = ctx.tables["casualties"]
    killed = text_eq(cas, "outcome", "killed")
    claim_pair, cas_pair = _pair_codes(ctx, "claims"), _pair_codes(ctx, "casualties")
    claim_code, cas_all = _codes(pa.array(claim_pair), pa.array(cas_pair))  # dense codes of the pairs
    claim_code = np.where(claim_pair >= 0, claim_code, -1)
    cas_all = np.where(cas_pair >= 0, cas_all, -1)
    cas_code = np.where(killed, cas_all, -1)
    count = numbers(cas, "count")
    qualifier = cas.typed("qualifier")
    low_q = pc.fill_null(pc.is_in(qualifier, value_set=pa.array(LOW_BOUND)), False).to_numpy(zero_copy_only=False)
    high_q = pc.fill_null(pc.is_in(qualifier, value_set=pa.array(HIGH_BOUND)), False).to_numpy(zero_copy_only=False)
    lo, hi = numbers(cas, "count_low"), numbers(cas, "count_high")
    values = {"fatalities": count, "fatalities_low": np.where(np.isnan(lo), np.where(low_q, count, np.nan), lo),
              "fatalities_high": np.where(np.isnan(hi), np.where(high_q, count, np.nan), hi)}
    size = int(max(claim_code.max(initial=-1), cas_all.max(initial=-1))) + 1
    at = np.maximum(claim_code, 0)
    doubt = (_required_missing(cas, "outcome") | (killed & (_required_missing(cas, "count")
                                                            | _required_missing(cas, "qualifier")))) & (cas_all >= 0)
    out = {"unknown": np.bincount(cas_all[doubt], minlength=size)[at] > 0}
    sel = cas_code >= 0
    rows = np.bincount(cas_code[sel], minlength=size)
    for name, v in values.items():
        total = np.bincount(cas_code[sel], weights=np.nan_to_num(v[sel]), minlength=size)
        gaps = np.bincount(cas_code[sel], weights=np.isnan(v[sel]).astype(float), minlength=size)
        per_code = np.where((rows > 0) & (gaps == 0), total, np.nan)
        out[name] = np.where(claim_code >= 0, per_code[at], np.nan)
    return out


def _register_fatality_rule(field: str) -> None:
    def fn(ctx: Context):
        cl = ctx.tables["claims"]
        if lacks(ctx.tables["casualties"], "source_id") or _inputs_broken(
                ctx, "casualties", (("event_id", "events"), ("source_id", "sources"))) or _inputs_broken(
                ctx, "claims", (("event_id", "events"), ("source_id", "sources"))):
            return np.ones(cl.num_rows, dtype=bool)
        sums = _memoised(ctx, "killed", _killed_sums)
        return _nan_eq(numbers(cl, field), sums[field]) | sums["unknown"]

    fn.__name__ = f"claim_{field}_sums_casualties"
    fn.__doc__ = (f"{field} is not the sum over the source's casualties rows of the event with outcome killed "
                  "(empty when it gives no such figure).")
    rule("claims", field, needs=("claims", "casualties"),
         hint="Rebuild: make-data build sums the source's casualties into its claim.")(fn)


for _f in ("fatalities", "fatalities_low", "fatalities_high"):
    _register_fatality_rule(_f)


# --- estimates ----------------------------------------------------------------------------------

def _lower_median(group: np.ndarray, value: np.ndarray, size: int) -> np.ndarray:
    """Per group code: the lower median of its non-NaN values (NaN when it has none)."""
    ok = ~np.isnan(value)
    g, v = group[ok], value[ok]
    order = np.lexsort((v, g))
    g, v = g[order], v[order]
    out = np.full(size, np.nan)
    if len(g):
        codes, start, count = np.unique(g, return_index=True, return_counts=True)
        out[codes] = v[start + (count - 1) // 2]
    return out


def _envelope(group: np.ndarray, taking: np.ndarray, value: np.ndarray, size: int, pick) -> np.ndarray:
    """Per group code: min/max (`pick`) of the taking rows' values, NaN when one of them is open (NaN)."""
    open_ = np.bincount(group[taking], weights=np.isnan(value[taking]).astype(float), minlength=size) > 0
    fill = np.inf if pick is np.minimum else -np.inf
    out = np.full(size, fill)
    pick.at(out, group[taking], np.nan_to_num(value[taking], nan=fill))
    return np.where(open_ | np.isinf(out), np.nan, out)


def _day_numbers(td: TableData, name: str) -> np.ndarray:
    d = dates(td, name)
    return np.where(np.isnat(d), np.nan, d.astype("int64").astype(float))


def _source_ids(cl: TableData, group: np.ndarray, size: int) -> pa.Array:
    """Per group code: its claims' source ids, sorted and space-separated (null for a code without claims)."""
    ok = group >= 0
    table = pa.table({"g": pa.array(group[ok]), "s": pc.cast(cl.typed("source_id"), pa.string()).filter(pa.array(ok))})
    table = table.take(pc.sort_indices(table, sort_keys=[("g", "ascending"), ("s", "ascending")]))
    joined_ids = table.group_by("g", use_threads=False).aggregate([("s", "list")])  # keeps the sorted order
    codes = joined_ids.column("g").to_numpy()
    texts = pc.binary_join(joined_ids.column("s_list"), " ")
    where = np.full(size, -1, dtype=np.int64)
    where[codes] = np.arange(len(codes))
    return pc.take(texts, pa.array(where, mask=where < 0))


def _memoised(ctx: Context, name: str, compute):
    """compute(ctx), once per package and name, however many rules (and threads) ask for it."""
    with _memo_lock:
        if _memo[0] is not ctx:
            _memo[0], _memo[1] = ctx, {}
        if name not in _memo[1]:
            _memo[1][name] = compute(ctx)
        return _memo[1][name]


def _expected(ctx: Context) -> dict[str, object]:
    return _memoised(ctx, "estimates", _compute_expected)


def _compute_expected(ctx: Context) -> dict[str, object]:
    """Per estimates row: what the claims give, by column (floats: days for dates, NaN = empty)."""
    cl = ctx.tables["claims"]
    codes = _shared_codes(ctx, "event_id")
    est_code, group = codes["event_estimates"], codes["claims"]
    size = int(max(est_code.max(initial=-1), group.max(initial=-1))) + 1
    known = group >= 0
    g = np.where(known, group, 0)
    day, start, end = (_day_numbers(cl, n) for n in ("date", "date_start", "date_end"))
    best, low, high = (numbers(cl, n) for n in ("fatalities", "fatalities_low", "fatalities_high"))
    dated = known & ~np.isnan(day)
    counted = known & ~(np.isnan(best) & np.isnan(low) & np.isnan(high))
    per_event = {
        "sources": np.bincount(g[known], minlength=size).astype(float),
        "date_best": _lower_median(g[known], day[known], size),
        "date_low": _envelope(g, dated, start, size, np.minimum),
        "date_high": _envelope(g, dated, end, size, np.maximum),
        "fatalities_sources": np.bincount(g[counted], minlength=size).astype(float),
        "fatalities_best": _lower_median(g[known], best[known], size),
        "fatalities_low": _envelope(g, counted, low, size, np.minimum),
        "fatalities_high": _envelope(g, counted, high, size, np.maximum),
    }
    at = np.maximum(est_code, 0)
    out: dict[str, object] = {name: np.where(est_code >= 0, v[at], np.nan) for name, v in per_event.items()}
    ids = _source_ids(cl, group, size)
    out["source_ids"] = pc.take(ids, pa.array(np.maximum(est_code, 0), mask=est_code < 0)) if size else \
        pa.nulls(len(est_code), pa.string())
    return out


def _register_estimate_rule(column: str) -> None:
    def fn(ctx: Context):
        est = ctx.tables["event_estimates"]
        if _inputs_broken(ctx, "claims", (("event_id", "events"),)):
            return np.ones(est.num_rows, dtype=bool)
        want = _expected(ctx)[column]
        unclaimed = _expected(ctx)["sources"] == 0  # an event without claims: event_claimed or the foreign key says so
        if column == "source_ids":
            return _equal_or_both_missing(pc.cast(est.typed(column), pa.string()), want) | unclaimed
        got = _day_numbers(est, column) if column.startswith("date") else numbers(est, column)
        return _nan_eq(got, want) | unclaimed

    fn.__name__ = f"estimate_{column}_follows_claims"
    fn.__doc__ = (f"{column} does not follow from the event's claims (best: lower median; low: smallest; "
                  "high: largest; open when a claim leaves it open).")
    rule("event_estimates", column, needs=("event_estimates", "claims"),
         hint="Rebuild: make-data build computes event_estimates from claims.")(fn)


for _c in ESTIMATES:
    _register_estimate_rule(_c)
