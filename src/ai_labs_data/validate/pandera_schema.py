"""Table Schema -> pandera DataFrameSchema, built here rather than by `pandera.io.from_frictionless_schema`
(which drops foreign keys, types dates as strings, breaks optional integers and coerces "no" to True).

The frame it checks is already typed by `tableschema.parse_cells`, so no coercion happens here: the
pandera schema checks dtypes, required, enum, range, pattern, length and uniqueness constraints. Checks
on text run as pyarrow compute on the column's arrow buffer, and uniqueness compares integer key codes
(`keys`): pandas' string methods and `duplicated` are several times slower at a million rows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

from ..arrowtext import arrow_text
from ..tableschema import Field, TableSchema
from . import keys

DTYPES = {
    "string": pd.StringDtype(),
    "integer": pd.Int64Dtype(),
    "number": pd.Float64Dtype(),
    "boolean": pd.BooleanDtype(),
    "date": "datetime64[ns]",
}

Encoder = Callable[[pd.Series], np.ndarray]
TextTest = Callable[[pyarrow.ChunkedArray], pyarrow.ChunkedArray]


def _text_check(test: TextTest, name: str, error: str) -> pa.Check:
    """A check of a text column by a pyarrow compute test; missing cells pass (pandera's ignore_na)."""

    def run(s: pd.Series) -> pd.Series:
        return pd.Series(pc.fill_null(test(arrow_text(s)), True).to_numpy(zero_copy_only=False), index=s.index)

    return pa.Check(run, element_wise=False, name=name, error=error)


def _text_checks(c: dict) -> list[pa.Check]:
    checks = []
    if "enum" in c:
        allowed = [str(v) for v in c["enum"]]
        checks.append(
            _text_check(
                lambda a: pc.is_in(a, value_set=pyarrow.array(allowed, type=a.type)),
                "enum",
                "enum: must be one of " + ", ".join(allowed),
            )
        )
    if "pattern" in c:
        # Table Schema patterns match the whole value (XML Schema semantics).
        whole = f"^(?:{c['pattern']})$"
        checks.append(
            _text_check(lambda a: pc.match_substring_regex(a, whole), "pattern", f"pattern: must match {c['pattern']}")
        )
    for key, words, compare in (("minLength", "at least", pc.greater_equal), ("maxLength", "at most", pc.less_equal)):
        if key in c:
            bound = c[key]
            message = f"{key}: must have {words} {bound} characters"
            checks.append(_text_check(lambda a, cmp=compare, n=bound: cmp(pc.utf8_length(a), n), key, message))
    return checks


def field_checks(f: Field) -> list[pa.Check]:
    c = f.constraints
    if f.type == "string":
        return _text_checks(c)
    checks: list[pa.Check] = []
    if "enum" in c:
        checks.append(
            pa.Check.isin(c["enum"], name="enum", error="enum: must be one of " + ", ".join(map(str, c["enum"])))
        )
    if "minimum" in c:
        checks.append(pa.Check.ge(c["minimum"], name="minimum", error=f"minimum: must be >= {c['minimum']}"))
    if "maximum" in c:
        checks.append(pa.Check.le(c["maximum"], name="maximum", error=f"maximum: must be <= {c['maximum']}"))
    return checks


def _unique_check(encode: Encoder, rule: str) -> pa.Check:
    return pa.Check(
        lambda s: pd.Series(~keys.duplicated(encode(s)), index=s.index),
        element_wise=False,
        name="unique",
        error=f"{rule}: duplicate value: another row has the same value",
    )


def _unique_rows_check(fields: list[str], encode: Encoder) -> pa.Check:
    def run(df: pd.DataFrame) -> pd.Series:
        return pd.Series(~keys.duplicated(keys.combine([encode(df[k]) for k in fields])), index=df.index)

    message = f"primary-key: duplicate primary key ({', '.join(fields)}): another row has the same values"
    return pa.Check(run, element_wise=False, name="unique_rows", error=message)


def to_pandera(schema: TableSchema, name: str, encode: Encoder = keys.encode) -> pa.DataFrameSchema:
    """The pandera schema of a Table Schema. `encode` gives a column's key codes (the validator passes
    one that caches them for its rules)."""
    pk = list(schema.primary_key)
    columns = {}
    for f in schema.fields:
        checks = field_checks(f)
        if pk == [f.name]:
            checks.append(_unique_check(encode, "primary-key"))
        elif f.constraints.get("unique", False):
            checks.append(_unique_check(encode, "unique"))
        columns[f.name] = pa.Column(
            DTYPES.get(f.type, pd.StringDtype()), checks=checks, nullable=not f.required, coerce=False
        )
    return pa.DataFrameSchema(
        columns,
        checks=[_unique_rows_check(pk, encode)] if len(pk) > 1 else [],
        strict=True,
        ordered=True,
        name=name,
    )
