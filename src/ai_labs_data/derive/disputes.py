"""disputes: every (fact, field) on which claims in good standing disagree, with every value, its source
and tier, the spread, and the value the resolved view shows.

What counts as disagreeing:
- a date known only to a month or a year disagrees only with a date outside that month or year;
- a number given to two or more significant digits stands for what rounds to it (3808500000 agrees with
  3808510000; 20 billion does not agree with 30 billion);
- a number given as a bound ("more than", "up to") or an estimate ("about", within 10%) disagrees only
  with a number it cannot be;
- money is compared in one currency: native when the claims share it, else in US dollars at the ECB
  rate of the fact's date, within 5% (a source's own conversion used another day's rate); pre-money,
  post-money and an unqualified valuation are separate fields and never compared with each other;
- any other value (a licence, a round type, a boolean) disagrees when it differs.
Deprecated claims are left out: they are on record as wrong, not as a competing view.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from ..quotes import significant
from ..resolve import Resolution, field_groups
from ..tableschema import TableSchema, format_cell
from ..types import TYPES
from .fx import Rates

# Values that say the source does not know: they state nothing to disagree with.
UNSTATED = {"unknown", "series_unknown", "undisclosed"}
# A status changes as a deal or a company moves on (announced, then closed; private, then public): claims
# of different dates differ without disagreeing, and resolution shows the newest.
NOT_COMPARED = {"status"}
ESTIMATE = 0.10  # an "about" figure stands for anything within 10%
FX_TOLERANCE = 0.05  # two currencies converted at one day's rate agree within 5%
PRECISION_END = {"month": pd.offsets.MonthEnd(0), "year": pd.offsets.YearEnd(0)}


def qualifiers(schema: TableSchema) -> set[str]:
    """Fields that qualify another field's value (its precision or basis), not values of their own."""
    named = {q for f in schema.fields for q in f.resolved_with}
    return {n for n in schema.value_fields if n in named or n.endswith("_precision") or n.endswith("basis")}


def compared_fields(schema: TableSchema) -> list[str]:
    """The value fields whose claims can disagree: dates, numbers, booleans and coded text (an enum or a
    pattern); not free text (a name, a round label), not qualifiers, units or web addresses."""
    units = {f.unit for f in schema.fields if f.unit}
    skip = qualifiers(schema) | units
    out = []
    for f in schema.fields:
        if f.name not in schema.value_fields or f.name in skip | NOT_COMPARED or f.format == "uri":
            continue
        coded = f.enum is not None or "pattern" in f.constraints
        if f.type != "string" or coded:
            out.append(f.name)
    return out


def _companion(schema: TableSchema, field: str, suffix: str) -> str | None:
    group = next(g for g in field_groups(schema) if field in g)
    return next((n for n in group if n.endswith(suffix) and n != field), None)


def _fact_dates(schema: TableSchema, facts: Resolution) -> pd.Series | None:
    """Each fact's date, at whose rate money in two currencies is compared: the last date of its key
    (a market cap's day, a period's end), else its first resolved date (a round's announcement)."""
    in_key = [n for n in schema.fact_key if schema.field(n).type == "date"]
    dated = in_key[-1:] or [f.name for f in schema.fields if f.type == "date"][:1]
    return facts.facts[dated[0]] if dated else None


def _rounding(values: np.ndarray) -> np.ndarray:
    """Half a unit of each value's last significant digit when it has two or more (38.085亿 stands for
    anything from 3,808,450,000 to 3,808,550,000), else 0: "$30 billion" is not read as 25 to 35."""
    half = np.zeros(len(values))
    for i, v in enumerate(values):
        if not np.isfinite(v) or v == 0:
            continue
        digits = significant(Decimal(repr(float(v))))
        if len(digits) >= 2:
            exponent = Decimal(repr(abs(float(v)))).normalize().as_tuple().exponent
            half[i] = 0.5 * 10.0 ** int(exponent) * (1 - 1e-9)
    return half


def _bounds(values: np.ndarray, basis: pd.Series | None) -> tuple[np.ndarray, np.ndarray]:
    half = _rounding(values)
    lo, hi = values - half, values + half
    if basis is None:
        return lo, hi
    b = basis.astype(object).to_numpy()
    est = b == "estimate"
    lo[est], hi[est] = values[est] * (1 - ESTIMATE), values[est] * (1 + ESTIMATE)
    hi[b == "at_least"] = np.inf
    lo[b == "at_most"] = 0
    return lo, hi


def _label(values: pd.Series, field, unit: pd.Series | None, basis: pd.Series | None) -> pd.Series:
    text = pd.Series([format_cell(v, field) for v in values.to_numpy()], index=values.index)
    if unit is not None:
        text = text + " " + unit.astype(object).fillna("").astype(str)
    if basis is not None:
        shown = basis.astype(object).where(basis.astype(object).ne("reported"))
        text = text + shown.map(lambda b: f" ({b})" if isinstance(b, str) else "")
    return text


