"""Text columns as arrow buffers. The validator's per-cell tests that only need a few bytes of each
cell (its first and last byte, or the ten bytes of a date) read them straight from arrow's offsets and
data buffers with numpy, instead of slicing or parsing a million strings."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

Text = pa.Array | pa.ChunkedArray
# Arrow types as the pandas dtypes of the frames read from CSV: nullable numbers and booleans, and text
# kept as arrow's own type. A CSV is parsed into arrow strings, whose 4-byte offsets take half the memory
# of the 8-byte ones of pandas' string dtype (large_string), and handing them over copies nothing: at a
# million rows the offsets are a quarter of the validator's memory. The loaders give users pandas'
# string dtype (USER_TEXT).
PANDAS_TYPES = {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype()}
PANDAS_TYPES |= {t: pd.ArrowDtype(t) for t in (pa.string(), pa.large_string())}
USER_TEXT = pd.StringDtype("pyarrow")
# The most bytes one string array can address with its 4-byte offsets.
STRING_BYTES = 2**31 - 1


def arrow_text(values: pd.Series) -> Text:
    """A text column as arrow strings; no copy when pandas already holds it in arrow."""
    if isinstance(values.dtype, (pd.ArrowDtype, pd.StringDtype)) and hasattr(values.array, "__arrow_array__"):
        return pa.array(values.array)
    return pa.array(values.astype(object), type=pa.string(), from_pandas=True)


def as_bytes(text: Text) -> Text:
    """The cells as binary: their UTF-8 bytes, sharing the column's buffers. Python makes `bytes` of
    them without decoding."""
    return text.cast(pa.large_binary() if pa.types.is_large_string(text.type) else pa.binary())


def joined(text: Text) -> pa.Array:
    """A text column as one array: its chunks joined, as large_string if their bytes are more than
    one string array can hold."""
    if isinstance(text, pa.Array):
        return text
    if pa.types.is_string(text.type) and sum(_data_size(chunk) for chunk in text.chunks) > STRING_BYTES:
        text = text.cast(pa.large_string())
    return text.combine_chunks()


def _data_size(chunk: pa.Array) -> int:
    data = chunk.buffers()[-1]
    return 0 if data is None else data.size


def filled(values: Text, fill: object) -> np.ndarray:
    """An arrow compute result as a numpy array, its missing entries replaced by `fill` (False for a
    mask, True for a check that missing cells pass, -1 for a position not found)."""
    values = pc.fill_null(values, fill)
    if pa.types.is_boolean(values.type):
        return _bools(values)
    return values.to_numpy(zero_copy_only=False)


def _bools(mask: Text) -> np.ndarray:
    """A boolean array with no missing entry as numpy: its bitmaps unpacked in one vectorised step each,
    five times faster than arrow's conversion, which reads the bits one by one."""
    parts = []
    for chunk in mask.chunks if isinstance(mask, pa.ChunkedArray) else [mask]:
        if len(chunk):  # an empty chunk may have no bitmap at all
            bits = np.frombuffer(chunk.buffers()[1], dtype=np.uint8)
            parts.append(np.unpackbits(bits, count=chunk.offset + len(chunk), bitorder="little")[chunk.offset :])
    if not parts:
        return np.zeros(0, dtype=bool)
    return (parts[0] if len(parts) == 1 else np.concatenate(parts)).view(bool)


def take(text: Text, positions: np.ndarray) -> pa.Array:
    """The cells at `positions`, in that order, taken chunk by chunk: arrow's take on a chunked array
    first joins all its chunks, a copy of the whole column to fetch a few cells."""
    positions = np.asarray(positions, dtype=np.int64)
    if isinstance(text, pa.Array) or text.num_chunks == 1:
        return pc.take(text if isinstance(text, pa.Array) else text.chunk(0), positions)
    bounds = np.cumsum([0] + [len(chunk) for chunk in text.chunks])
    chunk_of = np.searchsorted(bounds, positions, side="right") - 1
    order = np.argsort(chunk_of, kind="stable")
    grouped, group_chunk = positions[order], chunk_of[order]
    parts = [pc.take(text.chunk(k), grouped[group_chunk == k] - bounds[k]) for k in np.unique(chunk_of)]
    joined = pa.concat_arrays(parts) if parts else pa.array([], type=text.type)
    return joined.take(np.argsort(order))


