"""Helpers shared by the derived tables: fact keys and the preferred claim of each fact."""

from __future__ import annotations

import pandas as pd


def preferred(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["preferred"].fillna(False).astype(bool)].reset_index(drop=True)


def key_text(frame: pd.DataFrame, key: list[str]) -> pd.Series:
    """A fact key as one string, dates as YYYY-MM-DD, parts joined by |."""
    parts = []
    for k in key:
        col = frame[k]
        parts.append(col.dt.strftime("%Y-%m-%d") if pd.api.types.is_datetime64_any_dtype(col) else col.astype("string"))
    out = parts[0].astype("string")
    for p in parts[1:]:
        out = out + "|" + p.astype("string")
    return out


def usd(amount: object, rate: float | None) -> int | None:
    """A native amount in whole US dollars (round half to even), or None without a rate."""
    if rate is None or amount is None or pd.isna(amount):
        return None
    return round(float(amount) * rate)


PRECISION_RANK = {"day": 0, "month": 1, "year": 2}


def fact_dates(claims: pd.DataFrame, key: str, date_field: str) -> pd.DataFrame:
    """Each fact's date: the preferred claim's if it states one, else the most precise and earliest
    that any claim states. Returns the date and the source that states it, indexed by `key`."""
    dated = claims.dropna(subset=[date_field])
    precision = (
        dated["date_precision"].astype(object) if "date_precision" in dated else pd.Series("day", index=dated.index)
    )
    dated = dated.assign(
        _not_preferred=~dated["preferred"].fillna(False).astype(bool),
        _precision=precision.map(PRECISION_RANK).fillna(0),
    )
    dated = dated.sort_values([key, "_not_preferred", "_precision", date_field, "source_id"])
    first = dated.drop_duplicates(key).set_index(key)
    return first[[date_field, "source_id"]].rename(columns={date_field: "date", "source_id": "date_source_id"})


def resolved(claims: pd.DataFrame, key: str, field: str) -> pd.Series:
    """Each fact's value of `field`: the preferred claim's if it states one, else the first other claim's
    that does (claims in source_id order). Indexed by `key`."""
    stated = claims.dropna(subset=[field])
    stated = stated.assign(_not_preferred=~stated["preferred"].fillna(False).astype(bool))
    stated = stated.sort_values([key, "_not_preferred", "source_id"]).drop_duplicates(key)
    return stated.set_index(key)[field]


def releases_resolved(releases: pd.DataFrame) -> pd.DataFrame:
    """One row per model: the preferred claim, with its release date and open_weights completed from the
    other claims when it does not state them (see fact_dates and resolved)."""
    models = preferred(releases)
    dates = fact_dates(releases, "model_id", "release_date")["date"]
    weights = resolved(releases, "model_id", "open_weights")
    return models.assign(
        release_date=models["model_id"].map(dates).astype("datetime64[ns]"),
        open_weights=models["model_id"].map(weights).astype("boolean"),
    )
