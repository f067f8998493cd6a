"""Layer 2, rules about what a model costs, when it lived and how other catalogues name it: model_prices,
model_lifecycle and the identifier tables. Registered in the same catalogue as validate.rules."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from ..arrowtext import arrow_text, as_bytes, filled, take
from ..problems import Problem
from . import keys
from .dated import before_at_precision, dates_at, first_dates, precision_ranks, row_keys, truncated_dates
from .rules import Context, good_standing, money_fields, rule

STAGES = ("preview", "generally_available", "deprecated", "retired")
# Each scheme's form: the schema's pattern admits every scheme, the rule checks the one the row names.
FORMS = {
    "wikidata": re.compile(r"Q[1-9][0-9]*"),
    "isin": re.compile(r"[A-Z]{2}[A-Z0-9]{9}[0-9]"),
    "lei": re.compile(r"[A-Z0-9]{18}[0-9]{2}"),
    "huggingface": re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?"),
    "github": re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9._-]+)?"),
}
# A repository (Org/Name) for a model, an organisation (no slash) for a company.
REPOSITORY = {"model_identifiers": True, "company_identifiers": False}


@rule("price-positive", "a price per million tokens is greater than zero (a free tier is not a price)")
def price_positive(ctx: Context) -> Iterator[Problem]:
    if not (found := ctx.get("model_prices")):
        return
    (t,) = found
    for name in money_fields(t):
        yield from t.problems_at(
            (t.data[name] <= 0).fillna(False), name, "price-positive", "a price must be greater than zero"
        )


@rule(
    "price-period",
    "a price's end_date is not before its effective_date, and no different price of its model, API id, tier and "
    "currency takes effect before that end_date (no overlapping periods)",
)
def price_period(ctx: Context) -> Iterator[Problem]:
    if not (found := ctx.get("model_prices")):
        return
    (t,) = found
    start, end = t.data["effective_date"], t.data["end_date"]
    before = (end < start).fillna(False)
    yield from t.problems_at(before, "end_date", "price-period", "end_date is before effective_date")
    # Only rows stating an end can overlap: each is compared with the other claims in good standing of its
    # series whose price differs (a later observation of the same price continues the period).
    good = good_standing(t)
    # A series is the fact key without the date: one model, API name, tier and currency.
    series_key = [k for k in t.schema.fact_key if k != "effective_date"]
    series, _ = pd.factorize(keys.combine([t.codes(k) for k in series_key]))
    frame = pd.DataFrame({"series": series, "start": start.to_numpy(), "end": end.to_numpy()})
    prices = money_fields(t)
    for name in prices:
        frame[name] = t.data[name].astype("Float64").to_numpy()
    frame = frame[good]
    ended = frame[frame["end"].notna()].reset_index(names="pos")
    pairs = ended.merge(frame.reset_index(names="other"), on="series", suffixes=("", "_next"))
    # A price that starts on the stated end day is a change within that day (DeepSeek's switch at 16:00 UTC).
    inside = (pairs["start_next"] > pairs["start"]) & (pairs["start_next"] < pairs["end"])
    differs = np.zeros(len(pairs), dtype=bool)
    for name in prices:
        a_, b_ = pairs[name], pairs[f"{name}_next"]
        differs |= (a_.notna() & b_.notna() & (a_ != b_)).to_numpy(dtype=bool)
    hits = pairs[inside.to_numpy(dtype=bool) & differs].sort_values(["pos", "start_next"]).drop_duplicates("pos")
    yield from t.located(
        (
            int(row.pos),
            "end_date",
            "price-period",
            f"another price of this model, API id, tier and currency takes effect on {row.start_next:%Y-%m-%d}, "
            "before this end_date: the periods overlap",
        )
        for row in hits.itertuples()
    )


@rule(
    "price-in-lifecycle",
    "a price takes effect on or after its model's release (or its API model's preview) and before the API model's "
    "retirement",
)
def price_in_lifecycle(ctx: Context) -> Iterator[Problem]:
    if not (found := ctx.get("model_prices", "model_releases")):
        return
    prices, releases = found
    start = prices.data["effective_date"].to_numpy(dtype="datetime64[ns]")
    zero = np.zeros(len(start), dtype=np.int64)
    released = first_dates(releases, "release_date", "date_precision", good_standing(releases), ["model_id"])
    bound, rank = dates_at(released, row_keys(prices, ["model_id"]))
    early = before_at_precision(start, zero, bound, rank)
    lifecycle = ctx.tables.get("model_lifecycle")
    if lifecycle is not None and early.any():
        # An API model in preview or generally available before the model's release date (a preview
        # priced ahead of the launch) has begun its life on that earlier date.
        began = good_standing(lifecycle) & lifecycle.raw["stage"].isin(["preview", "generally_available"]).to_numpy()
        opened = first_dates(lifecycle, "date", "date_precision", began, ["model_id", "api_model_id"])
        api_start, api_rank = dates_at(opened, row_keys(prices, ["model_id", "api_model_id"]))
        early &= np.isnat(api_start) | before_at_precision(start, zero, api_start, api_rank)
    yield from prices.problems_at(
        early,
        "effective_date",
        "price-in-lifecycle",
        "the price takes effect before the model's release_date in model_releases (and before any preview or "
        "general availability of its API model in model_lifecycle)",
    )
    if lifecycle is None:
        return
    retired_rows = good_standing(lifecycle) & lifecycle.raw["stage"].eq("retired").fillna(False).to_numpy()
    retired = first_dates(lifecycle, "date", "date_precision", retired_rows, ["model_id", "api_model_id"])
    end, end_rank = dates_at(retired, row_keys(prices, ["model_id", "api_model_id"]))
    # On or after the retirement day is too late: the API no longer serves the model. A retirement known
    # only to the month or year rules out only the prices of later months or years.
    late = np.zeros(len(start), dtype=bool)
    both = np.flatnonzero(~np.isnat(end) & ~np.isnat(start))
    if len(both):
        rank = end_rank[both]
        s_, e_ = truncated_dates(start[both], rank), truncated_dates(end[both], rank)
        late[both] = (s_ > e_) | ((s_ == e_) & (rank == 0))
    yield from prices.problems_at(
        late, "effective_date", "price-in-lifecycle", "the price takes effect on or after the API model's retirement"
    )


@rule("lifecycle-order", "an API model's stages come in order: preview, general availability, deprecation, retirement")
def lifecycle_order(ctx: Context) -> Iterator[Problem]:
    if not (found := ctx.get("model_lifecycle")):
        return
    (t,) = found
    good = good_standing(t)
    stage = t.raw["stage"].to_numpy(dtype=object)
    date = t.data["date"].to_numpy(dtype="datetime64[ns]")
    rank = precision_ranks(t, "date_precision")
    by = ["model_id", "api_model_id"]
    api = row_keys(t, by)
    # The earliest date of each stage per API model, each compared with the rows of every earlier stage.
    first = {s: dates_at(first_dates(t, "date", "date_precision", good & (stage == s), by), api) for s in STAGES[1:]}
    for i, earlier in enumerate(STAGES[:-1]):
        rows = good & (stage == earlier)
        for later in STAGES[i + 1 :]:
            bound, bound_rank = first[later]
            wrong = rows & before_at_precision(bound, bound_rank, date, rank)
            yield from t.problems_at(
                wrong,
                "date",
                "lifecycle-order",
                f"{earlier} is dated after this API model's {later} date",
            )


def _check_digits_ok(scheme: str, identifier: str) -> bool:
    """ISIN: the Luhn check over its letters as numbers (A=10 … Z=35); LEI: ISO 7064 mod 97-10."""
    if scheme not in ("isin", "lei"):
        return True
    digits = "".join(str(int(c, 36)) for c in identifier)
    if scheme == "isin":
        total = 0
        for i, d in enumerate(reversed(digits)):
            n = int(d) * (2 if i % 2 else 1)
            total += n // 10 + n % 10
        return total % 10 == 0
    return int(digits) % 97 == 1


@rule("identifier-form", "an identifier has its scheme's form (Q…, Org/Name, …) and an ISIN or LEI its check digits")
def identifier_form(ctx: Context) -> Iterator[Problem]:
    for name, repository in REPOSITORY.items():
        if (t := ctx.tables.get(name)) is None:
            continue
        scheme, ident = arrow_text(t.raw["scheme"]), arrow_text(t.raw["identifier"])
        present = filled(pc.is_valid(ident), False)
        found = []
        # Each scheme's rows at once, in Arrow; only the few ISINs and LEIs are read in Python, for their
        # check digits. A missing or unknown scheme is the schema's problem.
        for name_of_scheme, form in FORMS.items():
            rows = np.flatnonzero(present & filled(pc.equal(scheme, name_of_scheme), False))
            if not len(rows):
                continue
            idents = take(ident, rows)
            ok = filled(pc.match_substring_regex(idents, f"^(?:{form.pattern})$"), False)
            found += [(int(pos), f"not a {name_of_scheme} identifier") for pos in rows[~ok]]
            if name_of_scheme in ("huggingface", "github"):
                wrong = ok & (filled(pc.match_substring(idents, "/"), False) != repository)
                want = "a repository, Org/Name" if repository else "an organisation, without a /"
                message = f"a {name_of_scheme} identifier of a {name.split('_')[0]} is {want}"
                found += [(int(pos), message) for pos in rows[wrong]]
            elif name_of_scheme in ("isin", "lei"):
                formed = np.flatnonzero(ok)
                for pos, text in zip(rows[formed], take(idents, formed).to_pylist(), strict=True):
                    if not _check_digits_ok(name_of_scheme, text):
                        found.append((int(pos), f"the {name_of_scheme.upper()}'s check digits do not match"))
        yield from t.located((pos, "identifier", "identifier-form", message) for pos, message in found)


@rule("text-quoted", "an API model name or identifier a claim records is written in its evidence", per_table=True)
def text_quoted(ctx: Context) -> Iterator[Problem]:
    for t in ctx.tables.values():
        quoted = [f.name for f in t.schema.fields if f.quoted]
        if not quoted or "evidence" not in t.raw:
            continue
        # As bytes: UTF-8 text contains another exactly when its bytes do, and Python makes bytes from
        # arrow's cells without decoding them.
        evidence = as_bytes(arrow_text(t.raw["evidence"]))
        for name in quoted:
            value = as_bytes(arrow_text(t.raw[name]))
            # Arrow has no per-row test of one column's text in another's: the rows where both are present
            # are compared in Python, as written first, and only a value not found so in lower case.
            both = filled(pc.is_valid(value), False) & filled(pc.is_valid(evidence), False)
            rows = np.flatnonzero(both)
            if len(rows) == len(both):  # the usual case: no cell to leave out, so none is copied
                values, texts = value.to_pylist(), evidence.to_pylist()
            else:
                values, texts = take(value, rows).to_pylist(), take(evidence, rows).to_pylist()
            missing = [
                int(pos)
                for pos, v, e in zip(rows, values, texts, strict=True)
                if v not in e and v.decode().lower() not in e.decode().lower()
            ]
            yield from t.located(
                (pos, name, "text-quoted", f"{name} is not written in evidence: quote the words that name it")
                for pos in missing
            )
