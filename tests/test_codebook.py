"""The codebook: generated from the schemas, committed up to date, and rendering in a real browser."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from banjska.consume.codebook import FIGURE, HTML, MARKDOWN, render

from conftest import edit
from repo import ROOT, TABLES

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def fresh():
    return render(ROOT)


def test_committed_codebook_matches_a_fresh_generation(fresh):
    for rel, data in fresh.items():
        assert (ROOT / rel).exists(), f"{rel} missing: run make-data codebook"
        assert (ROOT / rel).read_bytes() == data, f"{rel} is stale: run make-data codebook"


def test_generation_is_deterministic(fresh):
    assert render(ROOT) == fresh


def test_every_table_field_and_allowed_value_is_documented(fresh):
    md = fresh[MARKDOWN].decode()
    for table in TABLES:
        schema = json.loads((ROOT / "schemas" / f"{table}.schema.json").read_text())
        assert f"\n### {table}\n" in md, table
        section = md.split(f"\n### {table}\n", 1)[1].split("\n### ", 1)[0]
        for field in schema["fields"]:
            row = next((line for line in section.splitlines() if line.startswith(f"| `{field['name']}` |")), None)
            assert row is not None, f"{table}.{field['name']}"
            assert f"| {field['type']}" in row
            if (field.get("constraints") or {}).get("required"):
                assert "| yes |" in row
            if field.get("constraints", {}).get("pattern"):
                assert field["constraints"]["pattern"] in row
            for cat in field.get("categories", []):
                label = cat["label"].replace("_", "\\_").replace("*", "\\*").replace("[", "\\[")
                assert f"| `{cat['value']}` | {label} |" in section, f"{table}.{field['name']} {cat['value']}"
            if field.get("vocabulary"):
                assert field["vocabulary"]["version"] in section.replace("\\", "")
        for fk in schema.get("foreignKeys", []):
            assert f"`{fk['fields'][0]}` →" in section


def test_explains_evidence_precision_qualifiers_enrichment_and_shows_the_timeline(fresh):
    md = fresh[MARKDOWN].decode()
    for heading in ("### Evidence", "### Missing values", "### Dates", "### Places, times and roles", "### Qualifiers",
                    "### Enrichment", "### Vocabularies", "### Coding rules", "## Timeline", "## Events and statements",
                    "## Intercoder agreement"):
        assert f"\n{heading}\n" in md
    assert "](timeline.png)" in md
    assert fresh[FIGURE].startswith(PNG)
    page = fresh[HTML].decode()
    uri = re.search(r'<img alt="[^"]*" src="data:image/png;base64,([^"]+)"', page)
    assert uri and base64.b64decode(uri.group(1)) == fresh[FIGURE]


def _csv(table: str) -> list[dict]:
    import csv
    with open(ROOT / "data" / f"{table}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _section(md: str, heading: str) -> str:
    return md.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


def test_every_event_and_statement_is_listed_with_its_date_who_and_quote(fresh):
    md = _section(fresh[MARKDOWN].decode(), "## Events and statements")
    lines = md.splitlines()
    quotes = {}
    for ev in _csv("evidence"):
        if not ev["field"]:
            quotes.setdefault((ev["table_name"], ev["record_id"]), ev["quote"])
    for table, key, who in (("events", "event_id", "reported_by_actor_id"), ("statements", "statement_id", "speaker_actor_id")):
        rows = _csv(table)
        assert rows
        for r in rows:
            line = next(x for x in lines if f"| `{r[key]}`" in x)
            cells = line.split(" | ")
            assert cells[0] == f"| {r['date']} ({r['date_basis']}, precision {r['time_precision']})".replace("_", "\\_")
            assert r[who].replace("_", "\\_") in line
            quote = quotes[(table, r[key])].replace("_", "\\_")
            assert f'"{quote}" |' in line.replace("\\*", "*"), r[key]


def test_open_bounds_are_written_as_open_never_as_an_end_date(fresh):
    md = _section(fresh[MARKDOWN].decode(), "## Events and statements")
    line = next(x for x in md.splitlines() if "| `weaponry-discovered`" in x)
    assert "| 2023-09-24 to open |" in line  # hard lower bound only
    line = next(x for x in md.splitlines() if "| `serbian-buildup`" in x)
    assert "| open to 2023-09-29 |" in line


def test_intercoder_agreement_and_every_disagreement_are_shown(fresh):
    md = _section(fresh[MARKDOWN].decode(), "## Intercoder agreement")
    for r in _csv("intercoder_agreement"):
        row = f"| `{r['table_name']}` | `{r['field']}` | {r['records_compared']} | {r['records_agreed']} |"
        assert row in md, r["agreement_id"]
    disagreements = _csv("intercoder_disagreements")
    assert f"{len(disagreements)} disagreements, settled:" in md
    for d in disagreements:
        assert f"| `{d['table_name']}` | `{d['record_key']}` | `{d['field']}` |" in md, d["disagreement_id"]


def test_coding_rules_come_from_the_package(fresh):
    desc = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    md = fresh[MARKDOWN].decode()
    assert desc["codingRules"]
    for r in desc["codingRules"]:
        assert f"- **{r['topic']}.**" in md


def test_timeline_draws_the_best_estimate_and_only_real_bounds():
    import datetime as dt

    import pandas as pd

    from banjska.consume.timeline import rows_from

    events = pd.DataFrame([
        {"event_id": "a", "date": dt.date(2023, 9, 24), "time_precision": 1, "date_precision": "day",
         "date_start": dt.date(2023, 9, 24), "date_end": dt.date(2023, 9, 24)},
        {"event_id": "b", "date": dt.date(2023, 9, 26), "time_precision": 2, "date_precision": "after",
         "date_start": dt.date(2023, 9, 24), "date_end": None},
    ])
    statements = pd.DataFrame(columns=["statement_id", "speaker_actor_id", "date", "date_start", "date_end"])
    a, b = rows_from({"events": events, "statements": statements})
    assert (a.exact, a.date, a.end) == (True, dt.date(2023, 9, 24), dt.date(2023, 9, 24))
    assert (b.exact, b.date, b.start, b.end) == (False, dt.date(2023, 9, 26), dt.date(2023, 9, 24), None)


def test_an_open_bound_gets_no_end_marker_and_runs_off_the_plot():
    import datetime as dt

    import matplotlib.dates as mdates

    from banjska.consume.timeline import Row, _draw_row

    class Recorder:
        def __init__(self):
            self.calls = []

        def plot(self, xs, ys, fmt="", **kw):
            self.calls.append((list(xs), fmt, kw.get("markerfacecolor")))

        def axhline(self, *a, **kw):
            pass

    lo, right = mdates.date2num(dt.date(2023, 9, 22)), mdates.date2num(dt.date(2023, 10, 2))
    ax = Recorder()
    _draw_row(ax, mdates, Row("event", "b", dt.date(2023, 9, 26), False, dt.date(2023, 9, 24), None), 0, lo, right, 0)
    start, best = mdates.date2num(dt.date(2023, 9, 24)), mdates.date2num(dt.date(2023, 9, 26))
    assert ax.calls == [([start, right], ":", None), ([start], "|", None), ([best], "o", "white")]
    ax = Recorder()
    _draw_row(ax, mdates, Row("event", "c", dt.date(2023, 9, 29), False, None, dt.date(2023, 9, 29)), 0, lo, right, 0)
    end = mdates.date2num(dt.date(2023, 9, 29))
    assert ax.calls == [([lo - 1, end], ":", None), ([end], "|", None), ([end], "o", "white")]


def test_codebook_check_catches_a_stale_codebook(repo, cli):
    shutil.copytree(ROOT / "docs", repo / "docs", dirs_exist_ok=True)
    assert cli("--root", repo, "codebook", "--check").exit_code == 0
    edit(repo / "schemas/casualties.schema.json", '"label": "Died.', '"label": "Dead.')
    res = cli("--root", repo, "codebook", "--check")
    assert res.exit_code == 1 and "docs/codebook.md" in res.stderr and "docs/codebook.html" in res.stderr
    assert cli("--root", repo, "codebook").exit_code == 0
    assert "Dead" in (repo / "docs/codebook.md").read_text()
    assert cli("--root", repo, "codebook", "--check").exit_code == 0


# --------------------------------------------------------------------------- a real browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

PROBE = """<script>
window.__errors = [];
(function () {
  var original = console.error;
  console.error = function () { window.__errors.push("console.error: " + Array.prototype.join.call(arguments, " ")); original.apply(console, arguments); };
  window.addEventListener("error", function (e) {
    var t = e.target;
    window.__errors.push(t && t !== window && t.tagName ? "failed to load " + t.tagName + " " + (t.src || t.href || "").slice(0, 80) : "uncaught: " + e.message);
  }, true);
  window.addEventListener("load", function () {
    var out = document.createElement("pre");
    out.id = "probe-result";
    out.textContent = JSON.stringify({
      title: document.title,
      h1: (document.querySelector("h1") || {}).textContent || "",
      tables: document.querySelectorAll("table").length,
      images: Array.prototype.map.call(document.images, function (i) { return {complete: i.complete, width: i.naturalWidth, height: i.naturalHeight}; }),
      errors: window.__errors
    });
    document.body.appendChild(out);
  });
})();
</script>"""


def browse(page: Path) -> tuple[dict, list[str]]:
    """Open `page` in headless Chromium with a probe injected first in <head>; return (probe result, console lines)."""
    html = page.read_text(encoding="utf-8")
    probed = page.with_name("probed-" + page.name)
    probed.write_text(html.replace("<head>", "<head>\n" + PROBE, 1), encoding="utf-8")
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
             f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
             "--dump-dom", probed.as_uri()],
            capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = re.search(r'<pre id="probe-result">(.*?)</pre>', proc.stdout, re.S)
    assert found, "the page never finished loading: " + proc.stdout[-500:]
    import html as htmlmod
    result = json.loads(htmlmod.unescape(found.group(1)))
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return result, console


@pytest.fixture
def browser():
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run must install Debian's chromium")
        pytest.skip("chromium not installed (apt-get install chromium)")
    return browse


def test_codebook_html_renders_in_a_real_browser_with_its_figure_and_no_errors(browser, tmp_path, fresh):
    page = tmp_path / "codebook.html"
    page.write_bytes(fresh[HTML])  # self-contained: nothing else beside it
    result, console = browser(page)
    assert result["title"].startswith("Codebook: ") and result["h1"].startswith("Codebook: ")
    assert result["tables"] >= len(TABLES)
    assert len(result["images"]) == 1
    image = result["images"][0]
    assert image["complete"] and image["width"] > 500 and image["height"] > 300
    assert result["errors"] == [] and console == []


def test_the_browser_check_does_catch_a_broken_page(browser, tmp_path):
    """Control: the same probe reports a missing image and a script error, so a pass above means something."""
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><title>Codebook: x</title></head><body><h1>Codebook: x</h1>'
                    '<img src="missing.png"><script>console.error("bad"); notDefined();</script></body></html>')
    result, console = browser(page)
    assert result["images"][0]["width"] == 0
    assert any("failed to load IMG" in e for e in result["errors"])
    assert any("console.error: bad" in e for e in result["errors"])
    assert console, "console output should be visible on stderr"
