"""Table Schema -> pandera DataFrameSchema, for users who check their own frames with pandera.

Built here rather than by `pandera.io.from_frictionless_schema` (which drops foreign keys, types dates as
strings, breaks optional integers and coerces "no" to True), from the same checks the validator runs
(`constraints`): the frame it checks is already typed by `tableschema.parse_cells`, so no coercion
happens; the schema checks dtypes, required, enum, range, pattern, length and uniqueness. A test keeps
the two runners in agreement on every constraint.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from ..tableschema import TableSchema
from ..types import TYPES
from .constraints import Check, KeyLookup, RowCheck, column_checks, no_lookup, row_checks


def _wrap(check: Check | RowCheck) -> pa.Check:
    def run(values: pd.Series | pd.DataFrame) -> pd.Series:
        return pd.Series(check.passes(values), index=values.index)

    # ignore_na=False: a check already passes missing cells, and pandera would otherwise test every cell
    # of a frame for a missing value.
    return pa.Check(run, element_wise=False, name=check.rule, error=f"{check.rule}: {check.message}", ignore_na=False)


def to_pandera(schema: TableSchema, name: str, lookup: KeyLookup = no_lookup) -> pa.DataFrameSchema:
    """The pandera schema of a Table Schema. `lookup` serves cached key encodings (see KeyLookup)."""
    columns = {
        f.name: pa.Column(
            TYPES[f.type].pandas,
            checks=[_wrap(c) for c in column_checks(schema, f, lookup)],
            nullable=not f.required,
            coerce=False,
        )
        for f in schema.fields
    }
    return pa.DataFrameSchema(
        columns, checks=[_wrap(c) for c in row_checks(schema, lookup)], strict=True, ordered=True, name=name
    )
