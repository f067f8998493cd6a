"""Reading cells out of chunked arrow columns (as pyarrow parses a large CSV file) gives exactly what
indexing the column as a Python list gives."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from ai_labs_data import arrowtext
from ai_labs_data.arrowtext import byte_positions, edge_bytes, joined, take, with_nulls

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


def test_cells_made_missing_keep_every_other_cell() -> None:
    # Slices too: a chunk that starts part-way into its buffers (pyarrow's CSV blocks do not).
    column = pa.chunked_array([COLUMN.chunk(0).slice(1), *COLUMN.chunks[1:], pa.array(CELLS).slice(2, 5)])
    cells = column.to_pylist()
    null = np.array([i % 3 == 0 for i in range(len(cells))])
    made = with_nulls(column, null)
    made.validate(full=True)
    assert made.to_pylist() == [None if gone else cell for gone, cell in zip(null, cells, strict=True)]
    assert with_nulls(column.chunk(2), np.array([True, False, False, True])).to_pylist() == [None, " y ", "中文", None]


@pytest.mark.parametrize(
    "marked",
    [
        b"",
        b"\x00",
        b"0123456789.,",
        b"\xff\x00",
        bytes([*range(0x09), 0x0B, 0x7F, 0xC2, 0xE2, 0xEF]),
        bytes(range(256)),
    ],
)
def test_byte_positions_are_those_the_mask_marks(marked: bytes) -> None:
    wanted = np.zeros(256, dtype=bool)
    wanted[list(marked)] = True
    data = np.random.default_rng(7).integers(0, 256, 20_000, dtype=np.uint8)
    assert byte_positions(data, wanted).tolist() == np.flatnonzero(wanted[data]).tolist()


def test_joined_chunks_keep_every_cell_and_widen_past_what_string_offsets_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A column is parsed as arrow strings (4-byte offsets); joining chunks whose bytes exceed 2 GB would
    # overflow them, so the join widens to large_string. The limit is lowered here to the column's size.
    assert joined(COLUMN).type == pa.string() and joined(COLUMN).to_pylist() == CELLS
    monkeypatch.setattr(arrowtext, "STRING_BYTES", len("".join(c for c in CELLS if c).encode()) - 1)
    widened = joined(COLUMN)
    assert widened.type == pa.large_string() and widened.to_pylist() == CELLS


MASK = pa.array([True, None, False, True, None, False, True, True, False, None, True])
MASKS = [
    MASK,
    MASK.slice(3),  # a bitmap that starts mid-byte
    pa.chunked_array([MASK.slice(0, 4), pa.array([], pa.bool_()), MASK.slice(4)]),
    pa.chunked_array([], pa.bool_()),
    MASK.slice(11),
]


@pytest.mark.parametrize("mask", MASKS)
@pytest.mark.parametrize("fill", [True, False])
def test_filled_masks_match_their_values(mask: pa.Array | pa.ChunkedArray, fill: bool) -> None:
    # Masks are unpacked from their bitmaps, not converted value by value: sliced and chunked ones included.
    got = arrowtext.filled(mask, fill)
    assert got.dtype == bool
    assert got.tolist() == [fill if v is None else v for v in mask.to_pylist()]
