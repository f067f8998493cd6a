"""Validation of the Data Package in layers: structure, rules, freshness.

Running a validation imports pandera (on first use, while other tables are still being read); the
loaders never do.
"""

from .runner import Report, validate

__all__ = ["Report", "validate"]
