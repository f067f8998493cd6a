"""Integer codes for key columns: equal values share a code. Uniqueness, fact grouping and the
claim rules all compare keys, and comparing integers is far cheaper than hashing strings again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..arrowtext import arrow_text, filled, joined

MISSING = -1  # the code of a missing value


class Encoded(NamedTuple):
    codes: np.ndarray  # per row, in 0..len(values)-1; MISSING for a missing value
    values: pa.Array  # the distinct values, values[code]


def dictionary(values: pd.Series) -> Encoded:
    """The column's codes and distinct values: by comparing neighbours where the column is sorted (a
    canonical file's first key field), else by pyarrow's dictionary encoding (a hash table)."""
    array = joined(arrow_text(values))
    if len(array) >= 2 and not array.null_count:
        descents = np.flatnonzero(~filled(pc.less_equal(array.slice(0, len(array) - 1), array.slice(1)), False))
        if len(descents) == 0:
            return _sorted_dictionary(array)
        if (nearly := _nearly_sorted_dictionary(array, descents)) is not None:
            return nearly
    encoded = pc.dictionary_encode(array)
    codes = filled(pc.cast(encoded.indices, pa.int64()), MISSING)
    return Encoded(codes, encoded.dictionary)


def _sorted_dictionary(array: pa.Array) -> Encoded:
    """The encoding of a sorted column without hashing: a new code wherever the value changes. The
    first primary-key field of a canonical file is sorted (`ai-labs-data fmt` sorts by the key), and
    comparing neighbours is several times cheaper than hashing a million distinct strings."""
    new = np.ones(len(array), dtype=bool)
    new[1:] = pc.not_equal(array.slice(0, len(array) - 1), array.slice(1)).to_numpy(zero_copy_only=False)
    return Encoded(np.cumsum(new) - 1, array.filter(pa.array(new)))


# Out-of-order rows beyond which hashing the whole column is the cheaper encoding.
MAX_OUT_OF_ORDER = 0.01


def _nearly_sorted_dictionary(array: pa.Array, descents: np.ndarray) -> Encoded | None:
    """The encoding of a column that is sorted but for a few rows, as when rows were appended to a
    canonical file without sorting it again: its longest sorted run is encoded by neighbours, and the
    other rows are looked up among that run's values by binary search. None when those are too many."""
    bounds = np.concatenate([[0], descents + 1, [len(array)]])
    longest = int(np.argmax(np.diff(bounds)))
    start, stop = int(bounds[longest]), int(bounds[longest + 1])
    if len(array) - (stop - start) > MAX_OUT_OF_ORDER * len(array):
        return None
    main = _sorted_dictionary(array.slice(start, stop - start))
    others = pa.concat_arrays([array.slice(0, start), array.slice(stop)])
    found = _binary_search(main.values, others)
    # A value found nowhere in the sorted run gets a new code after the run's.
    missing = found < 0
    extra = pc.dictionary_encode(others.filter(pa.array(missing)))
    found[missing] = len(main.values) + extra.indices.to_numpy(zero_copy_only=False)
    codes = np.concatenate([found[:start], main.codes, found[start:]])
    return Encoded(codes, pa.concat_arrays([main.values, extra.dictionary]))


def _binary_search(sorted_values: pa.Array, queries: pa.Array) -> np.ndarray:
    """The position of each query among the distinct sorted values, or -1: all queries move through the
    halving steps together, each step one take and one comparison in pyarrow."""
    lo = np.zeros(len(queries), dtype=np.int64)
    hi = np.full(len(queries), len(sorted_values), dtype=np.int64)
    while (active := lo < hi).any():
        mid = (lo + hi) // 2
        probe = np.minimum(mid, len(sorted_values) - 1)
        below = filled(pc.less(sorted_values.take(probe), queries), False) & active
        lo = np.where(below, mid + 1, lo)
        hi = np.where(~below & active, mid, hi)
    at = np.minimum(lo, len(sorted_values) - 1)
    hit = (lo < len(sorted_values)) & filled(pc.equal(sorted_values.take(at), queries), False)
    return np.where(hit, lo, -1)


def spread(per_value: np.ndarray, codes: np.ndarray, missing: object) -> np.ndarray:
    """An answer computed once per distinct value (`per_value[code]`), given to every row; a row with
    a missing value (code MISSING) gets `missing`."""
    return np.append(per_value, np.array([missing], dtype=per_value.dtype))[codes]


def combine(codes: Sequence[np.ndarray]) -> np.ndarray:
    """One code per distinct tuple of codes (not dense); MISSING where any part is missing."""
    combined = codes[0].copy()
    missing = combined == MISSING
    for part in codes[1:]:
        missing |= part == MISSING
        width = int(part.max(initial=0)) + 2
        if int(combined.max(initial=0)) >= (2**62) // width:  # would overflow int64: make dense first
            combined, _ = pd.factorize(combined)
        combined = combined * width + part + 1
    combined[missing] = MISSING
    return combined


def duplicated(codes: np.ndarray) -> np.ndarray:
    """True where another row has the same code; a missing value is never a duplicate."""
    present = codes != MISSING
    if len(codes) and int(codes.max()) < 4 * len(codes):  # dense enough to count by bincount
        counts = np.bincount(codes[present] if not present.all() else codes, minlength=1)
        return present & (counts[np.maximum(codes, 0)] > 1)
    return present & pd.Series(codes).duplicated(keep=False).to_numpy()


def duplicated_rows(parts: Sequence[np.ndarray]) -> np.ndarray:
    """True where another row has the same codes in every part (a compound key). Only rows that share
    their first part with another can share them all, so the parts are combined for those rows only."""
    suspects = np.flatnonzero(duplicated(parts[0]))
    found = np.zeros(len(parts[0]), dtype=bool)
    if len(suspects):
        found[suspects] = duplicated(combine([part[suspects] for part in parts]))
    return found
