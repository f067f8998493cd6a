"""Table Schema -> pandera DataFrameSchema, built here rather than by `pandera.io.from_frictionless_schema`
(which drops foreign keys, types dates as strings, breaks optional integers and coerces "no" to True).

The frame it checks is already typed by `tableschema.parse_column`, so no coercion happens here: the
pandera schema checks dtypes, required, enum, range, pattern, length and uniqueness constraints.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from ..tableschema import Field, TableSchema

DTYPES = {
    "string": pd.StringDtype(),
    "integer": pd.Int64Dtype(),
    "number": pd.Float64Dtype(),
    "boolean": pd.BooleanDtype(),
    "date": "datetime64[ns]",
}


def _pattern_check(pattern: str) -> pa.Check:
    # Table Schema patterns match the whole value (XML Schema semantics).
    return pa.Check(
        lambda s: s.str.fullmatch(pattern).fillna(True).astype(bool),
        element_wise=False,
        name="pattern",
        error=f"pattern: must match {pattern}",
    )


def field_checks(f: Field) -> list[pa.Check]:
    c = f.constraints
    checks: list[pa.Check] = []
    if "enum" in c:
        checks.append(
            pa.Check.isin(c["enum"], name="enum", error="enum: must be one of " + ", ".join(map(str, c["enum"])))
        )
    if "minimum" in c:
        checks.append(pa.Check.ge(c["minimum"], name="minimum", error=f"minimum: must be >= {c['minimum']}"))
    if "maximum" in c:
        checks.append(pa.Check.le(c["maximum"], name="maximum", error=f"maximum: must be <= {c['maximum']}"))
    if "pattern" in c:
        checks.append(_pattern_check(c["pattern"]))
    for key, bound, words in (("minLength", "min_value", "at least"), ("maxLength", "max_value", "at most")):
        if key in c:
            message = f"{key}: must have {words} {c[key]} characters"
            checks.append(pa.Check.str_length(**{bound: c[key]}, name=key, error=message))
    return checks


def to_pandera(schema: TableSchema, name: str) -> pa.DataFrameSchema:
    columns = {
        f.name: pa.Column(
            DTYPES.get(f.type, pd.StringDtype()),
            checks=field_checks(f),
            nullable=not f.required,
            unique=bool(f.constraints.get("unique", False)) or schema.primary_key == (f.name,),
            report_duplicates="all",
            coerce=False,
        )
        for f in schema.fields
    }
    return pa.DataFrameSchema(
        columns,
        unique=list(schema.primary_key) if len(schema.primary_key) > 1 else None,
        report_duplicates="all",
        strict=True,
        ordered=True,
        name=name,
    )
