"""`python -m banjska` runs the make-data command line (with every command module registered)."""

from .cli import main

main()
