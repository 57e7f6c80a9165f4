"""This dataset's rules that Table Schema cannot express: cross-field and cross-table consistency.

Each rule is a vectorised function over the parsed tables, registered with `@rule(table, column)` and
returning a boolean mask (True = the row passes). Its one-line docstring is the error message users see;
the rule becomes a Pandera check on that column of the derived schema. Rules whose tables or columns are
absent from a package are skipped (the Table Schema checks already report what is missing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..report import Issue
from .checks import make_check
from .context import Context, TableData

CODED = ("places", "actors", "events", "event_actors", "statements", "statement_actors", "casualties")
PK = {"sources": "source_id", "units": "unit_id", "places": "place_id", "actors": "actor_id", "events": "event_id",
      "event_actors": "event_actor_id", "statements": "statement_id", "statement_actors": "statement_actor_id",
      "casualties": "casualty_id", "evidence": "evidence_id", "enrichment": "enrichment_id"}


@dataclass(frozen=True)
class Rule:
    table: str
    column: str
    fn: Callable[[Context], np.ndarray | bool]
    needs: tuple[str, ...]
    hint: str


RULES: list[Rule] = []


def rule(table: str, column: str, needs: tuple[str, ...] = (), hint: str = ""):
    def register(fn):
        RULES.append(Rule(table, column, fn, needs or (table,), hint))
        return fn
    return register


# --- helpers -----------------------------------------------------------------------------------

def s(td: TableData, name: str) -> pd.Series:
    """A column as a pandas Series (typed, nulls as NA)."""
    arr = td.typed(name)
    if arr is None:
        return pd.Series([pd.NA] * td.num_rows, dtype="object")
    return pd.Series(pd.arrays.ArrowExtensionArray(arr), copy=False)


def has(td: TableData, name: str) -> np.ndarray:
    return td.present(name)


def dates(td: TableData, name: str) -> np.ndarray:
    arr = td.typed(name)
    if arr is None or not pa.types.is_date32(arr.type):
        return np.full(td.num_rows, np.datetime64("NaT"), dtype="datetime64[D]")
    return arr.to_numpy(zero_copy_only=False).astype("datetime64[D]")


def le_or_missing(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.isnat(a) | np.isnat(b) | (a <= b)


def text_eq(td: TableData, name: str, value: str) -> np.ndarray:
    arr = td.typed(name)
    return np.zeros(td.num_rows, dtype=bool) if arr is None else pc.fill_null(pc.equal(arr, value), False).to_numpy(zero_copy_only=False)


def keys_of(td: TableData | None, name: str) -> pa.Array:
    if td is None or td.typed(name) is None:
        return pa.array([], pa.string())
    return pc.drop_null(td.typed(name))


def in_set(values: pa.Array, allowed: pa.Array) -> np.ndarray:
    return pc.fill_null(pc.is_in(values, value_set=allowed), False).to_numpy(zero_copy_only=False)


# --- dates ---------------------------------------------------------------------------------------

def _dates_ordered(td: TableData) -> np.ndarray:
    d, lo, hi = dates(td, "date"), dates(td, "date_start"), dates(td, "date_end")
    return le_or_missing(lo, d) & le_or_missing(d, hi) & le_or_missing(lo, hi)


@rule("events", "date_start", hint="Make date_start <= date <= date_end.")
def event_dates_ordered(ctx: Context):
    """Date bounds are out of order: date_start <= date <= date_end must hold."""
    return _dates_ordered(ctx.tables["events"])


@rule("statements", "date_start", hint="Make date_start <= date <= date_end.")
def statement_dates_ordered(ctx: Context):
    """Date bounds are out of order: date_start <= date <= date_end must hold."""
    return _dates_ordered(ctx.tables["statements"])


def _precision_consistent(td: TableData) -> np.ndarray:
    p = s(td, "date_precision").astype("object")
    d, a, b = has(td, "date"), has(td, "date_start"), has(td, "date_end")
    same = (dates(td, "date") == dates(td, "date_start")) & (dates(td, "date") == dates(td, "date_end"))
    expected = {
        "day": d & (~a | same) & (~b | same),
        "span": ~d & a & b,
        "before": ~d & ~a & b,
        "after": ~d & a & ~b,
        "unknown": ~d & ~a & ~b,
    }
    ok = np.ones(td.num_rows, dtype=bool)
    for value, cond in expected.items():
        rows = (p == value).to_numpy(dtype=bool, na_value=False)
        ok &= ~rows | cond
    return ok


@rule("events", "date_precision", hint="day: date (= start = end); span: start and end; before: end only; after: start only; unknown: none.")
def event_precision_consistent(ctx: Context):
    """The date fields that are filled do not match date_precision."""
    return _precision_consistent(ctx.tables["events"])


@rule("statements", "date_precision", hint="day: date (= start = end); span: start and end; before: end only; after: start only; unknown: none.")
def statement_precision_consistent(ctx: Context):
    """The date fields that are filled do not match date_precision."""
    return _precision_consistent(ctx.tables["statements"])


def _rule_consistent(td: TableData) -> np.ndarray:
    none = text_eq(td, "date_rule", "none")
    unknown = text_eq(td, "date_precision", "unknown")
    ref = has(td, "date_reference")
    return (none == unknown) & (none != ref)


@rule("events", "date_rule", hint="Use date_rule none exactly when nothing is resolved (precision unknown, no reference date).")
def event_rule_consistent(ctx: Context):
    """date_rule, date_precision and date_reference disagree about whether a date was resolved."""
    return _rule_consistent(ctx.tables["events"])


@rule("statements", "date_rule", hint="Use date_rule none exactly when nothing is resolved (precision unknown, no reference date).")
def statement_rule_consistent(ctx: Context):
    """date_rule, date_precision and date_reference disagree about whether a date was resolved."""
    return _rule_consistent(ctx.tables["statements"])


@rule("statements", "event_id", needs=("statements", "events"), hint="Correct the dates, or set precedes_event to true if the statement anticipated the event.")
def statement_not_before_event(ctx: Context):
    """The statement is dated before the event it concerns and is not marked precedes_event."""
    st, ev = ctx.tables["statements"], ctx.tables["events"]
    latest = dates(st, "date_end")
    latest = np.where(np.isnat(latest), dates(st, "date"), latest)
    ev_start = dates(ev, "date_start")
    ev_start = np.where(np.isnat(ev_start), dates(ev, "date"), ev_start)
    lookup = pd.Series(ev_start, index=s(ev, "event_id").astype("object"))
    lookup = lookup[~lookup.index.duplicated()]
    target = s(st, "event_id").astype("object").map(lookup).to_numpy(dtype="datetime64[D]")
    marked = s(st, "precedes_event").fillna(False).astype(bool).to_numpy()
    return marked | le_or_missing(target, latest)


# --- counts and qualifiers -------------------------------------------------------------------------

@rule("casualties", "count", hint="Keep count_low <= count <= count_high; an 'exact' count has no range.")
def casualty_count_consistent(ctx: Context):
    """count, count_low, count_high and qualifier disagree (low <= count <= high; exact means no range)."""
    td = ctx.tables["casualties"]
    c, lo, hi = (s(td, n).astype("Float64") for n in ("count", "count_low", "count_high"))
    ok = (lo.isna() | (lo <= c).fillna(True)) & (hi.isna() | (c <= hi).fillna(True)) & (lo.isna() | hi.isna() | (lo <= hi).fillna(True))
    exact = text_eq(td, "qualifier", "exact")
    ranged = (~lo.isna() & (lo != c).fillna(True)) | (~hi.isna() & (hi != c).fillna(True))
    return ok.to_numpy(dtype=bool) & ~(exact & ranged.to_numpy(dtype=bool))


@rule("event_actors", "size_qualifier", hint="Give size_qualifier exactly when size is given.")
def size_qualifier_with_size(ctx: Context):
    """size and size_qualifier must be given together."""
    td = ctx.tables["event_actors"]
    return has(td, "size") == has(td, "size_qualifier")


@rule("events", "time_qualifier", hint="Give time_qualifier exactly when a time is given.")
def time_qualifier_with_time(ctx: Context):
    """time_qualifier must be given exactly when time_local or time_utc is."""
    td = ctx.tables["events"]
    return has(td, "time_qualifier") == (has(td, "time_local") | has(td, "time_utc"))


@rule("events", "geo_precision", hint="Give geo_precision exactly when place_id is given.")
def geo_precision_with_place(ctx: Context):
    """geo_precision must be given exactly when place_id is."""
    td = ctx.tables["events"]
    return has(td, "geo_precision") == has(td, "place_id")


@rule("casualties", "event_id", needs=("casualties", "events"), hint="Attach casualties only to events of disorder type 'Political violence'.")
def casualties_in_violent_events(ctx: Context):
    """Casualties belong to an event that is not of a violent type (ACLED 'Political violence')."""
    ev = ctx.tables["events"]
    violent = pc.filter(ev.typed("event_id"), pc.fill_null(pc.equal(ev.typed("acled_disorder_type"), "Political violence"), False))
    return in_set(ctx.tables["casualties"].typed("event_id"), violent)


# --- link ids --------------------------------------------------------------------------------------

def _link_id(td: TableData, id_col: str, a: str, b: str) -> np.ndarray:
    expected = pc.binary_join_element_wise(td.typed(a), td.typed(b), "--")
    return pc.fill_null(pc.equal(td.typed(id_col), expected), True).to_numpy(zero_copy_only=False)


@rule("event_actors", "event_actor_id", hint="Use <event_id>--<actor_id>.")
def event_actor_id_form(ctx: Context):
    """event_actor_id must be <event_id>--<actor_id>."""
    return _link_id(ctx.tables["event_actors"], "event_actor_id", "event_id", "actor_id")


@rule("statement_actors", "statement_actor_id", hint="Use <statement_id>--<actor_id>.")
def statement_actor_id_form(ctx: Context):
    """statement_actor_id must be <statement_id>--<actor_id>."""
    return _link_id(ctx.tables["statement_actors"], "statement_actor_id", "statement_id", "actor_id")


# --- evidence ---------------------------------------------------------------------------------------

def _evidenced(ctx: Context, table: str) -> np.ndarray:
    ev, td = ctx.tables["evidence"], ctx.tables[table]
    mine = pc.filter(ev.typed("record_id"), pc.fill_null(pc.equal(ev.typed("table_name"), table), False))
    return in_set(td.typed(PK[table]), mine) | ~has(td, PK[table])


def _register_evidence_rule(table: str) -> None:
    def fn(ctx: Context):
        """The record has no evidence: no row of the evidence table cites it."""
        return _evidenced(ctx, table)

    fn.__name__ = f"{table}_have_evidence"
    rule(table, PK[table], needs=(table, "evidence"), hint="Add a quote for it (annotations/) and rebuild.")(fn)


for _t in CODED:
    _register_evidence_rule(_t)


@rule("evidence", "record_id", needs=("evidence",) + CODED, hint="Cite an existing record of table_name.")
def evidence_record_exists(ctx: Context):
    """The evidence cites a record that does not exist in its table_name."""
    ev = ctx.tables["evidence"]
    ok = np.zeros(ev.num_rows, dtype=bool)
    for table in CODED:
        rows = text_eq(ev, "table_name", table)
        ok |= rows & in_set(ev.typed("record_id"), keys_of(ctx.tables.get(table), PK[table]))
    return ok | ~has(ev, "record_id")


def _article(ctx: Context) -> str | None:
    return ctx.texts.get("article")


def _spans_match(texts: pd.Series, starts: pd.Series, ends: pd.Series, article: str) -> np.ndarray:
    """source[start:end] == text, computed once per distinct (start, end, text)."""
    frame = pd.DataFrame({"t": texts.astype("object"), "a": starts.astype("Int64"), "b": ends.astype("Int64")})
    uniq = frame.drop_duplicates()
    verdict = [bool(pd.notna(a) and pd.notna(b) and isinstance(t, str) and article[int(a):int(b)] == t)
               for t, a, b in uniq.itertuples(index=False)]
    uniq = uniq.assign(ok=verdict)
    return frame.merge(uniq, on=["t", "a", "b"], how="left")["ok"].fillna(False).to_numpy(dtype=bool)


@rule("evidence", "quote", needs=("evidence",), hint="Quote the article exactly, with the offsets of that quote (make-data build computes them).")
def evidence_matches_source(ctx: Context):
    """The quote is not the article's text at [start, end)."""
    article = _article(ctx)
    ev = ctx.tables["evidence"]
    if article is None:
        return np.zeros(ev.num_rows, dtype=bool)
    return _spans_match(s(ev, "quote"), s(ev, "start"), s(ev, "end"), article)


