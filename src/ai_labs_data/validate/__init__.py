"""Validation of the Data Package in layers: structure, rules, freshness.

The validator runs the Table Schema's constraints itself (`constraints`); `pandera_schema` offers the
same checks as a pandera schema. Neither the loaders nor the validator import pandera.
"""

from .runner import Report, validate

__all__ = ["Report", "validate"]
