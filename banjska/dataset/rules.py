"""The rules of the banjska-2023-events dataset that its Table Schemas cannot express: cross-field and
cross-table consistency, evidence anchored in the article, full sentence coverage, spreadsheet safety.

Registered for packages named `banjska-2023-events` through the `banjska.rules` entry point
(pyproject.toml); the generic engine (banjska.validate) runs them. Each rule is a vectorised function
over the parsed tables, registered with `@rule(table, column)` and returning a boolean mask (True = the
row passes). Its one-line docstring is the error message users see. Rules whose tables or columns are
absent from a package are skipped (the Table Schema checks already report what is missing).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from banjska.report import Issue
from banjska.validate import keys
from banjska.validate.context import Context, TableData
from banjska.validate.keys import Ref
from banjska.validate.rules import RuleSet

RULESET = RuleSet("banjska-2023-events", no_bom=True, lf_only=True, no_empty_tables=True)
rule = RULESET.rule
RULES = RULESET.rules

# Tables whose records are hand-coded from the article, so every record must have evidence.
CODED = ("places", "actors", "events", "event_actors", "event_places", "statements", "statement_actors", "casualties",
         "claims")
TEXT = "article-{}"  # the text resource of source <source_id> (its sources.path)
ARTICLE = "article"  # releases before 3.0.0: the one source's text resource


# --- helpers -----------------------------------------------------------------------------------

def numbers(td: TableData, name: str) -> np.ndarray:
    """A numeric column as floats, NaN where missing."""
    arr = td.typed(name)
    if arr is None:
        return np.full(td.num_rows, np.nan)
    return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)


def has(td: TableData, name: str) -> np.ndarray:
    return td.present(name)


def dates(td: TableData, name: str) -> np.ndarray:
    arr = td.typed(name)
    if arr is None or not pa.types.is_date32(arr.type):
        return np.full(td.num_rows, np.datetime64("NaT"), dtype="datetime64[D]")
    return arr.to_numpy(zero_copy_only=False).astype("datetime64[D]")


def lacks(td: TableData, *names: str) -> bool:
    """The table has no such column: a package of an earlier version of this dataset, whose rules did not
    include the check (its Table Schemas ship with it), so the check is skipped."""
    return any(td.typed(name) is None for name in names)


def le_or_missing(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.isnat(a) | np.isnat(b) | (a <= b)


def text_eq(td: TableData, name: str, value: str) -> np.ndarray:
    arr = td.typed(name)
    return np.zeros(td.num_rows, dtype=bool) if arr is None else pc.fill_null(pc.equal(arr, value), False).to_numpy(zero_copy_only=False)


def pk(ctx: Context, table: str) -> str:
    """The table's (single-field) primary key, from its Table Schema."""
    key_fields = ctx.tables[table].schema.get("primaryKey") if table in ctx.tables else None
    return key_fields[0] if isinstance(key_fields, list) else str(key_fields or "")


def key(table: str, ctx: Context) -> Ref:
    return Ref(table, pk(ctx, table))


def cites(table: str, citing: str = "evidence") -> Ref:
    """The record_id of the `citing` rows whose table_name is `table` (a polymorphic reference)."""
    return Ref(citing, "record_id", ("table_name", table))


def take_rows(values: pa.Array, rows: np.ndarray | None) -> pa.Array:
    """values at `rows` (null where the row is -1, or everywhere when rows is None)."""
    if rows is None:
        return pa.nulls(0, values.type)
    return pc.take(values, pa.array(rows, pa.int64(), mask=rows < 0))


# --- dates ---------------------------------------------------------------------------------------
# Events and statements share their date fields: a best estimate (date, time_precision, date_basis),
# hard bounds (date_start, date_end, date_precision) and the steps that give the bounds (step 1:
# date_rule from date_raw and date_reference; step 2: date_narrowing_rule and its reference).

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NAT = np.datetime64("NaT", "D")


def weekday(d: np.ndarray) -> np.ndarray:
    """Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday)."""
    return (d.astype("int64") + 3) % 7


