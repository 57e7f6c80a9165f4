"""The `make-data` console script: the one place that knows the process is this command's alone.

Only here, because only a process that ends after its command may (1) keep pyarrow from importing
pandas while `validate` runs (validate/fast.py: ~0.25 s) and (2) skip interpreter teardown of
gigabytes of column buffers (~0.1 s) once every output is flushed. Library callers and tests call
`banjska.cli.main` instead and get neither.
"""

from __future__ import annotations

import os
import sys

import click

from banjska.cli import main
from banjska.cli.app import Options


def run() -> None:
    from banjska.validate.fast import skip_pandas

    try:
        code = main.main(obj=Options(on_reading=skip_pandas), standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        code = 1
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 0)
