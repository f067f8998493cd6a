"""Exports of the package to the tools data users live in: Parquet, SQLite, DuckDB, Excel, JSON."""
