"""Table Schema (Frictionless) as plain Python objects, and the typing of CSV text by it.

This module is the single place where a field's type becomes a pandas dtype: loaders, the
validator and the formatter all parse cells through `parse_column`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .arrowtext import PANDAS_TYPES, USER_TEXT, Text, arrow_text, filled, fixed_bytes, take, with_nulls
from .package import PackageError, read_json

DATE_FORMAT = "%Y-%m-%d"
# ASCII digits only: \d would also match other scripts' digits, which no parser here accepts.
_NUM_RE = r"^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$"
# A claim's own fields, which say who states a fact and how, not what the fact is.
CLAIM_FIELDS = ("source_id", "evidence", "preferred", "deprecation_reason")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str = ""
    constraints: dict = field(default_factory=dict)
    true_values: tuple[str, ...] = ("true",)
    false_values: tuple[str, ...] = ("false",)
    format: str | None = None
    # The field that names this value's unit (a money amount's `currency`), when the schema says so.
    unit: str | None = None
    # The unit as the schema writes it: a field name (`currency`) or a unit itself (`percent`, `tokens`).
    unit_label: str = ""
    # Fields that must come from the same claim as this value when a fact is resolved: its qualifiers
    # (date_precision, a basis) and the values stated together with it (pre- and post-money).
    resolved_with: tuple[str, ...] = ()
    # A claim may leave it empty, but every fact needs it from one of its claims (`factRequired`).
    fact_required: bool = False
    # Text that must be written in the row's evidence, as a number must (`quoted`): an API model name or
    # an identifier is a value like any other, and the quote is what makes it checkable.
    quoted: bool = False

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required", False))

    @property
    def enum(self) -> list | None:
        return self.constraints.get("enum")


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class TableSchema:
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    missing_values: tuple[str, ...] = ("",)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def fact_key(self) -> list[str]:
        """The fields that identify a fact of a claim table: the primary key without source_id."""
        return [k for k in self.primary_key if k != "source_id"]

    @property
    def is_claims(self) -> bool:
        """A claim table: each row is one source's statement about a fact (it has `preferred`)."""
        return "preferred" in self.names

    @property
    def value_fields(self) -> list[str]:
        """The fields a claim states about its fact: neither the fact key nor the claim's own fields."""
        return [n for n in self.names if n not in self.fact_key and n not in CLAIM_FIELDS]

    def resolved(self) -> TableSchema:
        """The schema of the resolved view: one row per fact key, the key and the value fields (a field every
        fact needs is required there)."""
        keep = set(self.fact_key) | set(self.value_fields)
        return TableSchema(
            fields=tuple(
                replace(f, constraints={**f.constraints, "required": True}) if f.fact_required else f
                for f in self.fields
                if f.name in keep
            ),
            primary_key=tuple(self.fact_key),
            foreign_keys=tuple(fk for fk in self.foreign_keys if set(fk.fields) <= keep),
            missing_values=self.missing_values,
        )

    @property
    def key_fields(self) -> set[str]:
        """Fields of the primary key, of a foreign key, or with a unique constraint."""
        found = set(self.primary_key) | {f for fk in self.foreign_keys for f in fk.fields}
        return found | {f.name for f in self.fields if f.constraints.get("unique", False)}

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @classmethod
    def from_dict(cls, d: dict) -> TableSchema:
        if not isinstance(d.get("fields"), list) or not all(isinstance(f, dict) and "name" in f for f in d["fields"]):
            raise PackageError("a Table Schema needs `fields`: a list of objects, each with a `name`")
        names = {f.get("name") for f in d["fields"]}
        fields = tuple(
            Field(
                name=f["name"],
                type=f.get("type", "string"),
                description=f.get("description", ""),
                constraints=dict(f.get("constraints", {})),
                true_values=tuple(f.get("trueValues", ["true"])),
                false_values=tuple(f.get("falseValues", ["false"])),
                format=f.get("format"),
                unit=f["unit"] if f.get("unit") in names else None,
                unit_label=str(f.get("unit", "")),
                resolved_with=tuple(f.get("resolvedWith", ())),
                fact_required=bool(f.get("factRequired", False)),
                quoted=bool(f.get("quoted", False)),
            )
            for f in d["fields"]
        )
        pk = d.get("primaryKey", [])
        fks = tuple(
            ForeignKey(
                fields=tuple(_as_list(fk["fields"])),
                resource=fk["reference"]["resource"],
                reference_fields=tuple(_as_list(fk["reference"]["fields"])),
            )
            for fk in d.get("foreignKeys", [])
        )
        return cls(
            fields=fields,
            primary_key=tuple(_as_list(pk)),
            foreign_keys=fks,
            missing_values=tuple(d.get("missingValues", [""])),
        )

    @classmethod
    def read(cls, path: Path) -> TableSchema:
        """The schema at `path`, parsed once per version of the file (every command and job asks for the
        same schemas many times)."""
        try:
            stat = path.stat()
        except OSError:
            return cls.from_dict(read_json(path))  # raises the located "file not found"
        return _read_schema(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _read_schema(path: str, mtime_ns: int, size: int) -> TableSchema:
    return TableSchema.from_dict(read_json(Path(path)))


def _as_list(v: str | list[str]) -> list[str]:
    return [v] if isinstance(v, str) else list(v)


def _to_pandas(values: Text, index: pd.Index) -> pd.Series:
    return pd.Series(values.to_pandas(types_mapper=PANDAS_TYPES.get), index=index)


def _mask(values: Text) -> np.ndarray:
    return filled(values, False)


# Days in each month of a common year (index 0 unused); February of a leap year gets one more.
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9]  # byte positions of the digits in YYYY-MM-DD


