"""The Table Schema field types this package supports, each described once: what a cell looks like, and
the type it becomes in pandas, Arrow (Parquet), SQLite, DuckDB and Croissant. Parsing a cell of each type
is `tableschema.parse_column`'s job."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldType:
    name: str
    expected: str  # what a valid cell looks like, for the validator's messages
    pandas: str  # the loaders' dtype
    arrow: str  # a pyarrow type factory (pyarrow.<arrow>())
    sqlite: str
    duckdb: str
    croissant: str
    numeric: bool = False

    def arrow_type(self):  # -> pyarrow.DataType; pyarrow is imported only by the callers that need it
        import pyarrow

        return getattr(pyarrow, self.arrow)()


TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        FieldType("string", "text", "string", "string", "TEXT", "VARCHAR", "sc:Text"),
        FieldType(
            "integer",
            "an integer of at most 18 digits (no separators or decimals)",
            "Int64",
            "int64",
            "INTEGER",
            "BIGINT",
            "sc:Integer",
            numeric=True,
        ),
        FieldType(
            "number",
            "a finite number (digits, an optional decimal point and exponent, no separators; at most 1.7e308)",
            "Float64",
            "float64",
            "REAL",
            "DOUBLE",
            "sc:Float",
            numeric=True,
        ),
        FieldType("boolean", "true or false", "boolean", "bool_", "INTEGER", "BOOLEAN", "sc:Boolean"),
        FieldType(
            "date",
            "a real calendar date as YYYY-MM-DD, from 1678-01-01 to 2261-12-31",
            "datetime64[ns]",
            "date32",
            "TEXT",
            "DATE",
            "sc:Date",
        ),
    )
}
