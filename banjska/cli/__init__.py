"""`make-data`: a thin command line over the library (see app.py). One module per stage's commands;
this package only assembles them, so no command module imports another."""

from banjska.cli.app import main
from banjska.cli.build import add_source, build, coverage
from banjska.cli.check import check
from banjska.cli.consume import codebook, export
from banjska.cli.release import bump, cite, diff, publish
from banjska.cli.validate import validate

for command in (build, add_source, coverage, validate, check, codebook, export, diff, bump, publish, cite):
    main.add_command(command)

__all__ = ["main"]