def _days_since_epoch(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days from 1970-01-01 of proleptic Gregorian dates (H. Hinnant's days_from_civil, for years > 0)."""
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * np.where(m > 2, m - 3, m + 9) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


# Whole years that fit datetime64[ns] (1677-09-21 to 2262-04-11), as days from 1970-01-01.
_FIRST_DAY = int(_days_since_epoch(np.array(1678), np.array(1), np.array(1)))
_LAST_DAY = int(_days_since_epoch(np.array(2261), np.array(12), np.array(31)))
_NS_PER_DAY = 86_400_000_000_000


def _iso_dates(text: Text) -> tuple[np.ndarray, np.ndarray]:
    """YYYY-MM-DD text to datetime64[ns], and the mask of the cells that are real calendar dates
    (2024-02-30 is not) in the years 1678-2261."""
    cast = _cast_dates(text)
    return cast if cast is not None else _parse_dates(text)


def _cast_dates(text: Text) -> tuple[np.ndarray, np.ndarray] | None:
    """The dates by arrow's cast to date32, which accepts exactly the ten characters YYYY-MM-DD of a
    real calendar date; None if any present cell is not one (or is out of range), for `_parse_dates`
    to locate. A column of good dates, the usual case, is typed six times faster this way."""
    lengths = pc.min_max(pc.binary_length(text))
    if lengths["min"].as_py() != 10 or lengths["max"].as_py() != 10:
        return None
    try:
        days = pc.cast(text, pa.date32())
    except pa.ArrowInvalid:
        return None
    days = pc.cast(days, pa.int32())
    span = pc.min_max(days)
    if not _FIRST_DAY <= (span["min"].as_py() or 0) <= (span["max"].as_py() or 0) <= _LAST_DAY:
        return None
    present = _mask(pc.is_valid(days))
    stamps = filled(days, 0).astype(np.int64) * _NS_PER_DAY
    stamps = stamps.view("datetime64[ns]")
    stamps[~present] = np.datetime64("NaT")
    return stamps, present


def _parse_dates(text: Text) -> tuple[np.ndarray, np.ndarray]:
    """The dates parsed from the ten bytes of each cell, any cell being wrong: arrow's strptime would
    roll 2024-02-30 over to 2024-03-01, and pandas' parser is several times slower."""
    cells, ok = fixed_bytes(text, 10)
    digits = cells[_DIGITS] - np.uint8(ord("0"))  # a non-digit byte wraps around to 10 or more
    ok &= (digits < 10).all(axis=0)
    digits = digits.astype(np.int32)
    ok &= (cells[4] == ord("-")) & (cells[7] == ord("-"))
    y = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
    m = digits[4] * 10 + digits[5]
    d = digits[6] * 10 + digits[7]
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    ok &= (m >= 1) & (m <= 12)
    ok &= (d >= 1) & (d <= _MONTH_DAYS[np.where(ok, m, 0)] + (leap & (m == 2)))
    ok &= (y >= 1678) & (y <= 2261)  # the years of _FIRST_DAY.._LAST_DAY
    days = _days_since_epoch(
        *(np.where(ok, part, default).astype(np.int64) for part, default in ((y, 1970), (m, 1), (d, 1)))
    )
    stamps = (days * _NS_PER_DAY).view("datetime64[ns]")
    stamps[~ok] = np.datetime64("NaT")
    return stamps, ok


def _missing(text: Text, missing: tuple[str, ...]) -> np.ndarray | None:
    """Mask of the cells that are null or one of the schema's missing values; None when there are none
    (the common case for a required column). The empty string is found by length, not by comparing."""
    lengths = pc.binary_length(text)
    if not text.null_count and missing == ("",) and (pc.min(lengths).as_py() or 0) > 0:
        return None
    null = _mask(pc.is_null(text))
    for value in missing:
        null |= _mask(pc.equal(lengths, 0) if value == "" else pc.equal(text, value))
    return null


def _plain_integers(text: Text) -> np.ndarray:
    """Mask of the cells written as -?[0-9]{1,18}, without a regular expression: arrow's ASCII digit
    test is ten times faster on a million cells."""
    lengths = _mask(pc.less_equal(pc.binary_length(text), 18))
    ok = _mask(pc.ascii_is_decimal(text)) & lengths
    negative = _mask(pc.starts_with(text, "-"))
    if negative.any():
        digits = pc.utf8_slice_codeunits(text, 1)
        ok |= negative & _mask(pc.ascii_is_decimal(digits)) & _mask(pc.less_equal(pc.binary_length(digits), 18))
    return ok


def _numbers(text: Text, type_: str) -> np.ndarray:
    """Mask of the cells that are valid integers (or numbers). Plain integers are recognised without a
    regular expression; only the other cells of a number column go through _NUM_RE."""
    ok = _plain_integers(text)
    rest = ~ok & _mask(pc.is_valid(text))
    if type_ == "number" and rest.any():
        where = np.flatnonzero(rest)
        ok[where] = _mask(pc.match_substring_regex(take(text, where), _NUM_RE))
    return ok


class Parsed(NamedTuple):
    text: pd.Series  # the cells as text, missing values as NA
    values: pd.Series  # typed by the field
    bad: pd.Series  # True where a present cell does not parse as the field's type


def parse_cells(raw: pd.Series, f: Field, missing: tuple[str, ...] = ("",)) -> Parsed:
    """Type a column of CSV text by its field.

    Runs in pyarrow compute: this is the validator's hot path. Enum fields stay strings here (the
    validator must see bad values); `to_categories` applies them.
    """
    text = arrow_text(raw)
    null = _missing(text, missing)
    if null is not None and null.any():
        text = with_nulls(text, null)
    else:
        null = np.zeros(len(raw), dtype=bool)
    index = raw.index
    shown = _to_pandas(text, index)
    if f.type in ("integer", "number"):
        ok = _numbers(text, f.type)
        target = pa.int64() if f.type == "integer" else pa.float64()
        castable = text if ok.all() else pc.if_else(ok, text, pa.scalar(None, type=text.type))
        values = _to_pandas(pc.cast(castable, target), index)
        if f.type == "number":
            # 1e309 is written like a number but is no finite one: it would be read as inf.
            infinite = ok & ~null & ~np.isfinite(values.to_numpy(dtype=float, na_value=0.0))
            if infinite.any():
                ok &= ~infinite
                values = values.mask(pd.Series(infinite, index=index))
    elif f.type == "boolean":
        is_true = _mask(pc.is_in(text, value_set=pa.array(f.true_values, type=text.type)))
        is_false = _mask(pc.is_in(text, value_set=pa.array(f.false_values, type=text.type)))
        ok = is_true | is_false
        values = pd.Series(pd.arrays.BooleanArray(is_true, ~ok), index=index)
    elif f.type == "date":
        fmt = f.format if f.format and f.format not in ("default", "any") else DATE_FORMAT
        if fmt == DATE_FORMAT:
            dates, ok = _iso_dates(text)
            values = pd.Series(dates, index=index)
        else:
            values = pd.to_datetime(shown, format=fmt, errors="coerce")
            ok = values.notna().to_numpy()
    else:
        return Parsed(shown, shown, pd.Series(np.zeros(len(index), dtype=bool), index=index))
    return Parsed(shown, values, pd.Series(~null & ~ok, index=index))


def parse_column(raw: pd.Series, f: Field, missing: tuple[str, ...] = ("",)) -> tuple[pd.Series, pd.Series]:
    """(typed values, mask of unparsable cells) of a column of CSV text; text as pandas' string dtype."""
    parsed = parse_cells(raw, f, missing)
    return (parsed.values.astype(USER_TEXT) if f.type == "string" else parsed.values), parsed.bad


def to_categories(values: pd.Series, f: Field) -> pd.Series:
    """An enum field as a pandas categorical, categories in schema order."""
    return values.astype(pd.CategoricalDtype(categories=list(f.enum), ordered=False))


def format_cell(value: object, f: Field) -> str:
    """Canonical CSV text of a typed value: the inverse of `parse_column`."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if f.type == "boolean":
        return f.true_values[0] if bool(value) else f.false_values[0]
    if f.type == "date":
        return pd.Timestamp(value).strftime(DATE_FORMAT)
    if f.type == "integer":
        return str(int(value))
    if f.type == "number":
        x = float(value)
        return str(int(x)) if x.is_integer() and abs(x) < 1e18 else repr(x)
    return str(value)


def format_column(values: pd.Series, f: Field) -> list[str]:
    """`format_cell` of every value of a column, column-wise for the types a table holds many of (a
    derived table has tens of thousands of numbers and dates); the same text cell for cell."""
    missing = values.isna().to_numpy()
    if f.type == "date" and pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.dt.strftime(DATE_FORMAT).fillna("").tolist()
    if f.type == "integer" and isinstance(values.dtype, pd.Int64Dtype):
        return values.astype("string").fillna("").tolist()
    if f.type == "number" and pd.api.types.is_numeric_dtype(values.dtype):
        x = values.to_numpy(dtype=float, na_value=np.nan)
        whole = ~missing & (np.mod(x, 1) == 0) & (np.abs(x) < 1e18)
        out = np.full(len(x), "", dtype=object)
        out[whole] = x[whole].astype(np.int64).astype(str)
        rest = ~missing & ~whole
        out[rest] = [repr(v) for v in x[rest].tolist()]
        return out.tolist()
    if f.type == "string" and not isinstance(values.dtype, pd.CategoricalDtype):
        return values.astype(object).where(~missing, "").astype(str).tolist()
    return [format_cell(v, f) for v in values.tolist()]


def canonical_text(text: str, f: Field) -> str:
    """Canonical form of one raw cell: a number written in its shortest form when that is the very same
    number (1.50 is 1.5, 2e3 is 2000); everything else, and any number a float cannot hold exactly (more
    digits than a float keeps, or beyond its range), untouched: formatting never changes a value."""
    if f.type != "number" or not re.fullmatch(_NUM_RE, text):
        return text
    x = float(text)
    if not math.isfinite(x):
        return text
    shown = format_cell(np.float64(x), f)
    return shown if Decimal(shown) == Decimal(text) else text
