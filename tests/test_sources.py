"""Many sources: `make-data add-source`, per-source coverage, the shared registry, the proper-noun audit,
and claims reconciled across sources, on three invented fixture articles (tests/fixtures/sources/)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import edit
from pkgtools import csv_rows, rehash, set_table_cell
from repo import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "sources"
ARTICLES = {"police": "eastbrook-police.txt", "party": "eastbrook-party.txt", "talks": "westford-talks.txt"}
TABLES = ("sources", "units", "places", "actors", "events", "casualties", "claims", "event_estimates", "evidence")


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project: the fixture's metadata, the repository's Table Schemas, no source yet."""
    root = tmp_path / "fx"
    (root / "metadata").mkdir(parents=True)
    (root / "schemas").mkdir()
    shutil.copy(FIXTURES / "project" / "dataset.yaml", root / "metadata" / "dataset.yaml")
    shutil.copy(ROOT / "metadata" / "dataset.schema.json", root / "metadata")
    for table in TABLES:
        shutil.copy(ROOT / "schemas" / f"{table}.schema.json", root / "schemas")
    return root


def add_all(cli, root: Path) -> None:
    options = {"police": ["--title", "Five killed in clashes at Eastbrook bridge", "--published", "2026-03-04"],
               "party": ["--published", "2026-03-05", "--url", "https://example.org/eastbrook"], "talks": []}
    for sid, name in ARTICLES.items():
        res = cli("--root", root, "add-source", FIXTURES / name, "--id", sid, "--language", "en", *options[sid])
        assert res.exit_code == 0, res.output


@pytest.fixture
def coded(project: Path, cli) -> Path:
    """The project with the three sources added and the fixture's annotations in place."""
    add_all(cli, project)
    shutil.copytree(FIXTURES / "project" / "annotations", project / "annotations", dirs_exist_ok=True)
    return project


def built(cli, root: Path) -> Path:
    res = cli("--root", root, "build")
    assert res.exit_code == 0, res.output
    return root


# --- add-source ------------------------------------------------------------------------------------

def test_add_source_copies_hashes_and_lists_every_sentence(project, cli):
    res = cli("--root", project, "add-source", FIXTURES / ARTICLES["party"], "--id", "party", "--published",
              "2026-03-05", "--url", "https://example.org/eastbrook", "--language", "en", "--json")
    assert res.exit_code == 0, res.output
    raw = (FIXTURES / ARTICLES["party"]).read_bytes()
    doc = json.loads(res.stdout)
    assert (doc["source_id"], doc["sha256"], doc["bytes"], doc["sentences"]) == (
        "party", hashlib.sha256(raw).hexdigest(), len(raw), 3)
    assert sorted(doc["written"]) == ["annotations/party/excused.yaml", "seeds/party/article.txt",
                                      "seeds/party/source.yaml"]
    assert (project / "seeds" / "party" / "article.txt").read_bytes() == raw
    meta = yaml.safe_load((project / "seeds" / "party" / "source.yaml").read_text())
    assert {k: meta[k] for k in ("title", "url", "publication_date_earliest", "publication_date_latest",
                                 "language", "sha256", "bytes")} == {
        "title": "", "url": "https://example.org/eastbrook", "publication_date_earliest": "2026-03-05",
        "publication_date_latest": "2026-03-05", "language": "en", "sha256": doc["sha256"], "bytes": str(len(raw))}
    todo = yaml.safe_load((project / "annotations" / "party" / "excused.yaml").read_text())["records"]
    assert [(r["unit_id"], r["text"]) for r in todo] == [
        ("L01S01", "Eastbrook death toll disputed"),
        ("L02S01", "The River Party said that at least seven people died in the clashes at Eastbrook on Monday, "
                   "March 2, 2026."),
        ("L02S02", "Police dismissed the figure as exaggerated.")]
    assert all("reason" not in r for r in todo)


