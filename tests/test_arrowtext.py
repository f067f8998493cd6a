"""Reading cells out of chunked arrow columns (as pyarrow parses a large CSV file) gives exactly what
indexing the column as a Python list gives."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from ai_labs_data.arrowtext import edge_bytes, take

CELLS = ["a", "", None, "=x", " y ", "中文", "z", "", "last"]
COLUMN = pa.chunked_array([pa.array(CELLS[:3]), pa.array([], pa.string()), pa.array(CELLS[3:7]), pa.array(CELLS[7:])])


@pytest.mark.parametrize("positions", [[], [0], [8, 0, 4, 4, 2], list(range(9))[::-1], [3, 7, 1]])
def test_take_from_chunks_in_any_order(positions: list[int]) -> None:
    assert take(COLUMN, np.array(positions, dtype=np.int64)).to_pylist() == [CELLS[p] for p in positions]
    assert take(COLUMN.combine_chunks(), np.array(positions, dtype=np.int64)).to_pylist() == [
        CELLS[p] for p in positions
    ]


def test_edge_bytes_of_chunked_cells() -> None:
    first, last, present = edge_bytes(COLUMN)
    encoded = [c.encode() if c else b"" for c in CELLS]
    assert present.tolist() == [bool(c) for c in encoded]
    assert first.tolist() == [c[0] if c else 0 for c in encoded]
    assert last.tolist() == [c[-1] if c else 0 for c in encoded]