@rule("units", "text", needs=("units",), hint="Rebuild: units are cut from the article by make-data build.")
def unit_matches_source(ctx: Context):
    """The sentence text is not the article's text at [start, end)."""
    article = _article(ctx)
    td = ctx.tables["units"]
    if article is None:
        return np.zeros(td.num_rows, dtype=bool)
    return _spans_match(s(td, "text"), s(td, "start"), s(td, "end"), article)


@rule("evidence", "unit_id", needs=("evidence", "units"), hint="Use the id of the sentence that contains the quote.")
def evidence_inside_unit(ctx: Context):
    """The quote does not lie inside the sentence unit it names."""
    ev, un = ctx.tables["evidence"], ctx.tables["units"]
    starts = pd.Series(s(un, "start").astype("Int64").to_numpy(), index=s(un, "unit_id").astype("object"))
    ends = pd.Series(s(un, "end").astype("Int64").to_numpy(), index=s(un, "unit_id").astype("object"))
    starts, ends = starts[~starts.index.duplicated()], ends[~ends.index.duplicated()]
    uid = s(ev, "unit_id").astype("object")
    us, ue = uid.map(starts).astype("Float64"), uid.map(ends).astype("Float64")
    a, b = s(ev, "start").astype("Float64"), s(ev, "end").astype("Float64")
    ok = (us <= a) & (a < b) & (b <= ue)
    return ok.fillna(True).to_numpy(dtype=bool)


