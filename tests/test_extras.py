"""A command that needs an optional dependency which is not installed names the extra to install and exits 2
(usage / environment), never 3 (a bug) or 1 (invalid data)."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from banjska.cli import main
from banjska.errors import InputError
from banjska.extras import require


@pytest.mark.parametrize("module", ["matplotlib", "markdown"])
def test_codebook_without_the_docs_extra_says_which_extra_to_install(repo, monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now fails as if it were not installed
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["codebook", "--check"], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert f"needs the optional dependency {module}" in result.stderr
    assert "pip install 'banjska-events[docs]'" in result.stderr
    assert "internal error" not in result.stderr


def test_require_returns_the_module_when_it_is_installed():
    import json

    assert require("json", "docs") is json


def test_require_names_the_module_and_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(InputError) as info:
        require("matplotlib", "docs")
    assert info.value.exit_code == 2
    assert info.value.one_line() == ("this command needs the optional dependency matplotlib, which is not installed. "
                                     "Install it with: pip install 'banjska-events[docs]'.")


def test_require_reports_a_broken_install_with_its_cause(tmp_path, monkeypatch):
    (tmp_path / "banjska_fake_optional.py").write_text("import banjska_no_such_dependency\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(InputError) as info:
        require("banjska_fake_optional", "docs")
    assert "optional dependency banjska_fake_optional" in info.value.message
    assert "cannot be imported (No module named 'banjska_no_such_dependency')" in info.value.message
    assert info.value.hint == "Install it with: pip install 'banjska-events[docs]'"
