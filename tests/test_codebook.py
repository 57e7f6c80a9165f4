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
    for heading in ("### Evidence", "### Missing values", "### Precision", "### Qualifiers", "### Enrichment",
                    "### Vocabularies", "## Timeline"):
        assert f"\n{heading}\n" in md
    assert "](timeline.png)" in md
    assert fresh[FIGURE].startswith(PNG)
    page = fresh[HTML].decode()
    uri = re.search(r'<img alt="[^"]*" src="data:image/png;base64,([^"]+)"', page)
    assert uri and base64.b64decode(uri.group(1)) == fresh[FIGURE]


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
