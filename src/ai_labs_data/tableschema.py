"""Table Schema (Frictionless) as plain Python objects, and the typing of CSV text by it.

This module is the single place where a field's type becomes a pandas dtype: loaders, the
validator and the formatter all parse cells through `parse_column`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .package import read_json

DATE_FORMAT = "%Y-%m-%d"
# ASCII digits only: \d would also match other scripts' digits, which no parser here accepts.
_DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_INT_RE = r"^-?[0-9]{1,18}$"  # at most 18 digits: always fits int64
_NUM_RE = r"^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str = ""
    constraints: dict = field(default_factory=dict)
    true_values: tuple[str, ...] = ("true",)
    false_values: tuple[str, ...] = ("false",)
    format: str | None = None

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

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @classmethod
    def from_dict(cls, d: dict) -> TableSchema:
        fields = tuple(
            Field(
                name=f["name"],
                type=f.get("type", "string"),
                description=f.get("description", ""),
                constraints=dict(f.get("constraints", {})),
                true_values=tuple(f.get("trueValues", ["true"])),
                false_values=tuple(f.get("falseValues", ["false"])),
                format=f.get("format"),
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
        return cls.from_dict(read_json(path))


def _as_list(v: str | list[str]) -> list[str]:
    return [v] if isinstance(v, str) else list(v)


def _null(raw: pd.Series, missing: tuple[str, ...]) -> pd.Series:
    return raw.isna() | raw.isin(list(missing))


def _cast_numbers(text: pd.Series, type_: str) -> pd.Series:
    """Already-checked digit strings to Int64/Float64, by pyarrow's cast (pd.to_numeric goes via Python)."""
    arrow = pa.array(text, type=pa.string(), from_pandas=True)
    cast = pc.cast(arrow, pa.int64() if type_ == "integer" else pa.float64())
    return pd.Series(
        cast.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype()}.get),
        index=text.index,
    )


def parse_column(raw: pd.Series, f: Field, missing: tuple[str, ...] = ("",)) -> tuple[pd.Series, pd.Series]:
    """Type a column of CSV text by its field. Returns (typed values, mask of unparsable cells).

    Enum fields stay strings here (the validator must see bad values); `to_categories` applies them.
    """
    raw = raw.astype("string")
    null = _null(raw, missing)
    text = raw.mask(null)
    if f.type in ("integer", "number"):
        ok = text.str.fullmatch(_INT_RE if f.type == "integer" else _NUM_RE).fillna(False).astype(bool)
        values = _cast_numbers(text.where(ok), f.type)
    elif f.type == "boolean":
        is_true = text.isin(list(f.true_values)).fillna(False).astype(bool)
        is_false = text.isin(list(f.false_values)).fillna(False).astype(bool)
        ok = is_true | is_false
        values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
        values[is_true] = True
        values[is_false] = False
    elif f.type == "date":
        fmt = f.format if f.format and f.format not in ("default", "any") else DATE_FORMAT
        shaped = text.str.fullmatch(_DATE_RE).fillna(False).astype(bool) if fmt == DATE_FORMAT else ~null
        values = pd.to_datetime(text.where(shaped), format=fmt, errors="coerce")
        ok = shaped & values.notna()
    else:
        return text, pd.Series(False, index=raw.index)
    bad = ~null & ~ok
    return values, bad


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


def canonical_text(text: str, f: Field) -> str:
    """Canonical form of one raw cell (numbers normalised, everything else untouched)."""
    if f.type != "number" or not re.fullmatch(_NUM_RE, text):
        return text
    return format_cell(np.float64(text), f)
