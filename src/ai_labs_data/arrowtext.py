"""Text columns as arrow buffers. The validator's per-cell tests that only need a few bytes of each
cell (its first and last byte, or the ten bytes of a date) read them straight from arrow's offsets and
data buffers with numpy, instead of slicing or parsing a million strings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

Text = pa.Array | pa.ChunkedArray


def arrow_text(values: pd.Series) -> Text:
    """A text column as arrow strings; no copy when pandas already holds it in arrow."""
    if isinstance(values.dtype, (pd.ArrowDtype, pd.StringDtype)) and hasattr(values.array, "__arrow_array__"):
        return pa.array(values.array)
    return pa.array(values.astype(object), type=pa.string(), from_pandas=True)


def _cells(text: Text) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start offset, byte length, data) of every cell; a missing cell has length 0."""
    starts, lengths, datas, base = [], [], [], 0
    for chunk in text.chunks if isinstance(text, pa.ChunkedArray) else [text]:
        width = np.int64 if pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type) else np.int32
        _, offset_buffer, data_buffer = chunk.buffers()
        if offset_buffer is None:  # an empty array
            continue
        offsets = np.frombuffer(offset_buffer, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
        offsets = offsets.astype(np.int64)
        length = np.diff(offsets)
        length[pc.fill_null(pc.is_null(chunk), False).to_numpy(zero_copy_only=False)] = 0  # may span bytes
        data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, np.uint8)
        starts.append(offsets[:-1] + base)
        lengths.append(length)
        datas.append(data)
        base += len(data)
    if not starts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.uint8)
    data = datas[0] if len(datas) == 1 else np.concatenate(datas)
    return np.concatenate(starts), np.concatenate(lengths), data


def edge_bytes(text: Text) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First byte, last byte and byte length of every cell (zeros for an empty or missing cell)."""
    starts, lengths, data = _cells(text)
    full = lengths > 0
    first, last = np.zeros(len(starts), np.uint8), np.zeros(len(starts), np.uint8)
    first[full] = data[starts[full]]
    last[full] = data[starts[full] + lengths[full] - 1]
    return first, last, lengths


def fixed_bytes(text: Text, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The bytes of every cell that is exactly `width` bytes long, as an (n, width) matrix (zeros in
    other rows), and the mask of those rows."""
    starts, lengths, data = _cells(text)
    sized = lengths == width
    matrix = np.zeros((len(starts), width), np.uint8)
    matrix[sized] = data[starts[sized, None] + np.arange(width)]
    return matrix, sized
