"""Derived tables: rebuilt from the curated tables by `ai-labs-data build` (the `build` extra)."""
