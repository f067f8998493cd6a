"""Integer codes for key columns: equal values share a code. Uniqueness, fact grouping and the
claim rules all compare keys, and comparing integers is far cheaper than hashing strings again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..arrowtext import arrow_text, filled

MISSING = -1  # the code of a missing value


class Encoded(NamedTuple):
    codes: np.ndarray  # per row, in 0..len(values)-1; MISSING for a missing value
    values: pa.Array  # the distinct values, values[code]


def dictionary(values: pd.Series) -> Encoded:
    """The column's codes and distinct values, by pyarrow's dictionary encoding."""
    array = arrow_text(values)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if (sorted_ := _sorted_dictionary(array)) is not None:
        return sorted_
    encoded = pc.dictionary_encode(array)
    codes = filled(pc.cast(encoded.indices, pa.int64()), MISSING)
    return Encoded(codes, encoded.dictionary)


def _sorted_dictionary(array: pa.Array) -> Encoded | None:
    """The encoding of a sorted column without hashing: a new code wherever the value changes. The
    first primary-key field of a canonical file is sorted (`ai-labs-data fmt` sorts by the key), and
    comparing neighbours is several times cheaper than hashing a million distinct strings."""
    n = len(array)
    if n < 2 or array.null_count:
        return None
    head, tail = array.slice(0, n - 1), array.slice(1)
    if not pc.all(pc.less_equal(head, tail)).as_py():
        return None
    new = np.ones(n, dtype=bool)
    new[1:] = pc.not_equal(head, tail).to_numpy(zero_copy_only=False)
    return Encoded(np.cumsum(new) - 1, array.filter(pa.array(new)))


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