@pytest.mark.parametrize("case, message", [
    ("empty", "is empty"),
    ("latin1", "is not UTF-8 (at byte offset 3, counting from 0)"),
    ("taken-id", "source id 'police' is in use (seeds/police exists)"),
    ("same-text", "this text is already source 'police' (same sha256"),
    ("bad-id", "source id 'Src 1' is not lowercase letters"),
    ("bad-date", "--published '4 March' is not a date (YYYY-MM-DD)"),
    ("nul-byte", "contains a NUL byte (at offset 4)"),
])
def test_add_source_refuses_and_writes_nothing(project, cli, tmp_path, case, message):
    assert cli("--root", project, "add-source", FIXTURES / ARTICLES["police"], "--id", "police").exit_code == 0
    article, sid, extra = tmp_path / "new.txt", "new", []
    article.write_bytes(b"Another story entirely.\n")
    if case == "empty":
        article.write_bytes(b"")
    elif case == "latin1":
        article.write_bytes("Caf\xe9 bombing\n".encode("latin-1"))
    elif case == "taken-id":
        sid = "police"
    elif case == "same-text":
        shutil.copy(FIXTURES / ARTICLES["police"], article)
    elif case == "bad-id":
        sid = "Src 1"
    elif case == "bad-date":
        extra = ["--published", "4 March"]
    elif case == "nul-byte":
        article.write_bytes(b"Null\x00byte.\n")
    before = tree(project)
    res = cli("--root", project, "add-source", article, "--id", sid, *extra)
    assert res.exit_code == 2
    assert res.stderr.startswith("Error: ") and res.stderr.count("\n") == 1
    assert message in res.stderr and res.stderr.rstrip().endswith("Nothing was written.")
    assert tree(project) == before


# --- coverage --------------------------------------------------------------------------------------

def test_new_sources_are_not_covered_until_coded(project, cli):
    add_all(cli, project)
    res = cli("--root", project, "coverage", "--json")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert [(s["source_id"], s["sentences"], s["cited"], s["todo"]) for s in doc["sources"]] == [
        ("party", 3, 0, 3), ("police", 3, 0, 3), ("talks", 3, 0, 3)]
    assert "9 sentence(s) neither coded nor excused; first: source party party/L01S01" in res.stderr
    res = cli("--root", project, "build")
    assert res.exit_code == 1
    assert res.stderr.startswith("Error: annotations/party/excused.yaml: source party: coverage 0.0%")
    assert "not covered: party/L01S01 'Eastbrook death toll disputed'" in res.stderr
    assert "source police: 3 not covered; source talks: 3 not covered" in res.stderr
    assert not (project / "data").exists()


def test_coverage_table_per_source(coded, cli):
    res = cli("--root", coded, "coverage")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["source", "sentences", "cited", "excused", "to", "code", "coverage"]
    assert [line.split() for line in lines[1:]] == [["party", "3", "2", "1", "0", "100.0%"],
                                                    ["police", "3", "2", "1", "0", "100.0%"],
                                                    ["talks", "3", "1", "2", "0", "100.0%"]]


def test_a_cited_sentence_left_as_to_do_fails(coded, cli):
    with open(coded / "annotations" / "party" / "excused.yaml", "a") as fh:
        fh.write("  - unit_id: L02S02\n")
    res = cli("--root", coded, "build")
    assert res.exit_code == 1
    assert ("annotations/party/excused.yaml: sentence(s) party/L02S02 are cited but still listed as not yet coded"
            in res.stderr)


def test_a_stray_file_in_seeds_fails_the_build_and_stays_out_of_the_package(coded, cli):
    (coded / "seeds" / "draft.txt").write_text("A text nobody registered.\n")
    res = cli("--root", coded, "build")
    assert res.exit_code == 1
    assert "seeds/draft.txt: not part of a registered source" in res.stderr
    assert "make-data add-source" in res.stderr
    (coded / "seeds" / "draft.txt").unlink()
    built(cli, coded)
    paths = [r["path"] for r in json.loads((coded / "datapackage.json").read_text())["resources"]]
    assert [p for p in paths if p.startswith("seeds/")] == [f"seeds/{s}/article.txt" for s in ("party", "police", "talks")]


# --- the package from three sources ----------------------------------------------------------------

