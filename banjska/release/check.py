"""`make-data check`: everything a maintainer (and CI) must see pass before committing or releasing.

One command instead of four: the committed data and descriptor match a fresh build, the package is
valid, the generated docs (codebook) are fresh, and the citation files are valid (CITATION.cff against
the CFF 1.2.0 JSON Schema, vendored in schemas/) and agree with metadata/dataset.yaml.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from banjska.errors import MakeDataError

CFF_SCHEMA = Path(__file__).with_name("schemas") / "cff-1.2.0.json"


@dataclass
class Step:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict:
        return {"step": self.name, "ok": self.ok, "detail": self.detail}


@dataclass
class CheckResult:
    root: Path
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)


@lru_cache(maxsize=1)
def _cff_validator():
    import jsonschema

    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def cff_errors(text: str) -> list[str]:
    """CITATION.cff text -> its violations of the CFF 1.2.0 schema (JSON pointer: message), sorted."""
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return [f"not YAML: {str(exc).splitlines()[0]}"]
    errors = _cff_validator().iter_errors(doc)
    return sorted(f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def _step(name: str, fn) -> Step:
    try:
        detail = fn()
    except MakeDataError as exc:
        return Step(name, False, exc.one_line())
    return Step(name, not detail.startswith("FAIL "), detail.removeprefix("FAIL "))


def check_project(root: Path) -> CheckResult:
    from banjska.build.descriptor import load_metadata
    from banjska.build.run import check as build_check
    from banjska.consume.codebook import check as codebook_check
    from banjska.release.citation import generated_files
    from banjska.validate import validate_package

    result = CheckResult(root)

    def build() -> str:
        built, differ = build_check(root)
        return f"FAIL differ from a fresh build: {', '.join(differ)}; run `make-data build`" if differ else \
            f"data/ and datapackage.json match a fresh build ({built.coverage.summary()})"

    def valid() -> str:
        report = validate_package(root)
        if report.valid:
            return f"valid ({len(report.checked)} tables, {sum(report.checked.values())} rows)"
        first = "; ".join(f"{i.location()}: [{i.rule}] {i.message}" for i in report.issues[:3])
        return f"FAIL {report.total} error(s): {first}; run `make-data validate`"

    def docs() -> str:
        _, differ = codebook_check(root)
        return f"FAIL stale: {', '.join(differ)}; run `make-data codebook`" if differ else "codebook is fresh"

    def citation() -> str:
        problems = []
        for rel, data in generated_files(load_metadata(root)).items():
            path = root / rel
            if not path.is_file() or path.read_bytes() != data:
                problems.append(f"{rel} does not match metadata/dataset.yaml (run `make-data publish`)")
        cff = root / "CITATION.cff"
        if cff.is_file():
            problems += [f"CITATION.cff{e}" for e in cff_errors(cff.read_text(encoding="utf-8"))]
        return "FAIL " + "; ".join(problems) if problems else "CITATION.cff valid (CFF 1.2.0), citation files current"

    for name, fn in (("build", build), ("validate", valid), ("docs", docs), ("citation", citation)):
        result.steps.append(_step(name, fn))
    return result
