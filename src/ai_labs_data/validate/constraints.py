"""The constraints of a Table Schema as checks on a typed column, each written once.

The validator runs them directly on its typed tables; `pandera_schema` wraps the same checks in a pandera
DataFrameSchema for users who validate their own frames with pandera. Running pandera's machinery around
them would cost the validator more than the checks themselves (importing pandera and building its failure
frames took half of a validation of the real package), so the checks are plain functions of a column.

A check answers, for each cell, whether it passes; a missing cell passes every check but `required`. Text
checks run as pyarrow compute on the column's arrow buffer, and a key column is tested once per distinct
value (its cached key encoding, see `keys`) with the answers spread over the rows by code.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc

from ..arrowtext import arrow_text, filled
from ..tableschema import Field, TableSchema
from . import keys

# The key encoding of a column when the caller keeps one (the validator caches those of key fields,
# which its foreign keys and rules use too); None otherwise.
KeyLookup = Callable[[pd.Series], keys.Encoded | None]
TextTest = Callable[[pyarrow.Array | pyarrow.ChunkedArray], pyarrow.Array | pyarrow.ChunkedArray]


def no_lookup(_: pd.Series) -> None:
    return None


@dataclass(frozen=True)
class Check:
    """One constraint of one field: `passes(column)` is True for each cell that meets it."""

    rule: str  # the rule id a failure is reported under (enum, pattern, minimum, unique, primary-key ...)
    message: str
    passes: Callable[[pd.Series], np.ndarray]
    # What a failing value has that the message alone would not show (a look-alike character), added
    # to the message: a check that has nothing to add leaves it None, and its values are not fetched.
    explain: Callable[[str], str] | None = None


@dataclass(frozen=True)
class RowCheck:
    """A constraint across fields of a row (a compound primary key)."""

    rule: str
    fields: tuple[str, ...]
    message: str
    passes: Callable[[pd.DataFrame], np.ndarray]


def _text(test: TextTest, lookup: KeyLookup, column: pd.Series) -> np.ndarray:
    if (encoded := lookup(column)) is not None:
        return keys.spread(filled(test(encoded.values), True), encoded.codes, True)
    text = arrow_text(column)
    passes = filled(test(text), True)
    if text.null_count:  # arrow's is_in answers false, not null, for a missing cell
        passes |= filled(pc.is_null(text), False)
    return passes


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


def _foreign(value: str) -> str:
    """The first character of a value outside printable ASCII, named: a Cyrillic i (U+0456) in a slug looks
    exactly like a Latin 'i', and a message quoting the value would not show the difference."""
    for n, char in enumerate(value, 1):
        if not (" " <= char <= "~"):
            name = unicodedata.name(char, "an unnamed character")
            return f"; character {n} is U+{ord(char):04X} {name}, not ASCII"
    return ""


def _enum_test(allowed: list[str], a: pyarrow.Array | pyarrow.ChunkedArray) -> pyarrow.Array:
    return pc.is_in(a, value_set=pyarrow.array(allowed, type=a.type))


def _pattern_test(whole: str, a: pyarrow.Array | pyarrow.ChunkedArray) -> pyarrow.Array:
    return pc.match_substring_regex(a, whole)


def _text_checks(c: dict, lookup: KeyLookup) -> list[Check]:
    checks = []
    if "enum" in c:
        allowed = [str(v) for v in c["enum"]]
        test = partial(_enum_test, allowed)
        checks.append(Check("enum", "must be one of " + ", ".join(allowed), partial(_text, test, lookup)))
    if "pattern" in c:
        # Table Schema patterns match the whole value (XML Schema semantics).
        test = partial(_pattern_test, f"^(?:{c['pattern']})$")
        checks.append(Check("pattern", f"must match {c['pattern']}", partial(_text, test, lookup), explain=_foreign))
    for key, words, at_least in (("minLength", "at least", True), ("maxLength", "at most", False)):
        if key in c:
            test = partial(_length_test, bound=c[key], at_least=at_least)
            checks.append(Check(key, f"must have {words} {c[key]} characters", partial(_text, test, lookup)))
    return checks


def _compare(op: Callable[[object, object], object], bound: object, column: pd.Series) -> np.ndarray:
    return np.asarray(op(column, bound).fillna(True), dtype=bool)


def _member(allowed: list, column: pd.Series) -> np.ndarray:
    return (column.isin(allowed) | column.isna()).to_numpy(dtype=bool)


def field_checks(f: Field, lookup: KeyLookup = no_lookup) -> list[Check]:
    """The checks of a field's own constraints (not `required`, which the runners test by missingness)."""
    c = f.constraints
    if f.type == "string":
        return _text_checks(c, lookup)
    checks: list[Check] = []
    if "enum" in c:
        checks.append(Check("enum", "must be one of " + ", ".join(map(str, c["enum"])), partial(_member, c["enum"])))
    if "minimum" in c:
        checks.append(Check("minimum", f"must be >= {c['minimum']}", partial(_compare, pd.Series.ge, c["minimum"])))
    if "maximum" in c:
        checks.append(Check("maximum", f"must be <= {c['maximum']}", partial(_compare, pd.Series.le, c["maximum"])))
    return checks


def _codes(lookup: KeyLookup, column: pd.Series) -> np.ndarray:
    return (encoded if (encoded := lookup(column)) is not None else keys.dictionary(column)).codes


def _unique(lookup: KeyLookup, column: pd.Series) -> np.ndarray:
    return ~keys.duplicated(_codes(lookup, column))


def key_checks(schema: TableSchema, f: Field, lookup: KeyLookup = no_lookup) -> list[Check]:
    """A single-field primary key's or a unique field's uniqueness check."""
    if list(schema.primary_key) == [f.name]:
        return [Check("primary-key", "duplicate value: another row has the same value", partial(_unique, lookup))]
    if f.constraints.get("unique", False):
        return [Check("unique", "duplicate value: another row has the same value", partial(_unique, lookup))]
    return []


def _unique_rows(fields: tuple[str, ...], lookup: KeyLookup, frame: pd.DataFrame) -> np.ndarray:
    return ~keys.duplicated_rows([_codes(lookup, frame[k]) for k in fields])


def row_checks(schema: TableSchema, lookup: KeyLookup = no_lookup) -> list[RowCheck]:
    pk = tuple(schema.primary_key)
    if len(pk) < 2:
        return []
    message = f"duplicate primary key ({', '.join(pk)}): another row has the same values"
    return [RowCheck("primary-key", pk, message, partial(_unique_rows, pk, lookup))]


def column_checks(schema: TableSchema, f: Field, lookup: KeyLookup = no_lookup) -> list[Check]:
    """Every check of one column: its constraints, then its uniqueness."""
    return field_checks(f, lookup) + key_checks(schema, f, lookup)