@rule("units", "excuse_reason", needs=("units", "evidence"), hint="Cite the sentence from a record, or excuse it with a reason (not both).")
def unit_cited_or_excused(ctx: Context):
    """The sentence is neither cited by evidence nor excused, or it is both (coverage must be exactly 100%)."""
    un, ev = ctx.tables["units"], ctx.tables["evidence"]
    cited = in_set(un.typed("unit_id"), pc.drop_null(ev.typed("unit_id")))
    return cited != has(un, "excuse_reason")


@rule("enrichment", "source_url", hint="Give the outside source as an http(s) address.")
def enrichment_has_source(ctx: Context):
    """Enrichment must carry an http(s) source_url and a source_title."""
    td = ctx.tables["enrichment"]
    url = td.typed("source_url")
    web = np.zeros(td.num_rows, dtype=bool) if url is None else \
        pc.fill_null(pc.match_substring_regex(url, r"^https?://[^\s]+$"), False).to_numpy(zero_copy_only=False)
    return web & has(td, "source_title")


@rule("enrichment", "record_id", needs=("enrichment", "sources") + CODED, hint="Enrich an existing record of table_name.")
def enrichment_record_exists(ctx: Context):
    """The enrichment targets a record that does not exist in its table_name."""
    td = ctx.tables["enrichment"]
    ok = np.zeros(td.num_rows, dtype=bool)
    for table in ("sources",) + CODED:
        rows = text_eq(td, "table_name", table)
        ok |= rows & in_set(td.typed("record_id"), keys_of(ctx.tables.get(table), PK[table]))
    return ok


