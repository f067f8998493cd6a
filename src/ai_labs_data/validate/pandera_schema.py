"""Table Schema -> pandera DataFrameSchema, built here rather than by `pandera.io.from_frictionless_schema`
(which drops foreign keys, types dates as strings, breaks optional integers and coerces "no" to True).

The frame it checks is already typed by `tableschema.parse_cells`, so no coercion happens here: the
pandera schema checks dtypes, required, enum, range, pattern, length and uniqueness constraints. Checks
on text run as pyarrow compute on the column's arrow buffer, and uniqueness compares integer key codes
(`keys`): pandas' string methods and `duplicated` are several times slower at a million rows.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

from ..arrowtext import arrow_text, filled
from ..tableschema import Field, TableSchema
from . import keys

DTYPES = {
    "string": pd.StringDtype(),
    "integer": pd.Int64Dtype(),
    "number": pd.Float64Dtype(),
    "boolean": pd.BooleanDtype(),
    "date": "datetime64[ns]",
}

# The key encoding of a column when the caller keeps one (the validator caches those of key fields,
# which its foreign keys and rules use too); None otherwise.
KeyLookup = Callable[[pd.Series], keys.Encoded | None]
TextTest = Callable[[pyarrow.Array | pyarrow.ChunkedArray], pyarrow.Array | pyarrow.ChunkedArray]


def _no_lookup(_: pd.Series) -> None:
    return None


def _text_check(test: TextTest, name: str, error: str, lookup: KeyLookup) -> pa.Check:
    """A check of a text column by a pyarrow compute test; missing cells pass (pandera's ignore_na).
    A key column is tested once per distinct value and the answers spread over the rows by code."""

    def run(s: pd.Series) -> pd.Series:
        if (encoded := lookup(s)) is not None:
            return pd.Series(keys.spread(filled(test(encoded.values), True), encoded.codes, True), index=s.index)
        return pd.Series(filled(test(arrow_text(s)), True), index=s.index)

    return pa.Check(run, element_wise=False, name=name, error=error)


def _text_checks(c: dict, lookup: KeyLookup) -> list[pa.Check]:
    checks = []
    if "enum" in c:
        allowed = [str(v) for v in c["enum"]]
        checks.append(
            _text_check(
                lambda a: pc.is_in(a, value_set=pyarrow.array(allowed, type=a.type)),
                "enum",
                "enum: must be one of " + ", ".join(allowed),
                lookup,
            )
        )
    if "pattern" in c:
        # Table Schema patterns match the whole value (XML Schema semantics).
        whole = f"^(?:{c['pattern']})$"
        checks.append(
            _text_check(
                lambda a: pc.match_substring_regex(a, whole), "pattern", f"pattern: must match {c['pattern']}", lookup
            )
        )
    for key, words, at_least in (("minLength", "at least", True), ("maxLength", "at most", False)):
        if key in c:
            message = f"{key}: must have {words} {c[key]} characters"
            checks.append(_text_check(partial(_length_test, bound=c[key], at_least=at_least), key, message, lookup))
    return checks


def _length_test(a: pyarrow.Array | pyarrow.ChunkedArray, bound: int, at_least: bool) -> pyarrow.ChunkedArray:
    """Each cell's length in characters compared with `bound`. A cell of n bytes has at most n and at
    least n / 4 characters, so the byte lengths (read from the offsets) usually decide every cell, and
    counting characters, which decodes every byte, is left for the columns they do not."""
    compare = pc.greater_equal if at_least else pc.less_equal
    nbytes = pc.binary_length(a)
    span = pc.min_max(nbytes)
    low, high = span["min"].as_py() or 0, span["max"].as_py() or 0
    decided = (bound <= 1 or low >= 4 * bound) if at_least else high <= bound
    return compare(nbytes if decided else pc.utf8_length(a), bound)


def field_checks(f: Field, lookup: KeyLookup = _no_lookup) -> list[pa.Check]:
    c = f.constraints
    if f.type == "string":
        return _text_checks(c, lookup)
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


def _codes(s: pd.Series, lookup: KeyLookup) -> np.ndarray:
    return (encoded if (encoded := lookup(s)) is not None else keys.dictionary(s)).codes


def _unique_check(lookup: KeyLookup, rule: str) -> pa.Check:
    return pa.Check(
        lambda s: pd.Series(~keys.duplicated(_codes(s, lookup)), index=s.index),
        element_wise=False,
        name="unique",
        error=f"{rule}: duplicate value: another row has the same value",
    )


def _unique_rows_check(fields: list[str], lookup: KeyLookup) -> pa.Check:
    def run(df: pd.DataFrame) -> pd.Series:
        return pd.Series(~keys.duplicated_rows([_codes(df[k], lookup) for k in fields]), index=df.index)

    message = f"primary-key: duplicate primary key ({', '.join(fields)}): another row has the same values"
    # ignore_na=False: a row with a missing key part is never a duplicate (keys.duplicated), and pandera
    # would otherwise test every cell of the frame for a missing value to find all-missing rows.
    return pa.Check(run, element_wise=False, name="unique_rows", error=message, ignore_na=False)


def to_pandera(schema: TableSchema, name: str, lookup: KeyLookup = _no_lookup) -> pa.DataFrameSchema:
    """The pandera schema of a Table Schema. `lookup` serves cached key encodings (see KeyLookup)."""
    pk = list(schema.primary_key)
    columns = {}
    for f in schema.fields:
        checks = field_checks(f, lookup)
        if pk == [f.name]:
            checks.append(_unique_check(lookup, "primary-key"))
        elif f.constraints.get("unique", False):
            checks.append(_unique_check(lookup, "unique"))
        columns[f.name] = pa.Column(
            DTYPES.get(f.type, pd.StringDtype()), checks=checks, nullable=not f.required, coerce=False
        )
    return pa.DataFrameSchema(
        columns,
        checks=[_unique_rows_check(pk, lookup)] if len(pk) > 1 else [],
        strict=True,
        ordered=True,
        name=name,
    )
