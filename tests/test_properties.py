"""Property: a single-cell mutation of a valid table is reported at exactly that cell when it breaks a
rule, and not at all when it breaks none. The oracle below re-states the rules independently of the
validator (Python re and datetime, not pandas or pandera)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ai_labs_data.quotes import states_number
from ai_labs_data.tableschema import Field, TableSchema
from ai_labs_data.validate.rules import HIDDEN

from conftest import copy_package
from helpers import problems, read_rows, set_cell

# Fields that take part in no cross-column or cross-table rule: only their own constraints, the type,
# and the text rules (formula-injection, whitespace) apply, so the oracle can be exact.
FIELDS = [
    ("sources", "title"),
    ("sources", "publisher"),
    ("sources", "language"),
    ("sources", "source_type"),
    ("sources", "url"),
    ("companies", "hq_city"),
    ("companies", "website"),
    ("investors", "name"),
    ("investors", "kind"),
    ("investors", "country"),
    ("model_releases", "name"),
    ("model_releases", "family"),
    ("model_releases", "license"),
    ("model_releases", "modalities"),
    ("model_releases", "architecture"),
    ("model_releases", "context_length"),
    ("market_caps", "share_price"),
    ("listings", "ticker"),
    ("listings", "offer_price"),
]
# (A company's name, kind and country are left out: every company needs them from one of its claims, a rule
# across rows. A number must be written in its claim's evidence: see `unquoted`.)
# Money fields: a value needs the row's currency (rule currency-given), reported at the currency cell.
MONEY = {("market_caps", "share_price"), ("listings", "offer_price")}
INT_RE, NUM_RE = r"-?[0-9]{1,18}", r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?"


def breaks(value: str, f: Field) -> bool:
    """True if writing `value` into a cell of field `f` breaks some rule."""
    c = f.constraints
    if value == "":
        return bool(c.get("required"))
    if f.type == "string":
        if value.startswith(("=", "+", "-", "@", "\t")) and not re.fullmatch(r"-[0-9]+(\.[0-9]+)?", value):
            return True
        if HIDDEN.search(value):
            return True
        if value.strip() != value:
            return True
        if "enum" in c and value not in c["enum"]:
            return True
        if "pattern" in c and not re.fullmatch(c["pattern"], value):
            return True
        return not (c.get("minLength", 0) <= len(value) <= c.get("maxLength", 10**9))
    if f.type == "integer":
        if not re.fullmatch(INT_RE, value):
            return True
        number = int(value)
    else:
        if not re.fullmatch(NUM_RE, value):
            return True
        number = float(value)
    return number < c.get("minimum", -float("inf")) or number > c.get("maximum", float("inf"))


VALUES = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "=1+1",
            "@x",
            "-5",
            "-1.5",
            "+1",
            "0",
            "1e5",
            "12.50",
            "abc",
            "CN",
            "US",
            "text",
            "text;image",
            "moe",
            "MIT",
            "https://example.org/a",
            "ftp://x",
            "big_tech",
            "press",
            "en",
        ]
    ),
    st.from_regex(r"-?\d{1,20}(\.\d{1,3})?", fullmatch=True),
)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_package(tmp_path_factory.mktemp("work"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(FIELDS), row=st.integers(min_value=0, max_value=5), value=VALUES)
def test_single_cell_mutation(work: Path, target: tuple[str, str], row: int, value: str) -> None:
    table, field = target
    path = work / "data" / f"{table}.csv"
    original = path.read_bytes()
    try:
        header, rows = read_rows(path)
        schema = TableSchema.read(work / "schemas" / f"{table}.json")
        without_currency = (table, field) in MONEY and rows[row % len(rows)][header.index("currency")] == ""
        line, column = set_cell(work, table, row % len(rows), field, value)
        found = {(p.file, p.line, p.column) for p in problems(work)}
        evidence = rows[row % len(rows)][header.index("evidence")] if "evidence" in header else None
        if breaks(value, schema.field(field)) or unquoted(value, schema.field(field), evidence):
            assert found == {(f"data/{table}.csv", line, column)}, (value, found)
        elif without_currency and value != "":
            assert found == {(f"data/{table}.csv", line, header.index("currency") + 1)}, (value, found)
        else:
            assert found == set(), (value, found)
    finally:
        path.write_bytes(original)  # every example starts from the valid package


def unquoted(value: str, f: Field, evidence: str | None) -> bool:
    """True if `value` is a number a claim would record without its evidence writing it (value-quoted)."""
    if evidence is None or value == "" or f.type not in ("integer", "number"):
        return False
    return not states_number(evidence, int(value) if f.type == "integer" else float(value))


def test_oracle_agrees_on_known_cases() -> None:
    ctx = Field("context_length", "integer", constraints={"minimum": 1})
    assert breaks("0", ctx) and breaks("1.5", ctx) and not breaks("128000", ctx) and not breaks("", ctx)
    country = Field("country", "string", constraints={"required": True, "pattern": r"^[A-Z]{2}$"})
    assert breaks("", country) and breaks("cn", country) and not breaks("CN", country)
    assert breaks(" CN", country) and breaks("=CN", Field("name", "string"))
    assert dt.date(2024, 2, 29)  # leap day exists: date fields are not mutated here (cut-off rules apply)


HIDDEN_CODES = [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F, 0x9F, 0x200B, 0x200F, 0x202A, 0x202E, 0x2066, 0xFEFF]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(alphabet=st.characters(categories=["L", "N", "Zs"]), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool),
    code=st.sampled_from(HIDDEN_CODES),
    where=st.integers(min_value=1, max_value=30),
)
def test_any_hidden_character_in_a_name_is_reported_with_its_code_point(
    pkg: Path, text: str, code: int, where: int
) -> None:
    at = min(where, len(text))
    line, column = set_cell(pkg, "companies", 0, "name", text[:at] + chr(code) + text[at:])
    found = [p for p in problems(pkg) if p.rule == "hidden-character"]
    assert [(p.line, p.column) for p in found] == [(line, column)]
    assert f"U+{code:04X}" in found[0].message
