"""The generic validation engine: any Frictionless data package, every error located (see core.py)."""

from banjska.validate.core import validate_package

__all__ = ["validate_package"]
