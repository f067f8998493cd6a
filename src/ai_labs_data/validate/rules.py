"""Layer 2, rules: what a Table Schema cannot say, across columns and across tables.

Each rule is a function of the typed tables that returns located problems; `RULES` lists them with
the one-line description that CONTRIBUTING and `ai-labs-data validate --list-rules` show.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..arrowtext import arrow_text, byte_positions, chunk_bytes, edge_bytes, filled, take
from ..problems import Problem
from ..quotes import MAX_EXCERPT, SEPARATOR, numbers_stated, states_number
from ..tableschema import ForeignKey
from ..types import TYPES
from . import keys
from .dated import before_at_precision, first_dates, precision_ranks
from .tables import Table, member, references

PLAIN_NUMBER = r"^-[0-9]+(\.[0-9]+)?$"
MONEY_METRICS = {
    "revenue",
    "gross_profit",
    "operating_income",
    "net_income",
    "adjusted_net_income",
    "rd_expense",
    "compute_spend",
    "operating_cash_flow",
    "cash",
    "annualized_revenue",
}
PERCENT_METRICS = {"gross_margin", "operating_margin", "overseas_revenue_share"}
COUNT_METRICS = {"paying_users", "monthly_active_users", "employees"}
VALUATION_TOLERANCE = 0.01
# Event dates checked against founding and the cut-off: table -> (date field, precision field or None).
EVENT_DATES = {
    "funding_rounds": ("announced_date", "date_precision"),
    "listings": ("listing_date", None),
    "model_releases": ("release_date", "date_precision"),
    "market_caps": ("date", None),
    "financials": ("period_end", "date_precision"),
}
# Dates that carry a date_precision: the founding date, and every event date with a precision field.
DATED_WITH_PRECISION = (
    ("companies", "founded_date"),
    *((name, date_field) for name, (date_field, precision) in EVENT_DATES.items() if precision),
    ("model_lifecycle", "date"),
)


@dataclass
class Context:
    tables: dict[str, Table]
    cutoff: pd.Timestamp | None

    def get(self, *names: str) -> list[Table] | None:
        """The named tables, or None when one could not be read (its own problems say why)."""
        found = [self.tables.get(n) for n in names]
        return None if any(t is None for t in found) else found  # type: ignore[return-value]


Rule = Callable[[Context], Iterator[Problem]]
RULES: dict[str, tuple[str, Rule]] = {}
# Rules that look at each table on its own, given that table alone and no cut-off: they run in the
# table's own reading job, right after its structure is checked (see `table_rules`).
PER_TABLE: list[str] = []
# The fields that only per-table rules read: once those ran, a table lets go of them. Evidence, and each
# source's title, url and publisher, are half of the package's text; the tables read after them need the
# room more. (A rule across tables that read one would fail, "rule could not run", on every package.)
TABLE_RULE_FIELDS = ("evidence", "title", "url", "publisher")


def rule(name: str, description: str, per_table: bool = False) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[name] = (description, fn)
        if per_table:
            PER_TABLE.append(name)
        return fn

    return register


def fact_codes(table: Table) -> np.ndarray:
    """An integer per row naming its fact (rows with equal fact keys share it); computed once per table."""

    def compute() -> np.ndarray:
        parts = [table.codes(k) for k in table.schema.fact_key]
        if len(parts) == 1 and (parts[0] != keys.MISSING).all():
            return parts[0]  # a single field's codes are dense already
        codes, _ = pd.factorize(keys.combine(parts))
        return codes  # dense, for bincount

    return table.cached("fact_codes", compute)


def good_standing(table: Table) -> np.ndarray:
    """Rows that are claims in good standing: no deprecation_reason."""
    if "deprecation_reason" not in table.raw:
        return np.ones(len(table.raw), dtype=bool)
    return table.raw["deprecation_reason"].isna().to_numpy()


def preferred_in_good_standing(table: Table) -> np.ndarray:
    """Rows marked preferred that are claims in good standing: the ones that count as a fact's tie-break."""
    return table.data["preferred"].fillna(False).to_numpy(dtype=bool) & good_standing(table)


@rule("one-preferred", "exactly one claim in good standing per fact key has preferred=true")
def one_preferred(ctx: Context) -> Iterator[Problem]:
    for table in ctx.tables.values():
        if not table.schema.is_claims:
            continue
        key = table.schema.fact_key
        good = good_standing(table)
        preferred = preferred_in_good_standing(table)
        codes = fact_codes(table)
        counts = np.bincount(codes, weights=preferred.astype(float))[codes]
        label = "+".join(key)
        yield from table.problems_at(
            (counts == 0) & good,
            "preferred",
            "one-preferred",
            f"no claim for this {label} is preferred; mark exactly one row in good standing preferred=true",
        )
        yield from table.problems_at(
            (counts > 1) & preferred,
            "preferred",
            "one-preferred",
            f"several claims for this {label} are preferred; mark exactly one",
        )


