"""Dates compared at their precision, for the rules about the order of events (a founding, a release, a
price, an API model's stages): a date known only to the month or the year is before another only when
its month or year is, and each fact's earliest date in good standing is the bound others are held to."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..arrowtext import Text, arrow_text, filled, take
from ..resolve import PRECISION_RANK
from . import keys
from .tables import Table


def truncated_dates(dates: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """datetime64 dates as yyyymmdd integers with the parts finer than each row's precision rank zeroed."""
    months = dates.astype("datetime64[M]")
    y = months.astype("datetime64[Y]").astype(np.int64) + 1970
    m = months.astype(np.int64) % 12 + 1
    d = (dates.astype("datetime64[D]") - months.astype("datetime64[D]")).astype(np.int64) + 1
    return y * 10000 + np.where(rank >= 2, 0, m) * 100 + np.where(rank >= 1, 0, d)


def precision_ranks(table: Table, precision_field: str | None) -> np.ndarray:
    """Rank of each row's date precision (day 0, month 1, year 2; missing counts as day). Computed once
    per table and field, read-only: the rules about the order of dates each ask for it several times."""
    if precision_field is None:
        return np.zeros(len(table.data), dtype=np.int64)

    def compute() -> np.ndarray:
        names = pa.array(list(PRECISION_RANK), type=pa.string())
        text = arrow_text(table.raw[precision_field])
        rank_of = np.array(list(PRECISION_RANK.values()), dtype=np.int64)
        ranks = keys.spread(rank_of, filled(pc.index_in(text, value_set=names.cast(text.type)), -1), 0)
        ranks.setflags(write=False)
        return ranks

    return table.cached(("precision ranks", precision_field), compute)


class FirstDates(NamedTuple):
    """Per distinct key, the earliest date in good standing and its precision rank (see `first_dates`)."""

    keys: pa.Array  # distinct keys as text (see `row_keys`)
    date: np.ndarray  # datetime64[ns], of keys[i]
    rank: np.ndarray  # precision rank of that date

    def at(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The date and rank at each position in `keys`: NaT and 0 at -1 (a key not among them)."""
        if not len(self.keys):
            return np.full(len(positions), np.datetime64("NaT", "ns")), np.zeros(len(positions), dtype=np.int64)
        found = positions >= 0
        taken = np.maximum(positions, 0)
        return np.where(found, self.date[taken], np.datetime64("NaT", "ns")), np.where(found, self.rank[taken], 0)


def first_dates(table: Table, date_field: str, precision: str | None, rows: np.ndarray, by: list[str]) -> FirstDates:
    """The earliest `date_field` per `by` key among `rows` (a mask, the rows in good standing) with a date;
    of two on the same day, the finer precision."""
    date = table.data[date_field].to_numpy(dtype="datetime64[ns]")
    picked = np.flatnonzero(rows & ~np.isnat(date))
    encoded = pc.dictionary_encode(take(row_keys(table, by), picked))
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    date, rank = date[picked], precision_ranks(table, precision)[picked]
    order = np.lexsort((rank, date, codes))  # by key, then date, then rank: the first of each key wins
    first = order[np.concatenate(([True], codes[order][1:] != codes[order][:-1]))] if len(order) else order
    # The keys sorted by code: the first row of code k is the k-th, so they line up with the dictionary.
    return FirstDates(encoded.dictionary, date[first], rank[first])


def dates_at(dates: FirstDates, keys_: Text) -> tuple[np.ndarray, np.ndarray]:
    """The date and precision rank of each key in `dates` (from `first_dates`): NaT and 0 where absent."""
    return dates.at(filled(pc.index_in(keys_, value_set=dates.keys.cast(keys_.type)), -1))


def row_keys(table: Table, fields: list[str]) -> Text:
    """Each row's values of text `fields` as one text key, joined by | (a missing part empty), as
    resolve.key_text writes a fact key. Computed once per table and fields (see `precision_ranks`)."""

    def compute() -> Text:
        parts = [pc.fill_null(arrow_text(table.raw[f]), "") for f in fields]
        return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "|")

    return table.cached(("row keys", tuple(fields)), compute)


def before_at_precision(
    event: np.ndarray, event_rank: np.ndarray, bound: np.ndarray, bound_rank: np.ndarray
) -> np.ndarray:
    """event < bound for datetime64 arrays, compared at the coarser of the two precision ranks (see
    `precision_ranks`); NaT on either side is never before."""
    # Truncating both dates to the coarser precision never turns "on or after" into "before", so only the
    # rows before day by day (NaT compares false) need the truncated test.
    early = np.flatnonzero(event < bound)
    out = np.zeros(len(event), dtype=bool)
    if len(early):
        rank = np.maximum(event_rank[early], bound_rank[early])
        out[early] = truncated_dates(event[early], rank) < truncated_dates(bound[early], rank)
    return out