def test_units_and_evidence_carry_their_source(coded, cli):
    built(cli, coded)
    texts = {r["source_id"]: (coded / r["path"]).read_text() for r in csv_rows(coded, "sources")}
    assert sorted(texts) == ["party", "police", "talks"]
    units = csv_rows(coded, "units")
    assert len({u["unit_id"] for u in units}) == len(units) == 9
    assert all(u["unit_id"].startswith(u["source_id"] + "/") for u in units)
    for ev in csv_rows(coded, "evidence"):
        assert texts[ev["source_id"]][int(ev["start"]):int(ev["end"])] == ev["quote"]
        assert ev["unit_id"].startswith(ev["source_id"] + "/")
    # the registry: one actor, cited by the two sources that name it
    ministry = {(e["source_id"], e["quote"]) for e in csv_rows(coded, "evidence") if e["record_id"] == "interior-ministry"}
    assert ministry == {("police", "The Interior Ministry called for calm."),
                        ("talks", "The Interior Ministry announced talks")}
    assert [a["actor_id"] for a in csv_rows(coded, "actors")].count("interior-ministry") == 1


def test_one_event_two_claims_reconciled(coded, cli):
    built(cli, coded)
    assert [e["event_id"] for e in csv_rows(coded, "events")] == ["eastbrook-clashes"]
    claims = {c["source_id"]: c for c in csv_rows(coded, "claims")}
    assert {s: (c["coded_in"], c["date"], c["fatalities"], c["fatalities_low"], c["fatalities_high"])
            for s, c in claims.items()} == {
        "police": ("events", "2026-03-03", "5", "5", "5"),      # "five people were killed", Tuesday, March 3
        "party": ("claims", "2026-03-02", "7", "7", ""),         # "at least seven", Monday, March 2: no upper bound
    }
    [est] = csv_rows(coded, "event_estimates")
    assert est == {"event_id": "eastbrook-clashes", "sources": "2", "source_ids": "party police",
                   "date_best": "2026-03-02", "date_low": "2026-03-02", "date_high": "2026-03-03",
                   "fatalities_sources": "2", "fatalities_best": "5", "fatalities_low": "5", "fatalities_high": ""}
    quotes = [e["quote"] for e in csv_rows(coded, "evidence") if e["table_name"] == "claims"]
    assert quotes == ["the clashes at Eastbrook on Monday, March 2, 2026"]


def test_an_exact_count_on_every_claim_closes_the_high_bound(coded, cli):
    edit(coded / "annotations" / "party" / "casualties.yaml", 'count_low: "7"\n    qualifier: at_least',
         'qualifier: exact')
    built(cli, coded)
    [est] = csv_rows(coded, "event_estimates")
    assert (est["fatalities_best"], est["fatalities_low"], est["fatalities_high"]) == ("5", "5", "7")


def test_estimate_rule_median_and_envelope_over_three_claims():
    from banjska.build.claims import estimate_rows

    def claim(sid, date, start, end, best, low, high):
        return {"event_id": "e", "source_id": sid, "date": date, "date_start": start, "date_end": end,
                "fatalities": best, "fatalities_low": low, "fatalities_high": high}

    claims = [claim("a", "2026-03-03", "2026-03-03", "2026-03-03", "5", "5", "5"),
              claim("b", "2026-03-01", "", "2026-03-02", "12", "10", "14"),
              claim("c", "2026-03-02", "2026-03-02", "2026-03-02", "9", "", ""),
              claim("d", "", "", "", "", "", "")]          # states neither a date nor a count: takes no part
    [est] = estimate_rows(claims)
    assert est == {"event_id": "e", "sources": "4", "source_ids": "a b c d",
                   "date_best": "2026-03-02", "date_low": "", "date_high": "2026-03-03",
                   "fatalities_sources": "3", "fatalities_best": "9", "fatalities_low": "", "fatalities_high": ""}
    [est] = estimate_rows(claims[:2])
    assert (est["date_best"], est["fatalities_best"], est["fatalities_low"], est["fatalities_high"]) == (
        "2026-03-01", "5", "5", "14")       # two values: the lower; counts compared as numbers (5 < 12)