@rule(
    "fact-complete", "every fact has, from one of its claims in good standing, each field its schema marks factRequired"
)
def fact_complete(ctx: Context) -> Iterator[Problem]:
    for table in ctx.tables.values():
        needed = [f.name for f in table.schema.fields if f.fact_required]
        if not table.schema.is_claims or not needed:
            continue
        codes = fact_codes(table)
        good = good_standing(table)
        # Reported once per fact, at its preferred claim (else its first claim) in good standing.
        preferred = preferred_in_good_standing(table)
        anchor = np.full(int(codes.max(initial=-1)) + 1, -1)
        for rows in (np.flatnonzero(good)[::-1], np.flatnonzero(preferred)[::-1]):
            anchor[codes[rows]] = rows
        for name in needed:
            stated = table.data[name].notna().to_numpy() & good
            has = np.bincount(codes[stated], minlength=len(anchor)) > 0
            where = anchor[(~has) & (anchor >= 0)]
            mask = np.zeros(len(codes), dtype=bool)
            mask[where] = True
            message = f"no claim in good standing states {name} for this fact: every fact needs one"
            yield from table.problems_at(mask, name, "fact-complete", message)


@rule("deprecated", "a deprecated claim (deprecation_reason given) is not preferred")
def deprecated(ctx: Context) -> Iterator[Problem]:
    for table in ctx.tables.values():
        if not table.schema.is_claims or "deprecation_reason" not in table.raw:
            continue
        preferred = table.data["preferred"].fillna(False).to_numpy(dtype=bool)
        yield from table.problems_at(
            preferred & ~good_standing(table),
            "preferred",
            "deprecated",
            "a deprecated claim never supplies a value: set preferred=false and prefer a claim in good standing",
        )


@rule("valuation-sum", "pre_money_valuation + amount = post_money_valuation within 1% when all three are given")
def valuation_sum(ctx: Context) -> Iterator[Problem]:
    if not (found := ctx.get("funding_rounds")):
        return
    (t,) = found
    pre, amount, post = (
        t.data[c].to_numpy(dtype=float, na_value=np.nan)
        for c in ("pre_money_valuation", "amount", "post_money_valuation")
    )
    with np.errstate(invalid="ignore"):  # a missing value (NaN) compares False: nothing to check
        off = np.abs(pre + amount - post) > VALUATION_TOLERANCE * post
    yield from t.located(
        (
            int(pos),
            "post_money_valuation",
            "valuation-sum",
            f"pre-money {int(pre[pos])} + amount {int(amount[pos])} differs from post-money by more than 1%",
        )
        for pos in np.flatnonzero(off)
    )


@rule("period-order", "period_start is on or before period_end")
def period_order(ctx: Context) -> Iterator[Problem]:
    if not (found := ctx.get("financials")):
        return
    (t,) = found
    late = (t.data["period_start"] > t.data["period_end"]).fillna(False)
    yield from t.problems_at(late, "period_start", "period-order", "period_start is after period_end")


def key_positions(keys_: pa.Array | pa.ChunkedArray, table: Table, field: str) -> np.ndarray:
    """For each row of `table`, the position in `keys_` of its `field` value (the first, if repeated);
    -1 for a missing or unknown value. Each distinct value is looked up once, through the column's
    cached key encoding."""
    codes, distinct = table.encoded(field)
    return keys.spread(filled(pc.index_in(distinct, value_set=keys_.cast(distinct.type)), -1), codes, -1)


def lookup(values: pd.Series, table: Table, field: str) -> pd.Series:
    """`values` (indexed by key) looked up for each row's key in `table[field]`; NA for a missing or unknown
    key (see `key_positions`)."""
    unique = values[~values.index.duplicated()]
    if unique.empty:  # nothing to find (a table with a header and no rows): every key is unknown
        return pd.Series(None, index=table.raw.index, dtype=values.dtype)
    positions = key_positions(pa.array(unique.index.astype(str), type=pa.string()), table, field)
    taken = unique.iloc[np.maximum(positions, 0)].to_numpy(copy=True)
    result = pd.Series(taken, index=table.raw.index, dtype=unique.dtype)
    result[positions < 0] = None
    return result


