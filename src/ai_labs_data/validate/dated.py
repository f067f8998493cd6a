"""Dates compared at their precision, for the rules about the order of events (a founding, a release, a
price, an API model's stages): a date known only to the month or the year is before another only when
its month or year is, and each fact's earliest date in good standing is the bound others are held to."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..arrowtext import arrow_text, filled
from ..resolve import PRECISION_RANK, key_text
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
    """Rank of each row's date precision (day 0, month 1, year 2; missing counts as day)."""
    if precision_field is None:
        return np.zeros(len(table.data), dtype=np.int64)
    names = pa.array(list(PRECISION_RANK), type=pa.string())
    text = arrow_text(table.raw[precision_field])
    rank_of = np.array(list(PRECISION_RANK.values()), dtype=np.int64)
    return keys.spread(rank_of, filled(pc.index_in(text, value_set=names.cast(text.type)), -1), 0)


def first_dates(table: Table, date_field: str, precision: str | None, rows: np.ndarray, by: list[str]) -> pd.DataFrame:
    """The earliest `date_field` in good standing per `by` key (as text joined by |), with its precision rank."""
    frame = pd.DataFrame({"key": row_keys(table, by)[rows], "date": table.data[date_field].to_numpy()[rows]})
    frame["rank"] = precision_ranks(table, precision)[rows]
    frame = frame.dropna(subset=["date"]).sort_values(["key", "date", "rank"])
    return frame.drop_duplicates("key").set_index("key")


def dates_at(dates: pd.DataFrame, keys_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The date and precision rank of each key in `dates` (from `first_dates`): NaT and 0 where absent."""
    found = dates.reindex(keys_)
    date = pd.to_datetime(found["date"]).to_numpy(dtype="datetime64[ns]")
    return date, found["rank"].fillna(0).astype(int).to_numpy()


def row_keys(table: Table, fields: list[str]) -> np.ndarray:
    """Each row's values of `fields` as one text key (see resolve.key_text)."""
    return key_text(table.raw, fields).to_numpy(dtype=object)


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
