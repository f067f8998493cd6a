"""Validation of the Data Package in layers: structure, rules, freshness.

Importing this package imports pandera; the loaders never do.
"""

from .runner import Report, validate

__all__ = ["Report", "validate"]
