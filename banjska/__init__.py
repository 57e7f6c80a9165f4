"""Banjska 2023 event dataset: build, validate and publish an evidence-anchored Frictionless Data Package.

The library does the work; `banjska.cli` is a thin Click layer over it (`make-data`).
"""

__version__ = "0.1.0"



def __getattr__(name: str):
    """`banjska.load` is imported on first use, so commands that never load DataFrames skip pandas."""
    if name == "load":
        from banjska.consume.load import load

        return load
    raise AttributeError(f"module 'banjska' has no attribute {name!r}")