@rule(
    "before-founding",
    "no preferred event (round, listing, release, market cap, period end) before the company's founding date",
)
def before_founding(ctx: Context) -> Iterator[Problem]:
    if not (found := ctx.get("companies")):
        return
    (companies,) = found
    # A company may have several claims: its earliest founding date in good standing, at that claim's
    # precision, is the bound (a later one would make a claim of the other source an error).
    founded = first_dates(companies, "founded_date", "date_precision", good_standing(companies), ["company_id"])
    for name, (date_field, precision_field) in EVENT_DATES.items():
        if (t := ctx.tables.get(name)) is None:
            continue
        event = t.data[date_field].to_numpy(dtype="datetime64[ns]")
        # Each distinct company looked up once, through the column's cached key encoding.
        start, start_rank = founded.at(key_positions(founded.keys, t, "company_id"))
        # A non-preferred claim that contradicts the founding date is a dispute kept on record (see
        # disputes), not an error; the dataset's own statement, the preferred claim, must be consistent.
        preferred = t.data["preferred"].fillna(False).to_numpy(dtype=bool)
        before = preferred & before_at_precision(event, precision_ranks(t, precision_field), start, start_rank)
        yield from t.problems_at(before, date_field, "before-founding", "date is before the company's founded_date")


@rule(
    "after-cutoff",
    "no date after the data cut-off in datapackage.json (forecasts, scheduled retirements and deprecated claims "
    "excepted)",
)
def after_cutoff(ctx: Context) -> Iterator[Problem]:
    if ctx.cutoff is None:
        return
    checks = [(name, date_field) for name, (date_field, _) in EVENT_DATES.items()]
    checks += [("sources", "published_date"), ("sources", "accessed_date"), ("companies", "founded_date")]
    checks += [("model_prices", "effective_date"), ("model_lifecycle", "date")]
    for name, date_field in checks:
        if (t := ctx.tables.get(name)) is None:
            continue
        late = (t.data[date_field] > ctx.cutoff).fillna(False)
        if t.schema.is_claims:  # a deprecated claim is on record as wrong, a wrong date included
            late &= good_standing(t)
        if name == "financials":
            late &= t.raw["basis"].ne("forecast").fillna(True)
        if name == "model_lifecycle":  # a maker announces a retirement ahead: a later date is scheduled
            late &= t.raw["stage"].ne("retired").fillna(True)
        yield from t.problems_at(
            late, date_field, "after-cutoff", f"date is after the data cut-off {ctx.cutoff:%Y-%m-%d}"
        )


@rule("market-cap-listing", "market caps only for companies with a listing, on or after the listing date")
def market_cap_listing(ctx: Context) -> Iterator[Problem]:
    if not (found := ctx.get("market_caps", "listings")):
        return
    caps, listings = found
    # The earliest listing date any claim states: a claim without a date still shows the company listed.
    first = listings.data.groupby(listings.raw["company_id"])["listing_date"].min()
    listed = lookup(first, caps, "company_id").astype("datetime64[ns]")
    yield from caps.problems_at(
        caps.raw["company_id"].notna() & listed.isna(),
        "company_id",
        "market-cap-listing",
        "company has no listing in listings.csv",
    )
    early = (caps.data["date"] < listed).fillna(False)
    yield from caps.problems_at(
        early, "date", "market-cap-listing", "market cap dated before the company's listing date"
    )


# The foreign key by which a claim cites its source.
CITES_SOURCE = ForeignKey(("source_id",), "sources", ("source_id",))


@rule("source-used", "every source in sources.csv is cited by at least one row")
def source_used(ctx: Context) -> Iterator[Problem]:
    if not (found := ctx.get("sources")):
        return
    (sources,) = found
    codes, ids = sources.encoded("source_id")
    cited = np.zeros(len(ids), dtype=bool)
    # Per table, the distinct ids it cites: matched once with the foreign-key check that declares them.
    for t in ctx.tables.values():
        if t.name == "sources" or "source_id" not in t.raw:
            continue
        if CITES_SOURCE in t.schema.foreign_keys:
            cited |= references(t, CITES_SOURCE, sources).used
        else:
            cited |= member(ids, t.encoded("source_id").values)
    used = keys.spread(cited, codes, True)  # a missing id is not reported here
    yield from sources.problems_at(
        ~used,
        "source_id",
        "source-used",
        "source is not cited by any row; cite it or remove it",
    )


def _text_fields(t: Table) -> list[str]:
    return [f.name for f in t.schema.fields if f.type == "string"]


# Lookup tables by byte value: a formula's first character; visible ASCII (not space, not control).
FORMULA_BYTE = np.isin(np.arange(256), np.frombuffer(b"=+-@\t", dtype=np.uint8))
VISIBLE_BYTE = (np.arange(256) >= 0x21) & (np.arange(256) <= 0x7E)