def _named(td: TableData, name: str, words: tuple[str, ...], rows: np.ndarray) -> np.ndarray:
    """Per row: the index of the first of `words` the text mentions (-1: none), looked at only in `rows`."""
    out = np.full(td.num_rows, -1)
    arr = td.typed(name)
    if arr is None or not rows.any():
        return out
    sub = arr.filter(pa.array(rows))
    found = np.full(len(sub), -1)
    for i, word in enumerate(words):
        hit = pc.fill_null(pc.match_substring(sub, word), False).to_numpy(zero_copy_only=False)
        found = np.where((found < 0) & hit, i, found)
    out[rows] = found
    return out


def _month_day(td: TableData, ref: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The printed 'Month D' of date_raw in the reference date's year (NaT where there is none)."""
    out = np.full(td.num_rows, NAT)
    month = _named(td, "date_raw", MONTHS, rows)
    day = np.zeros(td.num_rows, dtype=np.int64)
    arr = td.typed("date_raw")
    if arr is not None and rows.any():
        parts = pc.extract_regex(pc.fill_null(arr.filter(pa.array(rows)), ""), r"(?P<day>\b[0-9]{1,2}\b)")
        digits = pc.struct_field(parts, "day")
        day[rows] = pc.fill_null(pc.cast(pc.if_else(pc.is_valid(parts), digits, None), pa.int64()), 0).to_numpy()
    ok = rows & (month >= 0) & (day >= 1) & ~np.isnat(ref)
    first = ref.astype("datetime64[Y]").astype("datetime64[M]") + np.maximum(month, 0)  # 1 <month> of ref's year
    out[ok] = first[ok].astype("datetime64[D]") + (day[ok] - 1)
    return out


def expected_bounds(td: TableData) -> tuple[np.ndarray, np.ndarray]:
    """The hard bounds that date_rule and the narrowing step give (NaT: unbounded)."""
    ref, n = dates(td, "date_reference"), td.num_rows
    lo, hi = np.full(n, NAT), np.full(n, NAT)
    explicit = text_eq(td, "date_rule", "explicit_month_day")
    lo[explicit] = hi[explicit] = _month_day(td, ref, explicit)[explicit]
    wk = text_eq(td, "date_rule", "weekday_in_reference_week")
    named = _named(td, "date_raw", WEEKDAYS, wk)
    ok = wk & (named >= 0) & ~np.isnat(ref)
    lo[ok] = hi[ok] = ref[ok] - ((weekday(ref[ok]) - named[ok]) % 7)
    weekend = text_eq(td, "date_rule", "weekend_before_reference") & ~np.isnat(ref)
    sunday = ref[weekend] - ((weekday(ref[weekend]) - 6) % 7)
    lo[weekend], hi[weekend] = sunday - 1, sunday
    ongoing = text_eq(td, "date_rule", "ongoing_at_report")
    hi[ongoing] = ref[ongoing]
    after = text_eq(td, "date_rule", "after_referenced_event")
    lo[after] = ref[after]
    narrow = dates(td, "date_narrowing_reference")
    up = text_eq(td, "date_narrowing_rule", "after_referenced_event") & ~np.isnat(narrow)
    lo[up] = np.where(np.isnat(lo[up]) | (lo[up] < narrow[up]), narrow[up], lo[up])
    down = text_eq(td, "date_narrowing_rule", "before_referenced_event") & ~np.isnat(narrow)
    hi[down] = np.where(np.isnat(hi[down]) | (hi[down] > narrow[down]), narrow[down], hi[down])
    return lo, hi


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (np.isnat(a) & np.isnat(b)) | (a == b)


def dates_ordered(td: TableData) -> np.ndarray:
    """The best estimate lies outside the hard bounds: date_start <= date <= date_end must hold."""
    d, lo, hi = dates(td, "date"), dates(td, "date_start"), dates(td, "date_end")
    return le_or_missing(lo, d) & le_or_missing(d, hi) & le_or_missing(lo, hi)


def precision_consistent(td: TableData) -> np.ndarray:
    """date_precision does not describe the hard bounds date_start and date_end."""
    a, b = has(td, "date_start"), has(td, "date_end")
    lo, hi = dates(td, "date_start"), dates(td, "date_end")
    expected = {"day": a & b & (lo == hi), "span": a & b & (lo < hi), "before": ~a & b,
                "after": a & ~b, "unknown": ~a & ~b}
    ok = np.ones(td.num_rows, dtype=bool)
    for value, cond in expected.items():
        ok &= ~text_eq(td, "date_precision", value) | cond
    return ok


def time_precision_consistent(td: TableData) -> np.ndarray:
    """time_precision is 1 exactly when the hard bounds pin the day (date_precision 'day')."""
    if lacks(td, "time_precision"):
        return True
    one = numbers(td, "time_precision") == 1
    return ~has(td, "time_precision") | (one == text_eq(td, "date_precision", "day"))


def rule_consistent(td: TableData) -> np.ndarray:
    """date_rule and date_reference disagree: a rule other than 'none' needs its reference date, 'none' has none."""
    return text_eq(td, "date_rule", "none") != has(td, "date_reference")


def narrowing_consistent(td: TableData) -> np.ndarray:
    """date_narrowing_rule and date_narrowing_reference must be given together."""
    if lacks(td, "date_narrowing_rule", "date_narrowing_reference"):
        return True
    return has(td, "date_narrowing_rule") == has(td, "date_narrowing_reference")


def bounds_follow(td: TableData) -> np.ndarray:
    """The hard bounds do not follow from the recorded steps (date_rule on date_raw and date_reference, then the narrowing step)."""
    if lacks(td, "date_narrowing_rule", "date_narrowing_reference"):  # release 1.0.0 recorded one step only
        return True
    lo, hi = expected_bounds(td)
    return _same(lo, dates(td, "date_start")) & _same(hi, dates(td, "date_end"))


def basis_consistent(td: TableData) -> np.ndarray:
    """date_basis does not match the dating steps recorded beside it."""
    if lacks(td, "date_basis", "date_narrowing_rule"):
        return True
    narrowed = has(td, "date_narrowing_rule")
    rule_is = {r: text_eq(td, "date_rule", r) for r in
               ("explicit_month_day", "weekday_in_reference_week", "weekend_before_reference", "ongoing_at_report")}
    relative = rule_is["weekday_in_reference_week"] | rule_is["weekend_before_reference"] | rule_is["ongoing_at_report"]
    checks = {"stated": rule_is["explicit_month_day"] & ~narrowed,
              "resolved_relative": relative & ~narrowed,
              "discourse_context": ~has(td, "date_raw") & ~narrowed}
    ok = ~narrowed | text_eq(td, "date_basis", "inferred")
    for value, cond in checks.items():
        ok &= ~text_eq(td, "date_basis", value) | cond
    return ok


DATE_RULES = (
    (dates_ordered, "date", "Make date_start <= date <= date_end."),
    (precision_consistent, "date_precision",
     "day: start = end; span: start < end; before: end only; after: start only; unknown: neither."),
    (time_precision_consistent, "time_precision", "Use time_precision 1 for a day the bounds pin, 2 or 3 for an estimate."),
    (rule_consistent, "date_rule", "Give date_reference exactly when date_rule is not 'none'."),
    (narrowing_consistent, "date_narrowing_reference", "Give both narrowing fields or neither."),
    (bounds_follow, "date_start", "Correct date_start/date_end, or record the step that gives them (date_rule, date_narrowing_rule)."),
    (basis_consistent, "date_basis", "stated needs date_rule explicit_month_day; resolved_relative a relative date_rule; "
     "discourse_context no date_raw; a narrowing step needs inferred."),
)


def _register_date_rule(table: str, check, column: str, hint: str) -> None:
    """Events and statements share their date fields, so they share these rules (one per table)."""
    def fn(ctx: Context):
        return check(ctx.tables[table])

    fn.__doc__ = check.__doc__
    fn.__name__ = f"{table[:-1]}_{check.__name__}"  # e.g. event_dates_ordered
    rule(table, column, hint=hint)(fn)


def _cited_for(ctx: Context, table: str, field_name: str) -> np.ndarray:
    """Per row of `table`: some evidence row of that table quotes it for `field_name`."""
    td, ev = ctx.tables[table], ctx.tables["evidence"]
    mask = pc.and_(pc.fill_null(pc.equal(ev.typed("table_name"), table), False),
                   pc.fill_null(pc.equal(ev.typed("field"), field_name), False))
    quoted = pc.unique(ev.typed("record_id").filter(mask))
    return pc.fill_null(pc.is_in(td.typed(pk(ctx, table)), value_set=quoted), False).to_numpy(zero_copy_only=False)


def _register_cue_rule(table: str) -> None:
    def fn(ctx: Context):
        """The best-estimate date has no cue: no evidence row of the record has field date_basis."""
        if lacks(ctx.tables[table], "date_basis"):
            return True
        return _cited_for(ctx, table, "date_basis") | ~_evidenced(ctx, table)  # no evidence at all: its own rule

    fn.__name__ = f"{table[:-1]}_date_cue_quoted"
    rule(table, "date_basis", needs=(table, "evidence"), hint="Quote the words the date rests on with field: date_basis.")(fn)


for _table in ("events", "statements"):
    for _check, _column, _hint in DATE_RULES:
        _register_date_rule(_table, _check, _column, _hint)
    _register_cue_rule(_table)


@rule("statements", "date", needs=("statements", "events"), hint="Correct the dates, or set precedes_event to true if the statement anticipated the event.")
def statement_not_before_event(ctx: Context):
    """The statement's best-estimate date is before that of the event it concerns, and it is not marked precedes_event."""
    st, ev = ctx.tables["statements"], ctx.tables["events"]
    rows = keys.parent_rows(ctx, Ref("statements", "event_id"), key("events", ctx))
    if rows is None:
        return True
    target = take_rows(ev.typed("date"), rows)
    ok = pc.fill_null(pc.less_equal(target, st.typed("date")), True)
    marked = pc.fill_null(st.typed("precedes_event"), False) if st.typed("precedes_event") is not None else pc.equal(ok, False)
    return pc.or_(ok, marked).to_numpy(zero_copy_only=False)


# --- counts and qualifiers -------------------------------------------------------------------------

@rule("casualties", "count", hint="Keep count_low <= count <= count_high; an 'exact' count has no range.")
def casualty_count_consistent(ctx: Context):
    """count, count_low, count_high and qualifier disagree (low <= count <= high; exact means no range)."""
    td = ctx.tables["casualties"]
    c, lo, hi = (numbers(td, n) for n in ("count", "count_low", "count_high"))
    with np.errstate(invalid="ignore"):
        ok = ~(lo > c) & ~(c > hi) & ~(lo > hi)          # comparisons with NaN are False: missing passes
        ranged = (~np.isnan(lo) & (lo != c)) | (~np.isnan(hi) & (hi != c))
    exact = text_eq(td, "qualifier", "exact")
    return ok & ~(exact & ranged)


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
    violent = text_eq(ctx.tables["events"], "acled_disorder_type", "Political violence")
    ok = keys.found(ctx, Ref("casualties", "event_id"), key("events", ctx), among=violent)
    exists = keys.found(ctx, Ref("casualties", "event_id"), key("events", ctx))
    return True if ok is None else ok | ~exists  # no such event: the foreign key reports it


# --- link ids --------------------------------------------------------------------------------------

def joined(a: pa.Array, b: pa.Array) -> pa.Array:
    """a + "--" + b for text columns of either string width (large_string once a column passes 2 GiB)."""
    kind = pa.large_string() if pa.types.is_large_string(a.type) or pa.types.is_large_string(b.type) else pa.string()
    return pc.binary_join_element_wise(pc.cast(a, kind), pc.cast(b, kind), pa.scalar("--", kind))


def _link_id(td: TableData, id_col: str, a: str, b: str) -> np.ndarray:
    expected = joined(td.typed(a), td.typed(b))
    return pc.fill_null(pc.equal(td.typed(id_col), expected), True).to_numpy(zero_copy_only=False)


@rule("event_actors", "event_actor_id", hint="Use <event_id>--<actor_id>.")
def event_actor_id_form(ctx: Context):
    """event_actor_id must be <event_id>--<actor_id>."""
    return _link_id(ctx.tables["event_actors"], "event_actor_id", "event_id", "actor_id")


@rule("event_places", "event_place_id", hint="Use <event_id>--<place_id>.")
def event_place_id_form(ctx: Context):
    """event_place_id must be <event_id>--<place_id>."""
    return _link_id(ctx.tables["event_places"], "event_place_id", "event_id", "place_id")


@rule("events", "place_id", needs=("events", "event_places"), hint="Add the place to the event's places with relation 'at' or 'near', or correct place_id.")
def event_location_listed(ctx: Context):
    """The event's location (place_id) is not one of its event_places with relation 'at' or 'near'."""
    ev, ep = ctx.tables["events"], ctx.tables["event_places"]
    located = pc.fill_null(pc.is_in(ep.typed("relation"), value_set=pa.array(["at", "near"])), False)
    pairs = joined(ep.typed("event_id"), ep.typed("place_id")).filter(located)
    wanted = joined(ev.typed("event_id"), ev.typed("place_id"))
    return pc.fill_null(pc.is_in(wanted, value_set=pc.unique(pairs)), False).to_numpy(zero_copy_only=False) | ~has(ev, "place_id")


@rule("actors", "affiliation_basis", hint="Say whether the affiliation is stated or inferred, and only when there is one.")
def affiliation_basis_with_affiliation(ctx: Context):
    """affiliation_basis must be given exactly when affiliation_actor_id is."""
    td = ctx.tables["actors"]
    if lacks(td, "affiliation_basis"):
        return True
    return has(td, "affiliation_basis") == has(td, "affiliation_actor_id")


@rule("statement_actors", "statement_actor_id", hint="Use <statement_id>--<actor_id>.")
def statement_actor_id_form(ctx: Context):
    """statement_actor_id must be <statement_id>--<actor_id>."""
    return _link_id(ctx.tables["statement_actors"], "statement_actor_id", "statement_id", "actor_id")


# --- evidence ---------------------------------------------------------------------------------------

def _evidenced(ctx: Context, table: str) -> np.ndarray:
    td = ctx.tables[table]
    cited = keys.cited(ctx, key(table, ctx), cites(table))
    ok = ~has(td, pk(ctx, table)) if cited is None else cited | ~has(td, pk(ctx, table))
    if table == "claims" and not lacks(td, "coded_in"):
        ok |= text_eq(td, "coded_in", "events")  # the event record's claim: its evidence is the record's
    return ok


def _register_evidence_rule(table: str) -> None:
    def fn(ctx: Context):
        """The record has no evidence: no row of the evidence table cites it."""
        return _evidenced(ctx, table)

    fn.__name__ = f"{table}_have_evidence"
    rule(table, None, needs=(table, "evidence"), hint="Add a quote for it (annotations/) and rebuild.")(fn)


for _t in CODED:
    _register_evidence_rule(_t)


def _polymorphic_exists(ctx: Context, td: TableData, tables: tuple[str, ...]) -> np.ndarray:
    """table_name + record_id point at an existing record; each row is tested against its own table only."""
    ok = np.zeros(td.num_rows, dtype=bool)
    for table in tables:
        hit = keys.found(ctx, cites(table, td.name), key(table, ctx))
        if hit is not None:  # an absent table has no records to cite
            ok |= hit
    return ok


@rule("evidence", "record_id", needs=("evidence",) + CODED, hint="Cite an existing record of table_name.")
def evidence_record_exists(ctx: Context):
    """The evidence cites a record that does not exist in its table_name."""
    ev = ctx.tables["evidence"]
    return _polymorphic_exists(ctx, ev, CODED) | ~has(ev, "record_id")


def _text_of(ctx: Context, source_id: str | None) -> str | None:
    """Source <source_id>'s text: its `article-<source_id>` resource; in a package from before 3.0.0 (one
    source, no such resources), the one `article`."""
    if source_id is None:
        return None
    own = ctx.texts.get(TEXT.format(source_id))
    if own is None and not any(name.startswith(TEXT.format("")) for name in ctx.texts):
        return ctx.texts.get(ARTICLE)
    return own


def _source_texts(ctx: Context, td: TableData) -> tuple[list[str | None], np.ndarray]:
    """The texts the rows point into and, per row, the index of its text (-1: none). A row's text is its
    source's (`article-<source_id>`); in a package without source_id columns (before 3.0.0), the one `article`."""
    if lacks(td, "source_id"):
        return [ctx.texts.get(ARTICLE)], np.zeros(td.num_rows, dtype=np.int64)
    enc = pc.dictionary_encode(td.text("source_id"))
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    texts = [_text_of(ctx, sid) for sid in enc.dictionary.to_pylist()]
    idx = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return texts, idx


def _offsets(td: TableData, name: str, limit: int) -> np.ndarray:
    """An integer offset column as int64, -1 where missing, invalid or negative; clipped to `limit`
    (every offset past the end slices the same empty text)."""
    arr = td.typed(name)
    if arr is None or not pa.types.is_integer(arr.type):
        return np.full(td.num_rows, -1, dtype=np.int64)
    out = pc.fill_null(arr, -1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    return np.where(out < 0, -1, np.minimum(out, limit))


def _spans_match(ctx: Context, table: str, text_col: str) -> np.ndarray:
    """source[start:end] == text, with integer codes: each distinct (source, start, end) span is cut from its
    source once, and compared once per distinct text; a row whose source has no text fails."""
    td = ctx.tables[table]
    sources, src = _source_texts(ctx, td)
    width = max((len(t) for t in sources if t is not None), default=0) + 2
    a, b = _offsets(td, "start", width - 1), _offsets(td, "end", width - 1)
    span = pc.dictionary_encode(pa.array(((src + 1) * (width + 1) + (a + 1)) * (width + 1) + (b + 1), pa.int64()))
    cut = []
    for k in span.dictionary.to_numpy():
        rest, j = divmod(int(k), width + 1)
        s_idx, i = divmod(rest, width + 1)
        text = sources[s_idx - 1] if s_idx > 0 else None
        cut.append(text[i - 1:j - 1] if text is not None and i > 0 and j > 0 else None)  # None: no valid span
    span_idx = span.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    enc = td.encoded(text_col)
    if enc is None:  # mostly distinct texts: compare every row with its span's text, vectorised
        expected = pc.take(pa.array(cut, pa.string()), span.indices)
        return pc.fill_null(pc.equal(td.text(text_col), expected), False).to_numpy(zero_copy_only=False)
    texts = enc.dictionary.to_pylist()
    pair = pc.dictionary_encode(pa.array(enc.indices.to_numpy(zero_copy_only=False).astype(np.int64) * len(cut) + span_idx))
    verdict = [cut[k % len(cut)] == texts[k // len(cut)] for k in pair.dictionary.to_pylist()]
    return np.asarray(verdict, dtype=bool)[pair.indices.to_numpy(zero_copy_only=False)]


@rule("evidence", "quote", needs=("evidence",), hint="Quote the source exactly, with the offsets of that quote (make-data build computes them).")
def evidence_matches_source(ctx: Context):
    """The quote is not its source's text at [start, end)."""
    return _spans_match(ctx, "evidence", "quote")


@rule("units", "text", needs=("units",), hint="Rebuild: units are cut from the article by make-data build.")
def unit_matches_source(ctx: Context):
    """The sentence text is not its source's text at [start, end)."""
    return _spans_match(ctx, "units", "text")


@rule("evidence", "unit_id", needs=("evidence", "units"), hint="Use the id of the sentence that contains the quote.")
def evidence_inside_unit(ctx: Context):
    """The quote does not lie inside the sentence unit it names."""
    ev, un = ctx.tables["evidence"], ctx.tables["units"]
    rows = keys.parent_rows(ctx, Ref("evidence", "unit_id"), key("units", ctx))
    if rows is None:
        return True
    us, ue = take_rows(un.typed("start"), rows), take_rows(un.typed("end"), rows)
    a, b = ev.typed("start"), ev.typed("end")
    ok = pc.and_(pc.and_(pc.less_equal(us, a), pc.less(a, b)), pc.less_equal(b, ue))
    return pc.fill_null(ok, True).to_numpy(zero_copy_only=False)


@rule("units", "excuse_reason", needs=("units", "evidence"), hint="Cite the sentence from a record, or excuse it with a reason (not both).")
def unit_cited_or_excused(ctx: Context):
    """The sentence is neither cited by evidence nor excused, or it is both (coverage must be exactly 100%)."""
    un = ctx.tables["units"]
    cited = keys.cited(ctx, key("units", ctx), Ref("evidence", "unit_id"))
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
    return _polymorphic_exists(ctx, ctx.tables["enrichment"], ("sources",) + CODED)


@rule("sources", "sha256", needs=("sources",), hint="Record the sha256 of the source's text resource.")
def source_hash_matches_article(ctx: Context):
    """sources.sha256 is not the hash of the source's text shipped in the package."""
    import hashlib

    td = ctx.tables["sources"]
    ids = td.text("source_id").to_pylist() if not lacks(td, "source_id") else [None] * td.num_rows
    expected = []
    for sid in ids:
        text = _text_of(ctx, sid)
        expected.append(hashlib.sha256(text.encode("utf-8")).hexdigest() if text is not None else None)
    got = td.text("sha256").to_pylist() if not lacks(td, "sha256") else [None] * td.num_rows
    return np.array([e is not None and e == g for e, g in zip(expected, got, strict=True)], dtype=bool)


# --- spreadsheet safety ------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_BYTE = np.zeros(256, dtype=bool)
_FORMULA_BYTE[list("".join(FORMULA_STARTS).encode("ascii"))] = True


def _formula_free(values: pa.Array) -> pa.Array:
    """False where the text starts with a formula character: a lookup of each value's first byte in
    Arrow's buffers (a UTF-8 lead byte is never one of these ASCII characters)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if values.type != pa.string():  # parsed text is always pa.string(); other string types take the regex
        return pc.invert(pc.fill_null(pc.match_substring_regex(values, r"^[=+\-@\t\r]"), False))
    _, offsets, data = values.buffers()
    n = len(values)
    if n == 0 or data is None:
        return pa.array(np.ones(n, dtype=bool))
    offsets = np.frombuffer(offsets, dtype=np.int32)[values.offset:values.offset + n + 1]
    starts = offsets[:-1]
    filled = offsets[1:] > starts
    first = np.zeros(n, dtype=np.uint8)
    first[filled] = np.frombuffer(data, dtype=np.uint8)[starts[filled]]
    return pa.array(~_FORMULA_BYTE[first])


def no_formula_cells(td: TableData, name: str) -> np.ndarray:
    """Text starts with =, +, -, @ or a control character, which spreadsheets run as a formula (CSV injection)."""
    return td.per_value(name, _formula_free, encode=False) | ~td.present(name)  # a cell of the wrong format: type error


# --- package level -------------------------------------------------------------------------------

def prepare(ctx: Context) -> list[Issue]:
    """Before the checks: the article must be there, and the polymorphic record ids are encoded with the
    keys they cite (validate/keys.py)."""
    issues = []
    sources = ctx.tables.get("sources")
    ids = sources.text("source_id").to_pylist() if sources is not None and not lacks(sources, "source_id") else []
    for sid in ids:
        name = TEXT.format(sid)
        if sid is not None and _text_of(ctx, sid) is None:
            issues.append(Issue(name, "dataset-rule", f"the package has no text resource for source {sid!r}, so its "
                                "quotes cannot be checked", hint=f"Ship the source's article as a resource named {name!r}."))
    for table in CODED:
        if table in ctx.tables:
            ctx.keys.register(key(table, ctx), cites(table))
    for table in ("sources",) + CODED:
        if table in ctx.tables:
            ctx.keys.register(key(table, ctx), cites(table, "enrichment"))
    return issues


RULESET.prepare = prepare
RULESET.text_rule("Reword the text so it does not start with =, +, - or @ (or prefix it with a space).")(no_formula_cells)

# The rules for claims and estimates across sources live in their own module; importing it registers them.
from banjska.dataset import claims as _claims  # noqa: E402, F401
