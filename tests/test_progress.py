"""Progress on stderr: shown at a terminal, silent in CI and in pipes."""

from __future__ import annotations

import io

from banjska.consume.progress import Progress, enabled, track


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_shown_at_a_terminal_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    stream = Tty()
    assert enabled(stream)
    assert list(track(["sources", "events"], "export", stream=stream)) == ["sources", "events"]
    out = stream.getvalue()
    assert "export [1/2] sources" in out and "export [2/2] events" in out and "export: done (2 steps)\n" in out


def test_progress_is_silent_in_ci_even_at_a_terminal(monkeypatch):
    monkeypatch.setenv("CI", "true")
    stream = Tty()
    assert not enabled(stream)
    with Progress("export", 1, stream) as p:
        p.step("events")
    assert stream.getvalue() == ""


def test_progress_is_silent_when_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    stream = io.StringIO()
    assert not enabled(stream)
    list(track(["a"], "x", stream=stream))
    assert stream.getvalue() == ""


def test_commands_keep_stderr_clean_when_not_at_a_terminal(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    res = cli("export", "--format", "sqlite", "-o", tmp_path / "x.sqlite")
    assert res.exit_code == 0 and res.stderr == ""


def run_with_stderr_on_a_pty(args: list[str], env: dict) -> tuple[int, str]:
    """Run make-data for real with stderr attached to a pseudo-terminal; return (exit code, what it showed)."""
    import os
    import pty
    import subprocess
    import sys
    from pathlib import Path

    master, slave = pty.openpty()
    exe = Path(sys.executable).with_name("make-data")
    proc = subprocess.Popen([str(exe), *args], stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    proc.communicate()
    os.close(master)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_commands_show_progress_at_a_terminal_and_not_in_ci(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k != "CI"}
    code, shown = run_with_stderr_on_a_pty(["export", "--format", "sqlite", "-o", str(tmp_path / "a.sqlite")], env)
    assert code == 0
    assert "export sqlite [" in shown and "sqlite events" in shown and "done" in shown
    code, shown = run_with_stderr_on_a_pty(["export", "--format", "sqlite", "-o", str(tmp_path / "b.sqlite")],
                                           dict(env, CI="true"))
    assert code == 0 and shown == ""
