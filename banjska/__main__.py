"""`python -m banjska` runs the make-data command line."""

from banjska.cli import main

main()
