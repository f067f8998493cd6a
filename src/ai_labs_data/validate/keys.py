"""Integer codes for key columns: equal values share a code. Uniqueness, fact grouping and the
claim rules all compare keys, and comparing integers is far cheaper than hashing strings again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MISSING = -1  # the code of a missing value


class Encoded(NamedTuple):
    codes: np.ndarray  # per row, in 0..len(values)-1; MISSING for a missing value
    values: pa.Array  # the distinct values, values[code]


def dictionary(values: pd.Series) -> Encoded:
    """The column's codes and distinct values, by pyarrow's dictionary encoding."""
    array = pa.array(values.array) if hasattr(values.array, "__arrow_array__") else pa.array(values)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    encoded = pc.dictionary_encode(array)
    codes = pc.fill_null(pc.cast(encoded.indices, pa.int64()), MISSING).to_numpy(zero_copy_only=False)
    return Encoded(codes, encoded.dictionary)


def encode(values: pd.Series) -> np.ndarray:
    """A code per row (MISSING for a missing value); equal values share a code."""
    return dictionary(values).codes


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
    dup = pd.Series(codes).duplicated(keep=False).to_numpy()
    return dup & (codes != MISSING)
