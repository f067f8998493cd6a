"""Key codes: whatever the order of a key column, equal values get equal codes and each code names
its value, so uniqueness, foreign keys and claim grouping see exactly the column's values."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ai_labs_data.validate import keys

IDS = st.lists(st.text(alphabet="abc-1", min_size=0, max_size=4), min_size=0, max_size=300)


def check(cells: list[str]) -> None:
    encoded = keys.dictionary(pd.Series(cells, dtype="string[pyarrow]"))
    values = encoded.values.to_pylist()
    assert len(set(values)) == len(values), "each distinct value has one code"
    assert [values[c] for c in encoded.codes] == cells


@settings(max_examples=100, deadline=None)
@given(IDS)
def test_any_order(cells: list[str]) -> None:
    check(cells)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="abc-1", max_size=4), min_size=200, max_size=400), st.data())
def test_sorted_but_for_a_few_rows(cells: list[str], data: st.DataObject) -> None:
    """A canonical (sorted) file with rows appended, or a few rows moved: the cases encoded without
    hashing the whole column."""
    cells = sorted(cells)
    moves = data.draw(st.lists(st.tuples(st.integers(0, len(cells) - 1), st.integers(0, len(cells))), max_size=2))
    for source, target in moves:
        cells.insert(target, cells.pop(min(source, len(cells) - 1)))
    appended = data.draw(st.lists(st.text(alphabet="abc-1", max_size=4), max_size=2))
    check(cells + appended)


def test_compound_key_duplicates() -> None:
    first = np.array([0, 0, 1, 1, 2, keys.MISSING, keys.MISSING])
    second = np.array([5, 6, 5, 5, keys.MISSING, 5, 5])
    assert keys.duplicated_rows([first, second]).tolist() == [False, False, True, True, False, False, False]
