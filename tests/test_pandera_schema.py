"""The Table Schema -> pandera converter keeps what pandera.io.from_frictionless_schema loses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors as pe
import pytest

from ai_labs_data.tableschema import TableSchema, parse_column
from ai_labs_data.validate.pandera_schema import to_pandera
from ai_labs_data.validate.tables import Table, schema_problems

SCHEMA = TableSchema.from_dict(
    {
        "fields": [
            {"name": "id", "type": "string", "constraints": {"required": True, "pattern": "^[a-z]+$"}},
            {"name": "n", "type": "integer", "constraints": {"minimum": 0}},
            {"name": "flag", "type": "boolean", "trueValues": ["true"], "falseValues": ["false"]},
            {"name": "day", "type": "date", "format": "%Y-%m-%d"},
            {"name": "kind", "type": "string", "constraints": {"enum": ["a", "b"]}},
        ],
        "primaryKey": ["id"],
    }
)


def typed(rows: list[list[str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    raw = pd.DataFrame(rows, columns=SCHEMA.names, dtype="string")
    values, bad = {}, {}
    for f in SCHEMA.fields:
        values[f.name], bad[f.name] = parse_column(raw[f.name], f)
    frame = pd.DataFrame(values)
    frame["day"] = frame["day"].astype("datetime64[ns]")
    return frame, pd.DataFrame(bad)


def failures(frame: pd.DataFrame) -> set[tuple[str, int, str]]:
    try:
        to_pandera(SCHEMA, "t").validate(frame, lazy=True)
    except pe.SchemaErrors as exc:
        return {(c.column, int(c.index), str(c.check).split(":")[0]) for c in exc.failure_cases.itertuples()}
    return set()


def test_valid_frame_with_optional_gaps_passes() -> None:
    frame, bad = typed([["abc", "", "false", "", "a"], ["def", "3", "", "2025-01-31", ""]])
    assert not bad.to_numpy().any()
    assert frame["n"].dtype == pd.Int64Dtype() and frame["n"].isna().tolist() == [True, False]
    assert frame["flag"].tolist()[0] is False  # "false" is False, not truthy text
    assert pd.api.types.is_datetime64_dtype(frame["day"].dtype)
    assert failures(frame) == set()


@pytest.mark.parametrize("text", ["no", "yes", "1", "0", "True", "FALSE"])
def test_booleans_are_strict(text: str) -> None:
    _, bad = typed([["abc", "", text, "", ""]])
    assert bad["flag"].tolist() == [True]


@pytest.mark.parametrize("text", ["2025-02-29", "2025-2-01", "01/02/2025", "2025-01-01T00:00", "20250101"])
def test_dates_need_the_explicit_format(text: str) -> None:
    _, bad = typed([["abc", "", "", text, ""]])
    assert bad["day"].tolist() == [True]


def test_constraints_are_enforced_by_pandera() -> None:
    frame, _ = typed(
        [["abc", "-1", "", "", "c"], ["abc", "", "", "", ""], ["", "", "", "", ""], ["Bad", "", "", "", ""]]
    )
    assert failures(frame) == {
        ("n", 0, "minimum"),
        ("kind", 0, "enum"),
        ("id", 0, "primary-key"),
        ("id", 1, "primary-key"),
        ("id", 2, "not_nullable"),
        ("id", 3, "pattern"),
    }


def direct_failures(frame: pd.DataFrame, bad: pd.DataFrame) -> set[tuple[str, int, str]]:
    """What the validator's own runner of the same constraints reports (no pandera involved)."""
    raw = pd.DataFrame({n: frame[n].astype("string") for n in SCHEMA.names})
    table = Table("t", "t.csv", SCHEMA, raw, frame, np.arange(2, len(frame) + 2), bad)
    return {(p.field, p.line - 2, p.rule) for p in schema_problems(table)}


def test_the_validator_and_pandera_agree_on_every_constraint() -> None:
    """The validator runs the constraint checks itself; the pandera schema wraps the same checks. Planted
    defects of every kind are found by both, at the same cells."""
    frame, bad = typed(
        [["abc", "-1", "", "", "c"], ["abc", "", "", "", ""], ["", "", "", "", ""], ["Bad", "", "", "", "b"]]
    )
    direct = direct_failures(frame, bad)
    assert direct == {
        ("n", 0, "minimum"),
        ("kind", 0, "enum"),
        ("id", 0, "primary-key"),
        ("id", 1, "primary-key"),
        ("id", 2, "required"),
        ("id", 3, "pattern"),
    }
    assert {(f, i, "required" if r == "not_nullable" else r) for f, i, r in failures(frame)} == direct


def test_every_real_schema_converts(repo: Path) -> None:
    for path in sorted((repo / "schemas").glob("*.json")):
        schema = TableSchema.read(path)
        converted = to_pandera(schema, path.stem)
        assert list(converted.columns) == schema.names
        for f in schema.fields:
            assert converted.columns[f.name].nullable == (not f.required), (path.stem, f.name)


@pytest.mark.parametrize(
    ("text", "fails"),
    [
        ("ab", set()),
        ("abc", set()),
        ("a", {"minLength"}),
        ("é", {"minLength"}),  # two bytes, one character
        ("中文字", set()),  # nine bytes, three characters
        ("中文字x", {"maxLength"}),
        ("abcd", {"maxLength"}),
    ],
)
def test_lengths_count_characters_not_bytes(text: str, fails: set[str]) -> None:
    schema = TableSchema.from_dict(
        {"fields": [{"name": "s", "type": "string", "constraints": {"minLength": 2, "maxLength": 3}}]}
    )
    # Padding rows of plain ASCII make the byte lengths decide most cells; the tested one is row 0.
    frame = pd.DataFrame({"s": pd.array([text, "xy", "xyz"], dtype="string[pyarrow]")})
    try:
        to_pandera(schema, "t").validate(frame, lazy=True)
        found = set()
    except pe.SchemaErrors as exc:
        found = {str(c.check).split(":")[0] for c in exc.failure_cases.itertuples() if int(c.index) == 0}
    assert found == fails