def with_nulls(text: Text, null: np.ndarray) -> Text:
    """`text` with the cells where `null` is True made missing, sharing its offsets and bytes: only a
    validity bitmap is new. (arrow's if_else would copy every byte of the column to do the same.)"""
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    out, base = [], 0
    for chunk in chunks:
        keep = ~null[base : base + len(chunk)]
        if chunk.null_count:
            keep &= chunk.is_valid().to_numpy(zero_copy_only=False)
        # A bitmap starts at the chunk's own offset: pad that many bits before the first cell's.
        bits = np.packbits(np.concatenate([np.zeros(chunk.offset, bool), keep]), bitorder="little")
        _, offsets, data = chunk.buffers()
        nulls = len(keep) - int(np.count_nonzero(keep))
        out.append(
            pa.Array.from_buffers(chunk.type, len(chunk), [pa.py_buffer(bits), offsets, data], nulls, chunk.offset)
        )
        base += len(chunk)
    return pa.chunked_array(out, type=text.type) if isinstance(text, pa.ChunkedArray) else out[0]


def _chunk_cells(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start offset, byte length, data) of every cell of one chunk; a missing cell has length 0."""
    _, offset_buffer, data_buffer = chunk.buffers()
    if offset_buffer is None or len(chunk) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.uint8)
    large = pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type)
    offsets = np.frombuffer(offset_buffer, dtype=np.int64 if large else np.int32)
    offsets = offsets[chunk.offset : chunk.offset + len(chunk) + 1].astype(np.int64, copy=False)
    length = np.diff(offsets)
    if chunk.null_count:  # a null slot may still span bytes
        length[pc.is_null(chunk).to_numpy(zero_copy_only=False)] = 0
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, np.uint8)
    return offsets[:-1], length, data


def chunk_bytes(text: Text) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """For each chunk that holds any text: (position of its first cell, each cell's start offset and byte
    length, the bytes its cells span), the offsets counted from the first of those bytes. The chunks'
    UTF-8 bytes are read in place, for scans of a whole column's text without decoding it."""
    base = 0
    for chunk in text.chunks if isinstance(text, pa.ChunkedArray) else [text]:
        starts, lengths, data = _chunk_cells(chunk)
        if len(starts) and len(data):
            lo = int(starts[0])
            yield base, starts - lo, lengths, data[lo : int(starts[-1] + lengths[-1])]
        base += len(chunk)


def byte_positions(data: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Positions of the bytes of `data` whose value `wanted` (a mask of 256) marks, in order. Looking
    every byte up in the mask costs four times a comparison: the bytes are first narrowed by a single
    comparison to the smallest range of byte values (wrapping past 0xFF) holding every marked one, and
    only the bytes in that range are looked up."""
    marked = np.flatnonzero(wanted)
    if len(marked) == 0:
        return np.zeros(0, dtype=np.int64)
    gaps = np.diff(np.append(marked, marked[0] + 256))  # the widest run of unmarked values is left out
    widest = int(np.argmax(gaps))
    low = int(marked[(widest + 1) % len(marked)])
    width = (int(marked[widest]) - low) % 256
    near = np.flatnonzero((data - np.uint8(low)) <= np.uint8(width))  # uint8 arithmetic wraps
    return near[wanted[data[near]]]


def _per_chunk(text: Text, extract: Callable[[np.ndarray, np.ndarray, np.ndarray], tuple]) -> tuple:
    """`extract` applied to each chunk's cells, its results joined along the rows: the chunks' data
    buffers are read in place, never concatenated."""
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    parts = [extract(*_chunk_cells(chunk)) for chunk in chunks] or [extract(*_chunk_cells(pa.array([], pa.string())))]
    if len(parts) == 1:
        return parts[0]
    return tuple(np.concatenate([part[i] for part in parts], axis=-1) for i in range(len(parts[0])))


def _edges(starts: np.ndarray, lengths: np.ndarray, data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    present = lengths > 0
    if len(data) == 0:
        return np.zeros(len(starts), np.uint8), np.zeros(len(starts), np.uint8), present
    # An empty cell may start past the end of the data, and its "last byte" belongs to the cell
    # before: read in-bounds bytes for all, then zero those of the empty cells.
    first = data[np.minimum(starts, len(data) - 1)]
    last = data[starts + lengths - 1]
    if not present.all():
        first[~present] = 0
        last[~present] = 0
    return first, last, present


def edge_bytes(text: Text) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First byte, last byte (zeros for an empty or missing cell) and the mask of non-empty cells."""
    return _per_chunk(text, _edges)


def fixed_bytes(text: Text, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The bytes of every cell that is exactly `width` bytes long, as a (width, n) array: row k holds
    byte k of each cell (zeros for cells of another length); and the mask of those cells."""

    def extract(starts: np.ndarray, lengths: np.ndarray, data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sized = lengths == width
        matrix = np.zeros((width, len(starts)), np.uint8)
        if not sized.any():
            return matrix, sized
        base = starts if sized.all() else np.where(sized, starts, starts[sized][0])  # any in-bounds cell
        for k in range(width):  # one gather per byte position: no (n, width) index array
            matrix[k] = data[base + k]
        if not sized.all():
            matrix[:, ~sized] = 0
        return matrix, sized

    return _per_chunk(text, extract)
