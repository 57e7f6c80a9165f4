"""Banjska 2023 event dataset: build, validate and publish an evidence-anchored Frictionless Data Package.

The library does the work; `banjska.cli` is a thin Click layer over it (`make-data`).
"""

__version__ = "0.1.0"

from .load import load  # noqa: E402,F401  (public API: banjska.load)
