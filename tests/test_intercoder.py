"""Intercoder agreement (banjska/build/intercoder.py): the figures follow from the two codings, and the build
refuses a disagreement without a recorded reason, a stale entry, or a final value the data does not hold."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from banjska.build.intercoder import cohen_kappa

from conftest import edit
from repo import ROOT


def rows(table: str) -> list[dict]:
    with open(ROOT / "data" / f"{table}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_cohen_kappa_matches_a_worked_example():
    # Two coders, 50 items: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> p_o 0.7, p_e 0.5, kappa 0.4.
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)
    assert cohen_kappa([("a", "a"), ("a", "a")]) is None  # one code only: chance agreement is 1
    assert cohen_kappa([]) is None


def test_agreement_counts_equal_the_listed_disagreements():
    listed = Counter((d["table_name"], d["field"]) for d in rows("intercoder_disagreements"))
    agreement = rows("intercoder_agreement")
    assert agreement
    for r in agreement:
        compared, agreed = int(r["records_compared"]), int(r["records_agreed"])
        assert compared - agreed == listed[(r["table_name"], r["field"])], r["agreement_id"]
        if compared:
            assert float(r["percent_agreement"]) == round(100 * agreed / compared, 1)
    assert sum(listed.values()) == len(rows("intercoder_disagreements"))


def test_every_disagreement_has_a_reason_and_the_final_value_of_the_data():
    data = {t: rows(t) for t in ("events", "statements")}
    for d in rows("intercoder_disagreements"):
        assert d["reason"].strip()
        settled = {"first": d["first_value"], "second": d["second_value"]}.get(d["settled_by"])
        assert settled is None or settled == d["final_value"]
        if d["table_name"] in data and d["field"] != "(record)":
            key = "event_id" if d["table_name"] == "events" else "statement_id"
            row = next(r for r in data[d["table_name"]] if r[key] == d["record_key"])
            assert row[d["field"]] == d["final_value"], d["disagreement_id"]


def test_a_disagreement_without_a_reason_fails_the_build(repo, cli):
    edit(repo / "coding/reconciliation.yaml", "  - table: actors\n    key: eu\n", "  - table: actors\n    key: no-such-actor\n")
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    assert "disagreement without a reason: actors eu (record): first coder '(present)', second coder '(absent)'" in res.stderr


def test_a_final_value_the_data_does_not_hold_fails_at_its_line(repo, cli):
    text = (repo / "coding/reconciliation.yaml").read_text(encoding="utf-8")
    line = text[:text.index("final: {parent_place_id: northern-kosovo}")].count("\n") + 1
    edit(repo / "coding/reconciliation.yaml", "final: {parent_place_id: northern-kosovo}", "final: {parent_place_id: kosovo}")
    res = cli("--root", repo, "build")
    assert res.exit_code == 1
    assert (f"coding/reconciliation.yaml:{line}: places zvecan parent_place_id: the reconciliation records final value "
            "'kosovo' but the data has 'northern-kosovo'") in res.stderr


def test_an_entry_matching_no_disagreement_fails(repo, cli):
    with open(repo / "coding/reconciliation.yaml", "a", encoding="utf-8") as fh:
        fh.write("  - table: actors\n    key: nato\n    final: {actor_type: international_organisation}\n    reason: None.\n")
    res = cli("--root", repo, "build")
    assert res.exit_code == 1 and "a reconciliation entry matches no disagreement" in res.stderr