@rule("sources", "sha256", needs=("sources",), hint="Record the sha256 of the article resource.")
def source_hash_matches_article(ctx: Context):
    """sources.sha256 is not the hash of the article shipped in the package."""
    import hashlib

    td, article = ctx.tables["sources"], _article(ctx)
    if article is None:
        return np.zeros(td.num_rows, dtype=bool)
    digest = hashlib.sha256(article.encode("utf-8")).hexdigest()
    return text_eq(td, "sha256", digest)


# --- assembly ---------------------------------------------------------------------------------------

def dataset_checks(ctx: Context) -> tuple[dict[str, dict[str, list]], list[Issue]]:
    """Pandera checks per table and column for every applicable rule, plus package-level issues."""
    extra: dict[str, dict[str, list]] = {}
    issues: list[Issue] = []
    if "article" not in ctx.texts:
        issues.append(Issue("article", "dataset-rule", "the package has no 'article' text resource, so quotes cannot be checked",
                            hint="Ship the source article as a resource named 'article'."))
    for r in RULES:
        if not all(t in ctx.tables for t in r.needs) or r.column not in ctx.tables[r.table].parsed:
            continue
        check = make_check(f"dataset:{r.fn.__name__}", r.fn, _guard(r, ctx), r.hint)
        extra.setdefault(r.table, {}).setdefault(r.column, []).append(check)
    return extra, issues


def _guard(r: Rule, ctx: Context):
    def run():
        try:
            return r.fn(ctx)
        except KeyError:  # a column the rule needs is absent: the header check already reports it
            return True
    return run