def _suspects(t: Table, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions of the cells of a text column that formula-injection and whitespace must look at:
    those beginning with a formula character; and those non-empty cells beginning or ending with
    anything but visible ASCII, with their first bytes. One scan of the cells' first and last bytes
    serves both rules, and only these positions are kept."""

    def scan() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        first, last, present = edge_bytes(arrow_text(t.raw[name]))
        space = np.flatnonzero(present & ~(VISIBLE_BYTE[first] & VISIBLE_BYTE[last]))
        return np.flatnonzero(FORMULA_BYTE[first]), space, first[space]

    return t.cached(("suspects", name), scan)


@rule(
    "formula-injection",
    "text cells do not begin with =, +, -, @ or a tab (spreadsheet formula injection)",
    per_table=True,
)
def formula_injection(ctx: Context) -> Iterator[Problem]:
    for t in ctx.tables.values():
        for name in _text_fields(t):
            where, _, _ = _suspects(t, name)
            if len(where):
                # A plain negative number ("-38530000000") is read as a number, never run as a formula.
                text = take(arrow_text(t.raw[name]), where)
                where = where[~filled(pc.match_substring_regex(text, PLAIN_NUMBER), False)]
            yield from t.located(
                (
                    int(pos),
                    name,
                    "formula-injection",
                    "text begins with =, +, -, @ or a tab, which spreadsheets run as a formula",
                )
                for pos in where
            )


@rule("whitespace", "text cells have no leading or trailing whitespace and are not blank", per_table=True)
def whitespace(ctx: Context) -> Iterator[Problem]:
    for t in ctx.tables.values():
        for name in _text_fields(t):
            # A cell that begins and ends with a visible ASCII character is clean; only the others (a
            # space, a control character, any non-ASCII character) need the Unicode test.
            where, first = _suspects(t, name)[1:]
            where = where[first != ord("\t")]  # a leading tab is reported as formula injection
            if len(where):
                text = take(arrow_text(t.raw[name]), where)
                ends = (pc.utf8_slice_codeunits(text, 0, 1), pc.utf8_slice_codeunits(text, -1))
                where = where[filled(pc.utf8_is_space(ends[0]), False) | filled(pc.utf8_is_space(ends[1]), False)]
            yield from t.located((int(pos), name, "whitespace", "remove leading/trailing whitespace") for pos in where)


# Characters no cell may hold: C0 and C1 controls (tab and line breaks have rules of their own), invisible
# zero-width characters and the bidirectional overrides that reorder how text is shown.
HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


# The bytes that can begin the UTF-8 form of a HIDDEN character: C0 controls and DEL themselves, C2 (C1
# controls), E2 (zero-width, bidi and invisible operators) and EF (the byte-order mark).
_HIDDEN_LEAD = np.zeros(256, dtype=bool)
_HIDDEN_LEAD[[*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0xC2, 0xE2, 0xEF]] = True


def _hidden_suspects(text: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Positions of the cells whose bytes hold the UTF-8 form of a HIDDEN character (a superset is
    fine: the regex decides). One pass over the column's bytes, with no decoding: a column of plain
    text, the usual case, is settled without a cell being read in Python."""
    found = []
    for base, starts, _, used in chunk_bytes(text):
        at = byte_positions(used, _HIDDEN_LEAD)
        if len(at) == 0:
            continue
        b0 = used[at]
        b1 = used[np.minimum(at + 1, len(used) - 1)]
        b2 = used[np.minimum(at + 2, len(used) - 1)]
        hit = b0 < 0x80  # a control character itself
        hit |= (b0 == 0xC2) & (b1 >= 0x80) & (b1 <= 0x9F)
        e2 = (b1 == 0x80) & (((b2 >= 0x8B) & (b2 <= 0x8F)) | ((b2 >= 0xAA) & (b2 <= 0xAE)))
        e2 |= (b1 == 0x81) & (b2 >= 0xA0) & (b2 <= 0xA9) & (b2 != 0xA5)
        hit |= (b0 == 0xE2) & e2
        hit |= (b0 == 0xEF) & (b1 == 0xBB) & (b2 == 0xBF)
        if hit.any():
            cells = np.searchsorted(starts, at[hit], side="right") - 1
            found.append(np.unique(cells) + base)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


@rule("hidden-character", "text has no control, zero-width or bidirectional-override character", per_table=True)
def hidden_character(ctx: Context) -> Iterator[Problem]:
    for t in ctx.tables.values():
        for name in _text_fields(t):
            text = arrow_text(t.raw[name])
            suspect = _hidden_suspects(text)
            cells = take(text, suspect).to_pylist() if len(suspect) else []
            found = []
            for pos, cell in zip(suspect, cells, strict=True):
                if cell and (m := HIDDEN.search(cell)):
                    char = m.group()
                    label = unicodedata.name(char, "a control character")
                    message = f"contains U+{ord(char):04X} {label} at character {m.start() + 1}: remove it"
                    found.append((int(pos), name, "hidden-character", message))
            yield from t.located(found)


@rule("model-id", "model_id begins with its company_id and a slash")
def model_id_prefix(ctx: Context) -> Iterator[Problem]:
    if not (found := ctx.get("model_releases")):
        return
    (t,) = found
    model_id = arrow_text(t.raw["model_id"])
    prefix = pc.list_element(pc.split_pattern(model_id, "/", max_splits=1), 0)
    company = arrow_text(t.raw["company_id"])
    # No slash at all means the prefix is the whole id, which then cannot equal the company id plus "/".
    has_slash = pc.match_substring(model_id, "/")
    ok = pc.and_(pc.equal(pc.cast(prefix, company.type), company), has_slash)
    present = pc.and_(pc.is_valid(model_id), pc.is_valid(company))
    yield from t.problems_at(
        filled(present, False) & ~filled(ok, False),
        "model_id",
        "model-id",
        "model_id must start with the row's company_id followed by /",
    )


@rule("active-params", "params_active is at most params_total")
def active_params(ctx: Context) -> Iterator[Problem]:
    if not (found := ctx.get("model_releases")):
        return
    (t,) = found
    over = (t.data["params_active"] > t.data["params_total"]).fillna(False)
    yield from t.problems_at(over, "params_active", "active-params", "params_active exceeds params_total")


@rule("metric-unit", "money metrics use a currency, shares and margins percent, users and employees count")
def metric_unit(ctx: Context) -> Iterator[Problem]:
    if not (found := ctx.get("financials")):
        return
    (t,) = found
    metric, unit = t.raw["metric"], t.raw["unit"]
    is_currency = unit.str.fullmatch(r"[A-Z]{3}").fillna(False)
    wrong = (
        (metric.isin(MONEY_METRICS) & ~is_currency)
        | (metric.isin(PERCENT_METRICS) & unit.ne("percent"))
        | (metric.isin(COUNT_METRICS) & unit.ne("count"))
    )
    yield from t.problems_at(
        wrong.fillna(False),
        "unit",
        "metric-unit",
        "unit does not fit the metric (currency for money, percent for shares and margins, count for users)",
    )


def money_fields(table: Table) -> list[str]:
    """Fields whose unit is the row's currency (the schema's `unit: currency`)."""
    return [f.name for f in table.schema.fields if f.unit == "currency"]


@rule("currency-given", "a row with a money amount states its currency", per_table=True)
def currency_given(ctx: Context) -> Iterator[Problem]:
    for t in ctx.tables.values():
        if not (fields := money_fields(t)):
            continue
        has_money = t.data[fields].notna().any(axis=1)
        yield from t.problems_at(
            has_money & t.raw["currency"].isna(), "currency", "currency-given", "money amount given without a currency"
        )


def _basis_of(table: Table) -> dict[str, list[str]]:
    """Each basis field (how exact a value is) and the values it qualifies, from the schema's resolvedWith."""
    found: dict[str, list[str]] = {}
    for f in table.schema.fields:
        for q in f.resolved_with:
            if q.endswith("basis") and q in table.raw:
                found.setdefault(q, []).append(f.name)
    return found


@rule(
    "basis-given",
    "a value with a basis field states its basis, and a basis is given only with its value",
    per_table=True,
)
def basis_given(ctx: Context) -> Iterator[Problem]:
    for t in ctx.tables.values():
        for basis, values in _basis_of(t).items():
            stated = t.data[values].notna().any(axis=1).to_numpy()
            has_basis = t.raw[basis].notna().to_numpy()
            named = " or ".join(values)
            yield from t.problems_at(
                stated & ~has_basis, basis, "basis-given", f"{named} is given: state how exact it is in {basis}"
            )
            yield from t.problems_at(
                has_basis & ~stated,
                basis,
                "basis-given",
                f"{basis} is given without {named}: clear it or add the value",
            )


@rule(
    "evidence-excerpt",
    f"each excerpt of evidence (excerpts joined by '{SEPARATOR}') is at most {MAX_EXCERPT} characters",
    per_table=True,
)
def evidence_excerpt(ctx: Context) -> Iterator[Problem]:
    for t in ctx.tables.values():
        if "evidence" not in t.raw:
            continue
        text = arrow_text(t.raw["evidence"])
        # Only a cell longer than one excerpt can hold a long one: the others are settled by their length,
        # most by their length in bytes (read from the offsets; a character is at least one byte), the
        # rest by counting characters. The candidates are split into excerpts and measured in Arrow.
        where = np.flatnonzero(filled(pc.greater(pc.binary_length(text), MAX_EXCERPT), False))
        candidates = take(text, where)
        longer = filled(pc.greater(pc.utf8_length(candidates), MAX_EXCERPT), False)
        if not longer.any():
            continue
        where, candidates = where[longer], candidates.filter(pa.array(longer))
        parts = pc.split_pattern(candidates, SEPARATOR)
        # Each cell has at least one excerpt: the longest of each is a reduction over its own run.
        lengths = pc.utf8_length(parts.flatten()).to_numpy(zero_copy_only=False)
        offsets = parts.offsets.to_numpy()
        longest = np.maximum.reduceat(lengths, offsets[:-1] - offsets[0])
        hits = np.flatnonzero(longest > MAX_EXCERPT)
        yield from t.located(
            (
                int(where[i]),
                "evidence",
                "evidence-excerpt",
                f"an excerpt has {longest[i]} characters (at most {MAX_EXCERPT}); quote less, or split it into "
                f"excerpts joined by '{SEPARATOR}'",
            )
            for i in hits
        )


@rule("value-quoted", "every number a claim records is written (at some scale) in its evidence", per_table=True)
def value_quoted(ctx: Context) -> Iterator[Problem]:
    for t in ctx.tables.values():
        if not t.schema.is_claims or "evidence" not in t.raw:
            continue
        numeric = [f.name for f in t.schema.fields if TYPES[f.type].numeric and f.name not in t.schema.fact_key]
        if not numeric:
            continue
        stated = t.data[numeric].notna().to_numpy()
        tokens = _digit_tokens(arrow_text(t.raw["evidence"]))
        # Most values are found among their evidence's numbers by one vectorised join; only the others
        # (a 128K read as 131072, a scale word, a missing quote) go through the exact reading in Python.
        doubtful = np.zeros_like(stated)
        for j, name in enumerate(numeric):
            rows = np.flatnonzero(stated[:, j])
            if len(rows):
                doubtful[rows, j] = ~_found_among(tokens, rows, _significant(t, name, rows), len(stated))
        rows = np.flatnonzero(doubtful.any(axis=1))
        evidence = take(arrow_text(t.raw["evidence"]), rows).to_pylist() if len(rows) else []
        found = []
        for pos, text in zip(rows, evidence, strict=True):
            numbers = numbers_stated(text or "")
            for j in np.flatnonzero(doubtful[pos]):
                name = numeric[j]
                if not states_number("", t.data[name].iat[pos], numbers):
                    message = f"{name} is not written in evidence: quote the words that state it"
                    found.append((int(pos), name, "value-quoted", message))
        yield from t.located(found)


def _significant_text(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Numbers as text reduced to their significant digits: sign, separators, point and outer zeros
    removed (1,030,000,000 and 1.03 both read 103)."""
    for mark in ("-", ".", ",", "\uff0c"):  # literal replacements: several times faster than one regex
        text = pc.replace_substring(text, mark, "")
    return pc.utf8_trim(text, "0")


# Significant digits that fit an int64 exactly; a longer one is left to the exact reading.
_MAX_DIGITS = 18


def _as_int(digits: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Significant digits as int64, -1 where empty, too long to compare as a number, or not digits only
    (a value written with an exponent, such as 0E0: the exact reading decides)."""
    digits = digits.combine_chunks() if isinstance(digits, pa.ChunkedArray) else digits
    fits = pc.and_(pc.greater(pc.utf8_length(digits), 0), pc.less_equal(pc.utf8_length(digits), _MAX_DIGITS))
    fits = pc.and_(fits, pc.ascii_is_decimal(digits))
    usable = pc.if_else(fits, digits, pa.scalar(None, type=digits.type))
    return filled(pc.cast(usable, pa.int64()), -1)


def _significant(t: Table, name: str, rows: np.ndarray) -> np.ndarray:
    """The significant digits of the field's values at `rows` as int64 (-1 where they cannot be compared
    so). An integer's are its value's, without the trailing zeros; a number's are read from its text,
    as written (a float would not keep 0.1 or 2.50 as the source wrote them)."""
    if t.schema.field(name).type == "integer":
        value = np.abs(t.data[name].to_numpy(dtype=np.int64, na_value=0)[rows])
        value[value <= 0] = -1  # 0 has no significant digit (and -2**63 has no absolute value in int64)
        return _without_trailing_zeros(value)
    return _as_int(_significant_text(take(arrow_text(t.raw[name]), rows)))


def _without_trailing_zeros(value: np.ndarray) -> np.ndarray:
    """Positive int64 values with their trailing zeros dropped, in place; others left as they are. Each
    step works on the values that still end in one: most have none, and few have many."""
    ending = np.flatnonzero((value > 0) & (value % 10 == 0))
    while len(ending):
        value[ending] //= 10
        ending = ending[value[ending] % 10 == 0]
    return value


# Bytes that can be part of a written number: the digits, the point and the comma (the full-width comma
# U+FF0C, three bytes in UTF-8, is handled beside them).
_NUMBER_BYTE = np.zeros(256, dtype=bool)
_NUMBER_BYTE[[*range(0x30, 0x3A), 0x2E, 0x2C]] = True
_POWERS = 10 ** np.arange(_MAX_DIGITS, dtype=np.int64)


def _digit_tokens(evidence: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """The numbers written in each cell: (row of each, its significant digits as int64, -1 if unusable).
    Read straight from the column's UTF-8 bytes: a number is a run of digits, points and commas within
    one cell, its value the digits without separators and without the zeros at either end (1,030,000,000
    and 1.03 both read 103). A run of more than 18 digits is unusable here: the exact reading decides."""
    rows, values = [], []
    for base, starts, lengths, used in chunk_bytes(evidence):
        at = byte_positions(used, _NUMBER_BYTE)  # the bytes of numbers, a few percent of the text
        wide = np.flatnonzero(used[:-2] == 0xEF) if len(used) > 2 else np.zeros(0, dtype=np.int64)
        if len(wide):  # U+FF0C, a full-width comma: part of a number like a comma
            wide = wide[(used[wide + 1] == 0xBC) & (used[wide + 2] == 0x8C)]
            commas = np.sort(np.concatenate([wide, wide + 1, wide + 2]))  # few: sorted alone, then merged
            at = np.insert(at, np.searchsorted(at, commas), commas)
        if not len(at):
            continue
        # A number begins where the byte before is no number byte, or a cell begins.
        cell_start = np.zeros(len(used), dtype=bool)
        cell_start[starts[lengths > 0]] = True
        joined = np.zeros(len(at), dtype=bool)
        joined[1:] = at[1:] == at[:-1] + 1
        joined &= ~cell_start[at]
        begin = at[~joined]
        is_digit = (used[at] >= 0x30) & (used[at] <= 0x39)
        digit = at[is_digit]
        if not len(digit):
            continue
        owner = (np.cumsum(~joined) - 1)[is_digit]  # the number each digit belongs to
        count = np.bincount(owner, minlength=len(begin))
        # Each digit's place from the right within its number, then the number's value.
        start_of = np.concatenate(([0], np.cumsum(count)[:-1]))
        place = count[owner] - 1 - (np.arange(len(digit)) - start_of[owner])
        usable = count[owner] <= _MAX_DIGITS
        contribution = np.where(usable, (used[digit] - 0x30).astype(np.int64) * _POWERS[np.minimum(place, 17)], 0)
        has_digits = np.flatnonzero(count > 0)
        value = np.add.reduceat(contribution, start_of[has_digits])
        value[count[has_digits] > _MAX_DIGITS] = -1
        _without_trailing_zeros(value)  # the leading zeros are gone already
        value[value == 0] = -1  # "0" or "0.00" has no significant digit
        position = begin[has_digits]
        rows.append(np.searchsorted(starts, position, side="right") - 1 + base)
        values.append(value)
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows).astype(np.int64, copy=False), np.concatenate(values)


def _found_among(
    tokens: tuple[np.ndarray, np.ndarray], rows: np.ndarray, significant: np.ndarray, n: int
) -> np.ndarray:
    """For each of `rows`, whether its value's significant digits (`_significant`) are among its
    evidence's numbers (False where they cannot be compared this way: the exact reading then decides)."""
    token_rows, token_values = tokens
    wanted = np.full(n, -2, dtype=np.int64)  # -2 matches no token (an unusable token is -1)
    wanted[rows] = significant
    match = (token_values == wanted[token_rows]) & (token_values >= 0)
    found = np.zeros(n, dtype=bool)
    found[token_rows[match]] = True
    return found[rows]


@rule(
    "date-precision",
    "a dated row states date_precision; a month-precision date is the 1st, a year-precision date 1 January",
)
def date_precision(ctx: Context) -> Iterator[Problem]:
    for name, date_field in DATED_WITH_PRECISION:
        if (t := ctx.tables.get(name)) is None:
            continue
        d, p = t.data[date_field], t.raw["date_precision"]
        missing = (d.notna() & p.isna()).to_numpy(dtype=bool)
        yield from t.problems_at(
            missing, "date_precision", "date-precision", f"{date_field} is given: state its precision"
        )
        wrong = ((p == "month") & (d.dt.day != 1)) | ((p == "year") & ((d.dt.day != 1) | (d.dt.month != 1)))
        message = "date must be the first day of the month (or year) that date_precision names"
        yield from t.problems_at(wrong.fillna(False), date_field, "date-precision", message)


@rule("claim-company", "all claims about one round or model name the same company")
def claim_company(ctx: Context) -> Iterator[Problem]:
    for name, key in (("funding_rounds", "round_id"), ("model_releases", "model_id")):
        if (t := ctx.tables.get(name)) is None:
            continue
        fact, company = t.codes(key), t.codes("company_id")
        present = (fact != keys.MISSING) & (company != keys.MISSING)
        if (companies := ctx.tables.get("companies")) is not None:
            # A company_id that names no company is the foreign key's problem: the claims of its fact
            # that name a real company are not wrong, and are not reported for it.
            known = member(t.encoded("company_id").values, companies.encoded("company_id").values)
            present &= keys.spread(known, company, False)
        # Count the distinct companies of each fact: one per distinct (fact, company) pair.
        _, first = np.unique(keys.combine([fact, company])[present], return_index=True)
        companies_of = np.bincount(fact[present][first], minlength=int(fact.max(initial=0)) + 1)
        hit = present & (companies_of[np.maximum(fact, 0)] > 1)
        yield from t.problems_at(hit, "company_id", "claim-company", f"claims for this {key} name different companies")


@rule("parent-self", "a company is not its own parent")
def parent_self(ctx: Context) -> Iterator[Problem]:
    if not (found := ctx.get("companies")):
        return
    (t,) = found
    yield from t.problems_at(
        (t.raw["parent_company_id"] == t.raw["company_id"]).fillna(False),
        "parent_company_id",
        "parent-self",
        "company names itself as parent",
    )


@rule("parent-cycle", "no company is its own ancestor through parent_company_id")
def parent_cycle(ctx: Context) -> Iterator[Problem]:
    if not (found := ctx.get("companies")):
        return
    (t,) = found
    good = good_standing(t)
    child = t.raw["company_id"].to_numpy(dtype=object)
    parent = t.raw["parent_company_id"].to_numpy(dtype=object)
    edges: dict[str, set[str]] = {}
    for c, p, ok in zip(child, parent, good, strict=True):
        if ok and isinstance(p, str) and isinstance(c, str) and p != c:  # a self-parent is parent-self's
            edges.setdefault(c, set()).add(p)
    on_cycle = _on_cycles(edges)
    hit = np.array([isinstance(p, str) and c in on_cycle and p in on_cycle for c, p in zip(child, parent, strict=True)])
    yield from t.problems_at(
        hit & good,
        "parent_company_id",
        "parent-cycle",
        "parent companies form a cycle: a company would be its own ancestor",
    )


def _on_cycles(edges: dict[str, set[str]]) -> set[str]:
    """The nodes that lie on a cycle of the graph (Tarjan's strongly connected components, iteratively:
    a deep parent chain must not hit Python's recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cyclic: set[str] = set()
    counter = 0
    for start in list(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cyclic.update(component)
    return cyclic


def _run(name: str, fn: Rule, ctx: Context) -> list[Problem]:
    try:
        return list(fn(ctx))
    except Exception as exc:  # a rule that breaks on unforeseen data is reported, never a traceback
        return [Problem("datapackage.json", None, None, None, None, name, f"rule could not run: {exc!r}")]


def table_rules(table: Table) -> list[Problem]:
    """Every per-table rule over one table, which then releases TABLE_RULE_FIELDS. Run by the job that
    read the table (see `tables.read_tables`): the largest table's scans overlap the reading of the
    others, and its evidence is gone before the last table is read."""
    scope = Context({table.name: table}, None)
    found = [p for name in PER_TABLE for p in _run(name, RULES[name][1], scope)]
    table.release(TABLE_RULE_FIELDS)
    return found


def rule_jobs(ctx: Context) -> list[Callable[[], list[Problem]]]:
    """One job per rule that is not per-table, in declared order (the per-table rules ran with each
    table's reading). A rule that cannot run (a schema edited without its rule) is a problem."""
    return [partial(_run, name, fn, ctx) for name, (_description, fn) in RULES.items() if name not in PER_TABLE]


# The rules about prices, lifecycles and identifiers register themselves in RULES when imported.
from . import model_rules  # noqa: E402, F401