def _disagreeing(
    stated: pd.DataFrame, schema: TableSchema, field: str, dates: pd.Series | None, rates: Rates
) -> tuple[pd.DataFrame, pd.Series]:
    """Per fact with two or more claims stating `field` and disagreeing: the comparison's currency, min,
    max and spread. Also the labels of every stated value."""
    f = schema.field(field)
    unit = stated[f.unit] if f.unit else None
    basis_field = _companion(schema, field, "basis")
    basis = stated[basis_field] if basis_field else None
    labels = _label(stated[field], f, unit, basis)
    facts = stated["_fact"]
    if f.type == "date":
        start = stated[field]
        precision_field = _companion(schema, field, "_precision")
        end = start.copy()
        if precision_field:
            for p, offset in PRECISION_END.items():
                at = stated[precision_field].astype(object).eq(p).to_numpy()
                end[at] = start[at] + offset
        span = pd.DataFrame({"_fact": facts, "lo": start, "hi": end}).groupby("_fact")
        bad = span["lo"].max() > span["hi"].min()
        return pd.DataFrame({"compared_in": None, "min_value": None, "max_value": None}, index=bad[bad].index), labels
    if TYPES[f.type].numeric:
        values = stated[field].to_numpy(dtype=float, na_value=np.nan)
        currency = pd.Series(None, index=stated.index, dtype=object)
        tolerance = np.zeros(len(stated))
        if unit is not None:
            units = unit.astype(object)
            mixed = units.groupby(facts.to_numpy()).transform("nunique").to_numpy() > 1
            currency = units.copy()
            if mixed.any() and dates is not None:
                when = facts[mixed].map(dates)
                conv = rates.on_each(units[mixed], when)
                values[mixed] = values[mixed] * conv["usd_per_unit"].to_numpy(dtype=float, na_value=np.nan)
                currency[mixed] = "USD"
                tolerance[mixed] = FX_TOLERANCE
        lo, hi = _bounds(values, basis)
        lo, hi = lo * (1 - tolerance), hi * (1 + tolerance)
        frame = pd.DataFrame({"_fact": facts, "lo": lo, "hi": hi, "v": values, "cur": currency})
        frame = frame.dropna(subset=["v"])  # a value that could not be converted is not compared
        g = frame.groupby("_fact")
        bad = (g["lo"].max() > g["hi"].min()) & (g.size() > 1)
        bad = bad[bad].index
        out = pd.DataFrame({"compared_in": g["cur"].first(), "min_value": g["v"].min(), "max_value": g["v"].max()}).loc[
            bad
        ]
        return out, labels
    distinct = stated.groupby("_fact")[field].nunique()
    bad = distinct[distinct > 1].index
    return pd.DataFrame({"compared_in": None, "min_value": None, "max_value": None}, index=bad), labels


def table_disputes(name: str, schema: TableSchema, facts: Resolution, rates: Rates) -> pd.DataFrame:
    order = facts.ranked  # the ranking the resolution used: best claim first
    dates = _fact_dates(schema, facts)
    parts = []
    for field in compared_fields(schema):
        stated = order[order[field].notna()]
        if schema.field(field).enum is not None:
            stated = stated[~stated[field].astype(object).isin(UNSTATED).to_numpy()]
        if stated.empty:
            continue
        several = stated.groupby("_fact")["_fact"].transform("size") > 1
        stated = stated[several.to_numpy()]
        if stated.empty:
            continue
        found, labels = _disagreeing(stated, schema, field, dates, rates)
        if found.empty:
            continue
        chosen = stated[stated["_fact"].isin(found.index)]
        # Each value after its source, so that no cell begins with a minus sign (a spreadsheet formula).
        text = chosen["_source"] + " (tier " + chosen["_tier"].astype(str) + "): " + labels.loc[chosen.index]
        listed = text.groupby(chosen["_fact"].to_numpy(), sort=False).agg("; ".join)
        shown = facts.facts[field].iloc[found.index]
        f = schema.field(field)
        parts.append(
            pd.DataFrame(
                {
                    "table": name,
                    "fact_key": facts.fact_key.iloc[found.index].to_numpy(),
                    "field": field,
                    "claims": chosen.groupby("_fact").size().loc[found.index].to_numpy(),
                    "values": listed.loc[found.index].to_numpy(),
                    "compared_in": found["compared_in"].to_numpy(),
                    "min_value": found["min_value"].to_numpy(dtype=float),
                    "max_value": found["max_value"].to_numpy(dtype=float),
                    "shown_value": [format_cell(v, f) or None for v in shown.to_numpy()],
                    "shown_source_id": facts.sources[field].iloc[found.index].to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def build_disputes(schemas: dict[str, TableSchema], facts: dict[str, Resolution], rates: Rates) -> pd.DataFrame:
    frames = [table_disputes(name, schemas[name], facts[name], rates) for name in facts]
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else None
    if frame is None:
        return pd.DataFrame()
    lo, hi = frame["min_value"], frame["max_value"]
    frame["spread_percent"] = (100 * (hi - lo) / lo.abs()).where(lo.ne(0)).round(2)
    return frame  # columns and row order come from the table's schema (Inputs.table_file)