@pytest.mark.parametrize("file, old, new, message", [
    ("party/claims.yaml", "    place_id: eastbrook\n", "    place_id: eastbrook\n    fatalities: \"7\"\n",
     "annotations/party/claims.yaml:7: fatalities cannot be written in a claim"),
    ("party/claims.yaml", "records:\n", "records:\n  - event_id: eastbrook-clashes\n    evidence: [Police dismissed]\n",
     "annotations/party/claims.yaml:4: claim_id: value 'eastbrook-clashes--party': The value is repeated"),
    ("places.yaml", "      party: [the clashes at Eastbrook]\n", "      elsewhere: [the clashes at Eastbrook]\n",
     "evidence cites unknown source 'elsewhere'"),
    ("actors.yaml", "    evidence:\n      party: [The River Party said]\n      talks: [talks with the River Party]\n",
     "    evidence: [The River Party said]\n", "'evidence' of a registry record must map each source id to its quotes"),
    ("police/events.yaml", "      - five people were killed in clashes at the Eastbrook bridge\n",
     "      - five people were killed in clashes at the Eastbrook bridge\n      - Police dismissed the figure\n",
     "quote not found in the article: 'Police dismissed the figure'"),
])
def test_misplaced_claims_and_evidence_fail_at_their_annotation(coded, cli, file, old, new, message):
    edit(coded / "annotations" / file, old, new)
    res = cli("--root", coded, "build")
    assert res.exit_code == 1
    assert message in res.stderr
    assert not (coded / "data").exists()


def test_a_claim_by_the_events_own_source_is_refused(coded, cli):
    (coded / "annotations" / "police" / "claims.yaml").write_text(
        "records:\n  - event_id: eastbrook-clashes\n    evidence: [the Eastbrook bridge on Tuesday]\n")
    res = cli("--root", coded, "build")
    assert res.exit_code == 1
    assert "annotations/police/claims.yaml:2: source police codes event eastbrook-clashes itself" in res.stderr


# --- proper-noun audit -----------------------------------------------------------------------------

NORLAND_EXCUSE = '  - {name: Norland, reason: "Named only in the site\'s navigation line (excused), not in the story."}\n'


def test_a_name_neither_registered_nor_excused_fails(coded, cli):
    edit(coded / "annotations" / "talks" / "names.yaml", NORLAND_EXCUSE, "")
    res = cli("--root", coded, "build")
    assert res.exit_code == 1
    assert ("annotations/talks/names.yaml: source talks: 1 capitalised name(s) are not an actor or place: "
            "'Norland' (talks/L03S01)") in res.stderr


def test_an_excused_name_the_source_lacks_fails(coded, cli):
    with open(coded / "annotations" / "party" / "names.yaml", "a") as fh:
        fh.write('  - {name: Westford, reason: "Not here."}\n')
    res = cli("--root", coded, "build")
    assert res.exit_code == 1
    assert "excused name(s) 'Westford' do not occur in source party" in res.stderr


def test_a_registered_name_needs_no_excuse(coded, cli):
    """'Norland' in talks is covered once a place record quotes it from that source."""
    edit(coded / "annotations" / "talks" / "names.yaml", NORLAND_EXCUSE, "")
    edit(coded / "annotations" / "places.yaml", "      police: [Police in Norland]\n",
         "      police: [Police in Norland]\n      talks: [the weather in Norland]\n")
    edit(coded / "annotations" / "talks" / "excused.yaml", "  - unit_id: L03S01\n    reason: Site navigation.\n", "")
    built(cli, coded)


# --- the dataset's rules on a package of several sources ---------------------------------------------

def test_rules_check_each_quote_against_its_own_source(coded, cli):
    from banjska.dataset.rules import RULESET
    from banjska.validate import validate_package

    built(cli, coded)
    assert validate_package(coded, rules=RULESET).valid
    row = next(i for i, e in enumerate(csv_rows(coded, "evidence")) if e["source_id"] == "talks")
    line = set_table_cell(coded, "evidence", row, "source_id", "police")
    rehash(coded, ["evidence"])
    report = validate_package(coded, rules=RULESET)
    assert [(i.table, i.column, i.line) for i in report.issues if i.rule == "dataset:evidence_matches_source"] == [
        ("evidence", "quote", line)]


def test_codebook_shows_each_source_and_the_reconciled_claims(coded, cli):
    built(cli, coded)
    res = cli("--root", coded, "codebook")
    assert res.exit_code == 0, res.output
    text = (coded / "docs" / "codebook.md").read_text()
    assert "| `party` | unknown | 2026-03-05 | en | 3 | `seeds/party/article.txt` |" in text
    assert "| `police` | Five killed in clashes at Eastbrook bridge | 2026-03-04 | en | 3 | `seeds/police/article.txt` |" in text
    assert ("| `eastbrook-clashes` | 2 | 2026-03-02 (2026-03-02 to 2026-03-03) | 5 (5 to open) | "
            "`party`: 2026-03-02, 7 (7 to open) dead; `police`: 2026-03-03, 5 dead |") in text


