"""Dataset rules (banjska/engine/rules.py): each one fires, alone, at the right place, with its docstring.

Every case corrupts a private copy of the shipped package in the smallest way that breaks exactly one
rule, re-hashes the edited resource (so the hash check stays quiet), validates, and demands that the
only finding is that rule at the edited file, line and column, with the rule's one-line docstring as
the message. A rule registered in RULES without a case here fails `test_every_rule_has_a_case`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from banjska.dataset.rules import CODED, RULES, RULESET, no_formula_cells
from banjska.validate.core import validate_package

from pkgtools import csv_of, find_row, get_cell, line_of, read_rows, rehash, schema_of, set_cell, write_rows
from repo import ROOT, TABLES

RULE_FN = {r.fn.__name__: r for r in RULES}
PK = {t: schema_of(ROOT, t)["primaryKey"][0] for t in TABLES}
# Rules applied to every text column rather than registered in RULES: name -> function (docstring = message).
COLUMN_RULES = {"no_formula_cells": no_formula_cells}


@dataclass(frozen=True)
class Loc:
    """Where a finding must be: table, CSV line, column (and the offending cell's text)."""

    table: str
    line: int
    column: str
    value: str | None = None

    @property
    def file(self) -> str:
        return f"data/{self.table}.csv"


def put(repo: Path, table: str, key: str, column: str, value: str) -> int:
    """Set `column` of the row whose primary key is `key`; returns its line."""
    return set_cell(csv_of(repo, table), (PK[table], key), column, value)


def rebuilt(repo: Path, event: str, **values: str) -> None:
    """Let the derived tables follow a corrupted coded value, as `make-data build` would: the event's own claim
    (`claim_<column>`) and its estimates (`estimate_<column>`), so that only the rule under test fires."""
    for name, value in values.items():
        table, column = name.split("_", 1)
        if table == "claim":
            put(repo, "claims", f"{event}--src-000", column, value)
        else:
            put(repo, "event_estimates", event, column, value)


# --- one corruption per case: returns the location(s) the rule must report --------------------------

def c_event_dates_ordered(repo):
    # The best estimate before the hard lower bound (weaponry-discovered: on or after 24 September).
    rebuilt(repo, "weaponry-discovered", claim_date="2023-09-23", estimate_date_best="2023-09-23")
    return [Loc("events", put(repo, "events", "weaponry-discovered", "date", "2023-09-23"), "date", "2023-09-23")]


def c_statement_dates_ordered(repo):
    # The best estimate after the hard upper bound (a day-bounded statement, still after its event).
    return [Loc("statements", put(repo, "statements", "wh-concern-buildup", "date", "2023-09-30"), "date", "2023-09-30")]


def c_event_precision_consistent(repo):
    # 'before' means an end bound only; weaponry-discovered has a start bound only.
    return [Loc("events", put(repo, "events", "weaponry-discovered", "date_precision", "before"), "date_precision", "before")]


def c_statement_precision_consistent(repo):
    line = put(repo, "statements", "kirby-calls-investigation", "date_precision", "unknown")
    return [Loc("statements", line, "date_precision", "unknown")]


def c_event_time_precision_consistent(repo):
    # time_precision 1 claims the day is known, but the bounds are open-ended.
    return [Loc("events", put(repo, "events", "weaponry-discovered", "time_precision", "1"), "time_precision", "1")]


def c_statement_time_precision_consistent(repo):
    # The bounds pin the day, but time_precision says it is an estimate.
    return [Loc("statements", put(repo, "statements", "wh-concern-buildup", "time_precision", "2"), "time_precision", "2")]


def c_event_rule_consistent(repo):
    # Nothing resolved (rule none) yet a reference date is given.
    line = put(repo, "events", "sullivan-discussion", "date_reference", "2023-09-29")
    return [Loc("events", line, "date_rule", "none")]


def c_statement_rule_consistent(repo):
    line = put(repo, "statements", "wh-unprecedented-accumulation", "date_reference", "2023-09-29")
    return [Loc("statements", line, "date_rule", "none")]


def c_event_narrowing_consistent(repo):
    # A narrowing rule without its reference date (the record's basis is already 'inferred').
    line = put(repo, "events", "weaponry-discovered", "date_narrowing_rule", "after_referenced_event")
    return [Loc("events", line, "date_narrowing_reference")]


def c_statement_narrowing_consistent(repo):
    line = put(repo, "statements", "radoicic-confirms-participation", "date_narrowing_rule", "before_referenced_event")
    return [Loc("statements", line, "date_narrowing_reference")]


def c_event_bounds_follow(repo):
    # 'after_referenced_event' with reference 24 September gives the lower bound 24, not 25.
    line = put(repo, "events", "weaponry-discovered", "date_start", "2023-09-25")
    rebuilt(repo, "weaponry-discovered", claim_date_start="2023-09-25", estimate_date_low="2023-09-25")
    return [Loc("events", line, "date_start", "2023-09-25")]


def c_statement_bounds_follow(repo):
    # Drop the narrowing step: 'over the weekend' alone gives Saturday 23 to Sunday 24, not Sunday only.
    key = "kosovo-authorities-report"
    put(repo, "statements", key, "date_narrowing_rule", "")
    line = put(repo, "statements", key, "date_narrowing_reference", "")
    return [Loc("statements", line, "date_start", "2023-09-24")]


def c_event_basis_consistent(repo):
    # 'stated' needs a printed month and day; the call is dated by a bare weekday ('on Friday').
    return [Loc("events", put(repo, "events", "blinken-call", "date_basis", "stated"), "date_basis", "stated")]


def c_statement_basis_consistent(repo):
    # 'discourse_context' means the sentence has no temporal expression, but this one has 'Friday'.
    line = put(repo, "statements", "wh-concern-buildup", "date_basis", "discourse_context")
    return [Loc("statements", line, "date_basis", "discourse_context")]


def make_cue_case(table: str, key: str) -> Callable:
    """The record's date cue loses its field: the quote stays, but nothing says it is the cue."""

    def corrupt(repo):
        _, rows = _evidence_rows(repo)
        cue = next(r["evidence_id"] for r in rows if (r["table_name"], r["record_id"], r["field"]) == (table, key, "date_basis"))
        set_cell(csv_of(repo, "evidence"), ("evidence_id", cue), "field", "")
        return [Loc(table, line_of(csv_of(repo, table), find_row(csv_of(repo, table), PK[table], key)), "date_basis")]

    return corrupt


def c_statement_not_before_event(repo):
    # Estimated the day before the buildup it speaks of (serbian-buildup: 29 September); its bounds are open.
    line = put(repo, "statements", "wh-unprecedented-accumulation", "date", "2023-09-28")
    return [Loc("statements", line, "date", "2023-09-28")]


def c_event_location_listed(repo):
    # Kosovo is a place of the NATO decision (relation 'concerns'), not of the attack.
    rebuilt(repo, "banjska-attack", claim_place_id="kosovo")
    return [Loc("events", put(repo, "events", "banjska-attack", "place_id", "kosovo"), "place_id", "kosovo")]


def c_event_place_id_form(repo):
    key = "banjska-attack--zvecan"
    return [Loc("event_places", put(repo, "event_places", key, "place_id", "kosovo"), "event_place_id", key)]


def c_affiliation_basis_with_affiliation(repo):
    line = put(repo, "actors", "white-house", "affiliation_basis", "")
    return [Loc("actors", line, "affiliation_basis")]


def c_casualty_count_consistent(repo):
    # count 3 with count_high 2: low <= count <= high fails.
    line = set_cell(csv_of(repo, "casualties"), ("actor_id", "armed-serbs"), "count_high", "2")
    rebuilt(repo, "banjska-attack", claim_fatalities_high="3", estimate_fatalities_high="3")  # 1 + 2
    return [Loc("casualties", line, "count", "3")]


def c_casualty_exact_with_range(repo):
    # A consistent range (2 <= 3 <= 4) but the qualifier says exact.
    path = csv_of(repo, "casualties")
    set_cell(path, ("actor_id", "armed-serbs"), "count_low", "2")
    line = set_cell(path, ("actor_id", "armed-serbs"), "count_high", "4")
    assert get_cell(path, find_row(path, "actor_id", "armed-serbs"), "qualifier") == "exact"
    rebuilt(repo, "banjska-attack", claim_fatalities_low="3", claim_fatalities_high="5",  # 1 + 2, 1 + 4
            estimate_fatalities_low="3", estimate_fatalities_high="5")
    return [Loc("casualties", line, "count", "3")]


def c_size_qualifier_with_size(repo):
    line = put(repo, "event_actors", "banjska-attack--armed-serbs", "size_qualifier", "")
    return [Loc("event_actors", line, "size_qualifier")]


def c_size_qualifier_without_size(repo):
    line = put(repo, "event_actors", "banjska-attack--kosovo-police", "size_qualifier", "approximately")
    return [Loc("event_actors", line, "size_qualifier", "approximately")]


def c_time_qualifier_with_time(repo):
    return [Loc("events", put(repo, "events", "banjska-attack", "time_qualifier", ""), "time_qualifier")]


def c_geo_precision_with_place(repo):
    return [Loc("events", put(repo, "events", "banjska-attack", "geo_precision", ""), "geo_precision")]


def c_casualties_in_violent_events(repo):
    line = set_cell(csv_of(repo, "casualties"), ("actor_id", "kosovo-police"), "event_id", "serbian-buildup")
    rebuilt(repo, "banjska-attack", claim_fatalities="3", claim_fatalities_low="3", claim_fatalities_high="3",
            estimate_fatalities_best="3", estimate_fatalities_low="3", estimate_fatalities_high="3")
    rebuilt(repo, "serbian-buildup", claim_fatalities="1", claim_fatalities_low="1", claim_fatalities_high="1",
            estimate_fatalities_sources="1", estimate_fatalities_best="1", estimate_fatalities_low="1",
            estimate_fatalities_high="1")
    return [Loc("casualties", line, "event_id", "serbian-buildup")]


def c_event_actor_id_form(repo):
    key = "banjska-attack--milan-radoicic"
    return [Loc("event_actors", put(repo, "event_actors", key, "actor_id", "armed-serbs"), "event_actor_id", key)]


def c_statement_actor_id_form(repo):
    key = "stoltenberg-eu-dialogue--kosovo"
    return [Loc("statement_actors", put(repo, "statement_actors", key, "actor_id", "all-parties"), "statement_actor_id", key)]


def c_claims_have_evidence(repo):
    """A second source's claim record that quotes nothing (the event record's own claim, coded_in events,
    rests on the record's evidence)."""
    return [Loc("claims", second_source_claim(repo, coded_in="claims"), "claim_id")]


# --- claims and estimates (banjska/dataset/claims.py): with one source, each event has one claim ------------

ATTACK = "banjska-attack--src-000"  # the attack's own claim: 2023-09-24, banjska, 4 dead (exact)


def append_row(repo: Path, table: str, like: tuple[str, str], **changes: str) -> int:
    """Append a copy of the row whose `like[0]` is `like[1]`, with `changes`; returns its line."""
    path = csv_of(repo, table)
    header, rows = read_rows(path)
    row = list(rows[find_row(path, *like)])
    for column, value in changes.items():
        row[header.index(column)] = value
    write_rows(path, header, rows + [row])
    return line_of(path, len(rows))


def c_claim_id_form(repo):
    return [Loc("claims", put(repo, "claims", ATTACK, "claim_id", "banjska-attack--src-999"), "claim_id")]


def second_source(repo: Path) -> None:
    """Register the article a second time, as source src-001 (its own text resource)."""
    desc = json.loads((repo / "datapackage.json").read_text())
    text = next(r for r in desc["resources"] if r["name"] == "article-src-000")
    desc["resources"].append({**text, "name": "article-src-001"})
    (repo / "datapackage.json").write_text(json.dumps(desc))
    append_row(repo, "sources", ("source_id", "src-000"), source_id="src-001")


def quote_for(repo: Path, table: str, record: str) -> None:
    """Give a record an evidence row (a copy of one of the attack's quotes)."""
    append_row(repo, "evidence", ("evidence_id", "events/banjska-attack/1"), evidence_id=f"{table}/{record}/1",
               table_name=table, record_id=record)


def second_source_claim(repo: Path, coded_in: str) -> int:
    """src-001 claims the attack (no deaths given); returns the claim's line. The estimates follow (2 sources)."""
    second_source(repo)
    line = append_row(repo, "claims", ("claim_id", ATTACK), claim_id="banjska-attack--src-001", source_id="src-001",
                      coded_in=coded_in, fatalities="", fatalities_low="", fatalities_high="")
    rebuilt(repo, "banjska-attack", estimate_sources="2", estimate_source_ids="src-000 src-001")
    return line


def c_claim_of_own_source(repo):
    """src-001's claim says it is coded in the event record, which is src-000's."""
    return [Loc("claims", second_source_claim(repo, coded_in="events"), "source_id", "src-001")]


def make_repeat_case(column: str, value: str, estimate: str | None) -> Callable:
    """The attack's claim differs from its event record in `column` (and the estimate follows the claim)."""

    def corrupt(repo):
        line = put(repo, "claims", ATTACK, column, value)
        if estimate:
            put(repo, "event_estimates", "banjska-attack", estimate, value)
        return [Loc("claims", line, column, value)]

    return corrupt


def c_event_claimed(repo):
    """blinken-call's claim said to be another source's claim record (with a quote): the event has none."""
    put(repo, "claims", "blinken-call--src-000", "coded_in", "claims")
    quote_for(repo, "claims", "blinken-call--src-000")
    return [Loc("events", line_of(csv_of(repo, "events"), find_row(csv_of(repo, "events"), "event_id", "blinken-call")),
                "event_id")]


def make_fatality_case(column: str, estimate: str) -> Callable:
    """The attack's claim says 5 dead where its casualties rows sum to 4 (the estimate follows the claim)."""

    def corrupt(repo):
        line = put(repo, "claims", ATTACK, column, "5")
        put(repo, "event_estimates", "banjska-attack", estimate, "5")
        return [Loc("claims", line, column, "5")]

    return corrupt


def make_estimate_case(column: str, value: str) -> Callable:
    def corrupt(repo):
        return [Loc("event_estimates", put(repo, "event_estimates", "banjska-attack", column, value), column, value)]

    return corrupt


def c_claim_dates_ordered(repo):
    """src-001's claim (with its quote) dates the attack the 24th but bounds it from the 25th."""
    line = second_source_claim(repo, coded_in="claims")
    quote_for(repo, "claims", "banjska-attack--src-001")
    set_cell(csv_of(repo, "claims"), ("claim_id", "banjska-attack--src-001"), "date_start", "2023-09-25")
    return [Loc("claims", line, "date", "2023-09-24")]


def c_casualty_claimed(repo):
    """src-001 reports an injury in the attack (with its quote) but has no claim on the attack."""
    second_source(repo)
    line = append_row(repo, "casualties", ("casualty_id", "banjska-attack--armed-serbs--killed"),
                      casualty_id="banjska-attack--src-001--injured", source_id="src-001", outcome="injured")
    quote_for(repo, "casualties", "banjska-attack--src-001--injured")
    return [Loc("casualties", line, "source_id", "src-001")]


CLAIM_CASES = [
    ("claim_dates_ordered", "start-after-date", c_claim_dates_ordered),
    ("casualty_claimed", "injury-of-an-unclaimed-source", c_casualty_claimed),
    ("claim_id_form", "id-of-another-source", c_claim_id_form),
    ("claim_of_own_source", "second-source-in-event-record", c_claim_of_own_source),
    ("claim_date_repeats_event", "date-changed", make_repeat_case("date", "2023-09-25", "date_best")),
    ("claim_date_start_repeats_event", "start-changed", make_repeat_case("date_start", "2023-09-23", "date_low")),
    ("claim_date_end_repeats_event", "end-changed", make_repeat_case("date_end", "2023-09-25", "date_high")),
    ("claim_place_id_repeats_event", "place-changed", make_repeat_case("place_id", "zvecan", None)),
    ("event_claimed", "own-claim-recoded", c_event_claimed),
    ("claim_fatalities_sums_casualties", "five-dead", make_fatality_case("fatalities", "fatalities_best")),
    ("claim_fatalities_low_sums_casualties", "five-low", make_fatality_case("fatalities_low", "fatalities_low")),
    ("claim_fatalities_high_sums_casualties", "five-high", make_fatality_case("fatalities_high", "fatalities_high")),
    *[(f"estimate_{column}_follows_claims", "cell-changed", make_estimate_case(column, value)) for column, value in (
        ("sources", "2"), ("source_ids", "src-001"), ("date_best", "2023-09-25"), ("date_low", "2023-09-23"),
        ("date_high", "2023-09-25"), ("fatalities_sources", "0"), ("fatalities_best", "3"), ("fatalities_low", "3"),
        ("fatalities_high", "5"))],
]


def make_evidence_case(table: str) -> Callable:
    """Move every quote of one record of `table` to another record of the same table."""

    def corrupt(repo):
        header, rows = read_rows(csv_of(repo, table))
        keys = [r[header.index(PK[table])] for r in rows]
        victim, other = keys[-1], keys[0]
        ev_path = csv_of(repo, "evidence")
        eh, er = read_rows(ev_path)
        moved = 0
        for r in er:
            if r[eh.index("table_name")] == table and r[eh.index("record_id")] == victim:
                r[eh.index("record_id")] = other
                moved += 1
        assert moved, f"{table} {victim} had no evidence to begin with"
        write_rows(ev_path, eh, er)
        return [Loc(table, line_of(csv_of(repo, table), len(keys) - 1), PK[table], victim)]

    return corrupt


def _evidence_rows(repo):
    header, rows = read_rows(csv_of(repo, "evidence"))
    return header, [dict(zip(header, r, strict=False)) for r in rows]


def c_evidence_record_exists(repo):
    _, rows = _evidence_rows(repo)
    per_record = {}
    for r in rows:
        per_record.setdefault((r["table_name"], r["record_id"]), []).append(r["evidence_id"])
    ev_id = next(ids[-1] for ids in per_record.values() if len(ids) > 1)  # the record keeps other evidence
    line = set_cell(csv_of(repo, "evidence"), ("evidence_id", ev_id), "record_id", "no-such-record")
    return [Loc("evidence", line, "record_id", "no-such-record")]


def c_evidence_matches_source(repo):
    path = csv_of(repo, "evidence")
    quote = get_cell(path, 0, "quote")
    bad = quote[:-1] + ("X" if quote[-1] != "X" else "Y")  # same length, last character wrong
    return [Loc("evidence", set_cell(path, 0, "quote", bad), "quote", bad)]


def c_evidence_offsets_shifted(repo):
    # The quote is unchanged but its offsets point one character later, still inside its sentence.
    path = csv_of(repo, "evidence")
    _, rows = _evidence_rows(repo)
    units = {r[0]: (int(r[4]), int(r[5])) for r in read_rows(csv_of(repo, "units"))[1]}
    i = next(n for n, r in enumerate(rows) if int(r["end"]) < units[r["unit_id"]][1] and
             (r["quote"][1:] + "?") != r["quote"])
    set_cell(path, i, "start", str(int(rows[i]["start"]) + 1))
    line = set_cell(path, i, "end", str(int(rows[i]["end"]) + 1))
    return [Loc("evidence", line, "quote", rows[i]["quote"])]


def c_unit_matches_source(repo):
    path = csv_of(repo, "units")
    text = get_cell(path, 0, "text")
    assert text.startswith("US ")
    bad = "UK " + text[3:]
    return [Loc("units", set_cell(path, 0, "text", bad), "text", bad)]


def c_evidence_inside_unit(repo):
    _, rows = _evidence_rows(repo)
    cites = {}
    for r in rows:
        cites.setdefault(r["unit_id"], []).append(r["evidence_id"])
    unit, ids = next((u, ids) for u, ids in cites.items() if len(ids) > 1)  # the unit stays cited
    other = next(u for u in cites if u != unit)
    line = set_cell(csv_of(repo, "evidence"), ("evidence_id", ids[-1]), "unit_id", other)
    return [Loc("evidence", line, "unit_id", other)]


def c_unit_cited_and_excused(repo):
    return [Loc("units", set_cell(csv_of(repo, "units"), ("unit_id", "src-000/L01S01"), "excuse_reason", "Excused."),
                "excuse_reason", "Excused.")]


def c_unit_neither_cited_nor_excused(repo):
    return [Loc("units", set_cell(csv_of(repo, "units"), ("unit_id", "src-000/L11S01"), "excuse_reason", ""), "excuse_reason")]


def c_enrichment_has_source(repo):
    url = "ftp://example.org/q1246"  # a valid URI, so only the http(s) rule objects
    return [Loc("enrichment", set_cell(csv_of(repo, "enrichment"), 0, "source_url", url), "source_url", url)]


def c_enrichment_record_exists(repo):
    line = set_cell(csv_of(repo, "enrichment"), 0, "record_id", "no-such-record")
    return [Loc("enrichment", line, "record_id", "no-such-record")]


def c_source_hash_matches_article(repo):
    digest = "0" * 64
    return [Loc("sources", set_cell(csv_of(repo, "sources"), 0, "sha256", digest), "sha256", digest)]


def c_no_formula_cells(repo):
    formula = '=HYPERLINK("http://example.org","x")'
    line = set_cell(csv_of(repo, "actors"), ("actor_id", "john-kirby"), "notes", formula)
    return [Loc("actors", line, "notes", formula)]


def c_no_formula_cells_minus(repo):
    line = set_cell(csv_of(repo, "places"), ("place_id", "kosovo"), "notes", "-1+1")
    return [Loc("places", line, "notes", "-1+1")]


CASES: list[tuple[str, str, Callable]] = [
    ("event_dates_ordered", "estimate-before-start", c_event_dates_ordered),
    ("statement_dates_ordered", "estimate-after-end", c_statement_dates_ordered),
    ("event_precision_consistent", "after-marked-before", c_event_precision_consistent),
    ("statement_precision_consistent", "after-marked-unknown", c_statement_precision_consistent),
    ("event_time_precision_consistent", "open-bounds-marked-day", c_event_time_precision_consistent),
    ("statement_time_precision_consistent", "day-marked-estimate", c_statement_time_precision_consistent),
    ("event_rule_consistent", "reference-without-rule", c_event_rule_consistent),
    ("statement_rule_consistent", "reference-without-rule", c_statement_rule_consistent),
    ("event_narrowing_consistent", "rule-without-reference", c_event_narrowing_consistent),
    ("statement_narrowing_consistent", "rule-without-reference", c_statement_narrowing_consistent),
    ("event_bounds_follow", "start-moved", c_event_bounds_follow),
    ("statement_bounds_follow", "narrowing-dropped", c_statement_bounds_follow),
    ("event_basis_consistent", "weekday-called-stated", c_event_basis_consistent),
    ("statement_basis_consistent", "weekday-called-discourse", c_statement_basis_consistent),
    ("event_date_cue_quoted", "cue-unmarked", make_cue_case("events", "sullivan-discussion")),
    ("statement_date_cue_quoted", "cue-unmarked", make_cue_case("statements", "kirby-urges-withdrawal")),
    ("statement_not_before_event", "estimate-before-event", c_statement_not_before_event),
    ("event_location_listed", "place-of-another-event", c_event_location_listed),
    ("event_place_id_form", "place-changed", c_event_place_id_form),
    ("affiliation_basis_with_affiliation", "affiliation-without-basis", c_affiliation_basis_with_affiliation),
    ("casualty_count_consistent", "count-above-high", c_casualty_count_consistent),
    ("casualty_count_consistent", "exact-with-range", c_casualty_exact_with_range),
    ("size_qualifier_with_size", "size-without-qualifier", c_size_qualifier_with_size),
    ("size_qualifier_with_size", "qualifier-without-size", c_size_qualifier_without_size),
    ("time_qualifier_with_time", "time-without-qualifier", c_time_qualifier_with_time),
    ("geo_precision_with_place", "place-without-precision", c_geo_precision_with_place),
    ("casualties_in_violent_events", "strategic-development", c_casualties_in_violent_events),
    ("event_actor_id_form", "actor-changed", c_event_actor_id_form),
    ("statement_actor_id_form", "actor-changed", c_statement_actor_id_form),
    *[(f"{t}_have_evidence", "quotes-moved", make_evidence_case(t)) for t in CODED if t != "claims"],
    ("claims_have_evidence", "claimed-without-quotes", c_claims_have_evidence),
    *CLAIM_CASES,
    ("evidence_record_exists", "unknown-record", c_evidence_record_exists),
    ("evidence_matches_source", "quote-changed", c_evidence_matches_source),
    ("evidence_matches_source", "offsets-shifted", c_evidence_offsets_shifted),
    ("unit_matches_source", "text-changed", c_unit_matches_source),
    ("evidence_inside_unit", "other-unit", c_evidence_inside_unit),
    ("unit_cited_or_excused", "cited-and-excused", c_unit_cited_and_excused),
    ("unit_cited_or_excused", "neither", c_unit_neither_cited_nor_excused),
    ("enrichment_has_source", "not-http", c_enrichment_has_source),
    ("enrichment_record_exists", "unknown-record", c_enrichment_record_exists),
    ("source_hash_matches_article", "wrong-digest", c_source_hash_matches_article),
    ("no_formula_cells", "equals", c_no_formula_cells),
    ("no_formula_cells", "minus", c_no_formula_cells_minus),
]


def first_doc_line(fn) -> str:
    return fn.__doc__.strip().splitlines()[0]


def located(report) -> set[tuple]:
    return {(i.rule, i.file, i.line, i.column) for i in report.issues}


# --- the rules ------------------------------------------------------------------------------------

def test_the_shipped_package_is_valid():
    report = validate_package(ROOT)
    assert report.valid, [(i.rule, i.file, i.line, i.column, i.message) for i in report.issues[:20]]
    assert set(report.checked) == set(TABLES)


def test_every_rule_has_a_one_line_docstring():
    for fn in [r.fn for r in RULES] + list(COLUMN_RULES.values()):
        doc = (fn.__doc__ or "").strip()
        assert doc, f"{fn.__name__} has no docstring"
        assert "\n" not in doc, f"{fn.__name__}: the docstring must be one line (it is the error message)"


def test_every_rule_has_a_case():
    covered, known = {name for name, _, _ in CASES}, set(RULE_FN) | set(COLUMN_RULES)
    assert not known - covered, f"rules without a test case: {sorted(known - covered)}"
    assert not covered - known, f"cases for rules that do not exist: {sorted(covered - known)}"
    assert len(RULE_FN) == len(RULES), "two rules share a function name, so their rule names collide"


@pytest.mark.parametrize("name,corrupt", [(n, c) for n, _, c in CASES], ids=[f"{n}-{i}" for n, i, _ in CASES])
def test_rule_fires_alone_at_the_corrupted_cell(repo, name, corrupt):
    expected = corrupt(repo)
    rehash(repo)
    report = validate_package(repo)
    got = [(i.rule, i.file, i.line, i.column, i.value, i.message) for i in report.issues]
    assert {(i.rule) for i in report.issues} == {f"dataset:{name}"}, got
    assert located(report) == {(f"dataset:{name}", loc.file, loc.line, loc.column) for loc in expected}, got
    fn = RULE_FN[name].fn if name in RULE_FN else COLUMN_RULES[name]
    for issue in report.issues:
        assert issue.message == first_doc_line(fn)
        assert issue.table in {loc.table for loc in expected}
        if name in RULE_FN:
            assert (issue.table, issue.column) == (RULE_FN[name].table, RULE_FN[name].column or PK[issue.table])
            if issue.hint:
                assert issue.hint == RULE_FN[name].hint
    for loc in expected:
        if loc.value is not None:
            issue = next(i for i in report.issues if (i.line, i.column) == (loc.line, loc.column))
            assert issue.value == loc.value


def test_a_statement_marked_precedes_event_may_be_dated_before_it(repo):
    expected = c_statement_not_before_event(repo)
    rehash(repo)
    unmarked = validate_package(repo)  # dated before its event and not marked: the rule fires there
    assert located(unmarked) == {("dataset:statement_not_before_event", loc.file, loc.line, loc.column)
                                 for loc in expected}
    assert put(repo, "statements", "wh-unprecedented-accumulation", "precedes_event", "true") == expected[0].line
    rehash(repo)
    report = validate_package(repo)
    assert report.valid, [(i.rule, i.line, i.column) for i in report.issues]


# --- foreign keys of the real schemas, self-references included -----------------------------------

def foreign_keys() -> list[tuple[str, str, dict]]:

    out = []
    for path in sorted((ROOT / "schemas").glob("*.schema.json")):
        table = path.name.split(".")[0]
        for fk in json.loads(path.read_text()).get("foreignKeys", []):
            fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
            ref = fk["reference"].get("resource") or table
            out.append((table, fields[0], ref))
    return out


def test_the_schemas_declare_self_references():
    assert ("actors", "affiliation_actor_id", "actors") in foreign_keys()
    assert ("places", "parent_place_id", "places") in foreign_keys()


# Dataset rules that a broken key also breaks: (table, field) -> [(rule, column)] in the same row, or
# (rule, column, table, key) in the row of another table whose primary key is `key`.
KNOCK_ON = {
    ("event_actors", "event_id"): [("event_actor_id_form", "event_actor_id")],  # the id is event--actor
    ("event_actors", "actor_id"): [("event_actor_id_form", "event_actor_id")],
    # the first event_places row is the attack's location, so the attack's place_id is no longer listed
    ("event_places", "event_id"): [("event_place_id_form", "event_place_id"),
                                   ("event_location_listed", "place_id", "events", "banjska-attack")],
    ("event_places", "place_id"): [("event_place_id_form", "event_place_id"),
                                   ("event_location_listed", "place_id", "events", "banjska-attack")],
    ("events", "place_id"): [("event_location_listed", "place_id"),  # a location must be one of the event's places
                             ("claim_place_id_repeats_event", "place_id", "claims", "banjska-attack--src-000")],
    ("events", "source_id"): [("claim_of_own_source", "source_id", "claims", "banjska-attack--src-000"),
                              ("event_claimed", "event_id")],
    # the claims and estimates follow the coded rows: a broken key leaves them behind
    ("claims", "event_id"): [("claim_id_form", "claim_id"), ("event_claimed", "event_id", "events", "banjska-attack")],
    ("claims", "source_id"): [("claim_id_form", "claim_id"), ("claim_of_own_source", "source_id"),
                              ("event_claimed", "event_id", "events", "banjska-attack"),
                              ("estimate_source_ids_follows_claims", "source_ids", "event_estimates", "banjska-attack")],
    ("claims", "place_id"): [("claim_place_id_repeats_event", "place_id")],

    ("statement_actors", "statement_id"): [("statement_actor_id_form", "statement_actor_id")],
    ("statement_actors", "actor_id"): [("statement_actor_id_form", "statement_actor_id")],
    # a row of an unknown source has no text to be checked against
    ("evidence", "source_id"): [("evidence_matches_source", "quote")],
    ("units", "source_id"): [("unit_matches_source", "text")],
}


@pytest.mark.parametrize("table,field,ref", foreign_keys(), ids=[f"{t}.{f}->{r}" for t, f, r in foreign_keys()])
def test_every_foreign_key_is_enforced(repo, table, field, ref):
    path = csv_of(repo, table)
    header, rows = read_rows(path)
    row = next(n for n, r in enumerate(rows) if r[header.index(field)])
    value = "src-000/L99S99" if field == "unit_id" else "no-such-id"
    line = set_cell(path, row, field, value)
    rehash(repo)
    report = validate_package(repo)
    fk = [i for i in report.issues if i.rule == "foreign-key"]
    assert [(i.file, i.line, i.column, i.value) for i in fk] == [(f"data/{table}.csv", line, field, value)]
    assert ref in fk[0].hint
    # Besides the broken key only the dataset rules that read it object, in the same row.
    knock_on = set()
    for rule, column, *other in KNOCK_ON.get((table, field), []):
        where = (table, line) if not other else (other[0], line_of(csv_of(repo, other[0]),
                                                                   find_row(csv_of(repo, other[0]), PK[other[0]], other[1])))
        knock_on.add((f"dataset:{rule}", f"data/{where[0]}.csv", where[1], column))
    assert located(report) == {("foreign-key", f"data/{table}.csv", line, field)} | knock_on


# --- which packages the dataset rules apply to -------------------------------------------------------

def rename_package(repo: Path, name: str) -> None:
    desc_path = repo / "datapackage.json"
    desc = json.loads(desc_path.read_text(encoding="utf-8"))
    assert desc["name"] == RULESET.name
    desc["name"] = name
    desc_path.chmod(0o644)
    desc_path.write_text(json.dumps(desc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def test_dataset_rules_do_not_apply_to_a_generic_package(repo):
    expected = c_event_rule_consistent(repo)  # breaks a dataset rule, no Table Schema rule
    rehash(repo)
    assert validate_package(repo).issues, "the corruption must be caught in the dataset itself"
    rename_package(repo, "some-other-package")
    report = validate_package(repo)
    assert report.valid, located(report)
    forced = validate_package(repo, rules=RULESET)
    assert located(forced) == {("dataset:event_rule_consistent", "data/events.csv", expected[0].line, "date_rule")}


def test_dataset_rules_can_be_switched_off_for_the_dataset(repo):
    c_event_rule_consistent(repo)
    rehash(repo)
    assert validate_package(repo, rules=None).valid


def test_formula_cells_found_alike_in_every_string_layout():
    """The first-byte lookup (pa.string buffers) and the regex for other layouts flag the same cells."""
    import pyarrow as pa

    from banjska.dataset.rules import FORMULA_STARTS, _formula_free

    cells = [c + "x" for c in FORMULA_STARTS] + ["ok", "", "é=", " =", None]
    expected = [False] * len(FORMULA_STARTS) + [True, True, True, True, True]
    for kind in (pa.string(), pa.large_string()):
        assert _formula_free(pa.array(cells, kind)).to_pylist() == expected, kind
    assert _formula_free(pa.array(cells[1:], pa.string()).slice(1)).to_pylist() == expected[2:]