def test_rules_recompute_the_estimates_across_sources(coded, cli):
    """The validator redoes the reconciliation: the lower median of 5 and 7 dead is 5, not 7."""
    from banjska.dataset.rules import RULESET
    from banjska.validate import validate_package

    built(cli, coded)
    line = set_table_cell(coded, "event_estimates", 0, "fatalities_best", "7")
    rehash(coded, ["event_estimates"])
    report = validate_package(coded, rules=RULESET)
    assert [(i.rule, i.line, i.column) for i in report.issues] == [
        ("dataset:estimate_fatalities_best_follows_claims", line, "fatalities_best")]


# --- mistakes a coder makes: one located error, exit 1, nothing written ---------------------------------

def test_a_count_that_is_not_a_number_is_an_error_at_its_line_not_a_crash(coded, cli):
    edit(coded / "annotations" / "party" / "casualties.yaml", 'count: "7"', "count: seven")
    res = cli("--root", coded, "build")
    assert res.exit_code == 1
    assert res.stderr.startswith("Error: annotations/party/casualties.yaml:6: count: value 'seven': ")
    assert "data/" not in res.stderr
    assert not (coded / "data").exists()


def test_casualties_of_a_source_that_does_not_claim_the_event_fail(coded, cli):
    (coded / "annotations" / "party" / "claims.yaml").unlink()
    res = cli("--root", coded, "build")
    assert res.exit_code == 1
    assert res.stderr.startswith("Error: annotations/party/casualties.yaml:3: source party gives casualties for "
                                 "event eastbrook-clashes but neither codes nor claims the event")
    assert "annotations/party/claims.yaml" in res.stderr


def test_an_unknown_event_is_named_at_the_annotations_only(coded, cli):
    """The derived claims and estimates follow the typo; the message names the annotation lines, not data/."""
    edit(coded / "annotations" / "party" / "claims.yaml", "event_id: eastbrook-clashes", "event_id: eastbrook-clash")
    edit(coded / "annotations" / "party" / "casualties.yaml", "event_id: eastbrook-clashes", "event_id: eastbrook-clash")
    res = cli("--root", coded, "build")
    assert res.exit_code == 1
    assert res.stderr.startswith("Error: annotations/party/casualties.yaml:3: event_id: value 'eastbrook-clash': ")
    assert "annotations/party/claims.yaml:2: event_id: value 'eastbrook-clash'" in res.stderr
    assert "data/" not in res.stderr


@pytest.mark.parametrize("table, lacking", [("evidence", "evidence"), ("claims", "claims"), ("units", "units")])
def test_a_tables_list_without_what_the_build_needs_is_refused(coded, cli, table, lacking):
    edit(coded / "metadata" / "dataset.yaml", f"  {table}: ", f"  not_{table}: ")
    text = (coded / "metadata" / "dataset.yaml").read_text()
    (coded / "metadata" / "dataset.yaml").write_text("\n".join(ln for ln in text.splitlines()
                                                               if not ln.startswith(f"  not_{table}: ")) + "\n")
    res = cli("--root", coded, "build")
    assert res.exit_code == 1
    assert res.stderr.startswith(f"Error: metadata/dataset.yaml: tables: lacks {lacking}")


def test_a_refusal_with_json_still_prints_one_json_document(project, cli, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    res = cli("--root", project, "add-source", empty, "--id", "x1", "--json")
    assert res.exit_code == 2
    doc = json.loads(res.stdout)
    assert doc == {"ok": False, "error": res.stderr.removeprefix("Error: ").rstrip("\n"), "exit_code": 2}
    assert f"{empty} is empty" in doc["error"]


def test_validate_says_which_rules_ran(coded, cli):
    """A new project's package gets the Table Schema checks; the dataset's own rules only run for the package
    name they are registered for, and the report says which."""
    built(cli, coded)
    res = cli("validate", coded)
    assert res.exit_code == 0
    assert res.stdout.strip().endswith("(9 tables, 42 rows; Table Schemas only: no rule set is registered for this "
                                       "package's name)")
    assert json.loads(cli("validate", coded, "--format", "json").stdout)["rules"] is None
    assert json.loads(cli("validate", ROOT, "--format", "json").stdout)["rules"] == "banjska-2023-events"
