"""Prices, lifecycle and identifiers: each rule fires on a planted defect at its file, line and column, and
the derived price history and cross-references are what a user would compute by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import ai_labs_data
from ai_labs_data.jobs import derived_tables

from helpers import find_row, problems, read_rows, write_rows


def append(root: Path, table: str, **cells: str) -> int:
    """Append a row given by field name (other fields empty, preferred true); return its line."""
    path = root / "data" / f"{table}.csv"
    header, rows = read_rows(path)
    rows.append([cells.get(name, "true" if name == "preferred" else "") for name in header])
    write_rows(path, header, rows)
    return len(rows) + 1


def column(root: Path, table: str, field: str) -> int:
    return read_rows(root / "data" / f"{table}.csv")[0].index(field) + 1


def found(root: Path, rule: str) -> set[tuple[str, int | None, int | None]]:
    return {(p.file, p.line, p.column) for p in problems(root) if p.rule == rule}


@pytest.fixture
def model(pkg: Path) -> dict[str, str]:
    """A model released on a known day, and a source to cite (the one its claim cites)."""
    header, rows = read_rows(pkg / "data" / "model_releases.csv")
    row = rows[find_row(pkg, "model_releases", lambda r: r["date_precision"] == "day" and r["preferred"] == "true")]
    return dict(zip(header, row, strict=True))


def price(model: dict[str, str], **changes: str) -> dict[str, str]:
    cells = {
        "model_id": model["model_id"],
        "api_model_id": "demo-chat",
        "tier": "standard",
        "currency": "CNY",
        "effective_date": model["release_date"],
        "source_id": model["source_id"],
        "date_basis": "effective",
        "input_per_mtok": "2",
        "output_per_mtok": "8",
        "evidence": "demo-chat | 每百万tokens输入 2元 | 输出 8元",
    }
    return cells | changes


def later(day: str, days: int) -> str:
    return (pd.Timestamp(day) + pd.Timedelta(days=days)).strftime("%Y-%m-%d")


def test_valid_rows_pass(pkg: Path, model: dict[str, str]) -> None:
    append(pkg, "model_prices", **price(model))
    append(pkg, "model_prices", **price(model, effective_date=later(model["release_date"], 30), preferred="true"))
    assert problems(pkg) == []


def test_price_must_be_positive(pkg: Path, model: dict[str, str]) -> None:
    line = append(pkg, "model_prices", **price(model, output_per_mtok="0", evidence="demo-chat 2元 … 0元"))
    assert found(pkg, "price-positive") == {
        ("data/model_prices.csv", line, column(pkg, "model_prices", "output_per_mtok"))
    }


def test_currency_is_required(pkg: Path, model: dict[str, str]) -> None:
    line = append(pkg, "model_prices", **price(model, currency=""))
    assert ("data/model_prices.csv", line, column(pkg, "model_prices", "currency")) in found(pkg, "required")


def test_price_periods_do_not_overlap(pkg: Path, model: dict[str, str]) -> None:
    start = model["release_date"]
    first = append(pkg, "model_prices", **price(model, end_date=later(start, 60)))
    # A later sighting of the same price continues its period; a different price inside it overlaps.
    append(pkg, "model_prices", **price(model, effective_date=later(start, 20), preferred="true"))
    cut = price(model, effective_date=later(start, 30), output_per_mtok="4", evidence="demo-chat 2元 4元")
    append(pkg, "model_prices", **cut)
    # A change on the stated end day (a switch at 16:00 UTC) does not overlap.
    append(pkg, "model_prices", **price(model, tier="batch", end_date=later(start, 10)))
    append(pkg, "model_prices", **(cut | {"tier": "batch", "effective_date": later(start, 10)}))
    backwards = append(pkg, "model_prices", **price(model, tier="flex", end_date=later(start, -1)))
    end = column(pkg, "model_prices", "end_date")
    assert found(pkg, "price-period") == {
        ("data/model_prices.csv", first, end),
        ("data/model_prices.csv", backwards, end),
    }


def test_price_within_lifecycle(pkg: Path, model: dict[str, str]) -> None:
    start = model["release_date"]
    early = append(pkg, "model_prices", **price(model, effective_date=later(start, -1)))
    append(pkg, "model_prices", **price(model, effective_date=later(start, 5), preferred="true"))
    late = append(pkg, "model_prices", **price(model, effective_date=later(start, 40)))
    append(
        pkg,
        "model_lifecycle",
        model_id=model["model_id"],
        api_model_id="demo-chat",
        stage="retired",
        source_id=model["source_id"],
        date=later(start, 40),
        date_precision="day",
        evidence="demo-chat will be retired",
    )
    assert found(pkg, "price-in-lifecycle") == {
        ("data/model_prices.csv", early, column(pkg, "model_prices", "effective_date")),
        ("data/model_prices.csv", late, column(pkg, "model_prices", "effective_date")),
    }


def lifecycle(model: dict[str, str], stage: str, date: str) -> dict[str, str]:
    return {
        "model_id": model["model_id"],
        "api_model_id": "demo-chat",
        "stage": stage,
        "source_id": model["source_id"],
        "date": date,
        "date_precision": "day",
        "evidence": f"demo-chat {stage}",
    }


def test_lifecycle_stages_in_order(pkg: Path, model: dict[str, str]) -> None:
    start = model["release_date"]
    deprecated = append(pkg, "model_lifecycle", **lifecycle(model, "deprecated", later(start, 90)))
    append(pkg, "model_lifecycle", **lifecycle(model, "retired", later(start, 60)))
    assert found(pkg, "lifecycle-order") == {
        ("data/model_lifecycle.csv", deprecated, column(pkg, "model_lifecycle", "date"))
    }


def test_scheduled_retirement_may_follow_the_cutoff(pkg: Path, model: dict[str, str]) -> None:
    append(pkg, "model_lifecycle", **lifecycle(model, "retired", "2027-06-30"))
    deprecated = append(pkg, "model_lifecycle", **lifecycle(model, "deprecated", "2027-01-05"))
    assert found(pkg, "after-cutoff") == {
        ("data/model_lifecycle.csv", deprecated, column(pkg, "model_lifecycle", "date"))
    }


def identifier(subject: str, subject_id: str, scheme: str, ident: str, source: str) -> dict[str, str]:
    return {
        subject: subject_id,
        "scheme": scheme,
        "identifier": ident,
        "source_id": source,
        "evidence": f"identifier {ident}",
    }


@pytest.mark.parametrize(
    ("scheme", "ident", "ok"),
    [
        ("isin", "US0378331005", True),  # Apple Inc.: the check digit holds
        ("isin", "US0378331006", False),
        ("lei", "HWUPKR0MPOU8FGXBT394", True),  # Apple Inc.
        ("lei", "HWUPKR0MPOU8FGXBT395", False),
        ("wikidata", "Q312", True),
        ("wikidata", "Q0312", False),
        ("huggingface", "Qwen", True),
        ("huggingface", "Qwen/Qwen2.5-7B", False),  # a repository is a model's identifier, not a company's
    ],
)
def test_company_identifier_form(pkg: Path, model: dict[str, str], scheme: str, ident: str, ok: bool) -> None:
    line = append(pkg, "company_identifiers", **identifier("company_id", "apple", scheme, ident, model["source_id"]))
    expected = (
        set() if ok else {("data/company_identifiers.csv", line, column(pkg, "company_identifiers", "identifier"))}
    )
    assert found(pkg, "identifier-form") == expected


def test_model_repository_is_org_and_name(pkg: Path, model: dict[str, str]) -> None:
    good = identifier("model_id", model["model_id"], "huggingface", "demo-org/Demo-7B", model["source_id"])
    append(pkg, "model_identifiers", **good)
    bad = append(pkg, "model_identifiers", **(good | {"identifier": "demo-org"}))
    assert found(pkg, "identifier-form") == {
        ("data/model_identifiers.csv", bad, column(pkg, "model_identifiers", "identifier"))
    }


def test_api_name_and_identifier_are_quoted(pkg: Path, model: dict[str, str]) -> None:
    unquoted = append(pkg, "model_prices", **price(model, api_model_id="demo-pro"))
    ident = identifier("model_id", model["model_id"], "huggingface", "demo-org/Demo-7B", model["source_id"])
    other = append(pkg, "model_identifiers", **(ident | {"evidence": "https://huggingface.co/demo-org/Demo-8B"}))
    # Case does not matter: a Hugging Face link is case-insensitive.
    append(pkg, "model_identifiers", **(ident | {"identifier": "Demo-Org/demo-7b"}))
    assert found(pkg, "text-quoted") == {
        ("data/model_prices.csv", unquoted, column(pkg, "model_prices", "api_model_id")),
        ("data/model_identifiers.csv", other, column(pkg, "model_identifiers", "identifier")),
    }


def test_price_history_in_usd(pkg: Path, model: dict[str, str]) -> None:
    start = model["release_date"]
    append(pkg, "model_prices", **price(model))
    append(
        pkg,
        "model_prices",
        **price(model, effective_date=later(start, 30), output_per_mtok="4", evidence="demo-chat 2元 4元"),
    )
    append(
        pkg,
        "model_prices",
        **price(
            model,
            tier="batch",
            currency="USD",
            input_per_mtok="0.5",
            output_per_mtok="1.25",
            evidence="demo-chat $0.5 / $1.25",
        ),
    )
    assert problems(pkg) == []
    derived = derived_tables(pkg)  # the table jobs' outputs, typed as load types them
    history = derived["price_history"]
    mine = history[history["model_id"] == model["model_id"]].set_index(["tier", "effective_date"])
    first = mine.loc[("standard", pd.Timestamp(start))]
    assert first["next_date"] == pd.Timestamp(later(start, 30))
    assert first["currency"] == "CNY" and first["output_per_mtok"] == 8
    # The ECB rate of the effective date (or the business day before), re-based to US dollars.
    fx = derived["fx_rates"]
    cny = fx[(fx["currency"] == "CNY") & (fx["date"] <= pd.Timestamp(start))].sort_values("date").iloc[-1]
    assert first["usd_per_unit"] == pytest.approx(cny["usd_per_unit"])
    assert first["output_usd_per_mtok"] == pytest.approx(round(8 * cny["usd_per_unit"], 6))
    assert pd.isna(mine.loc[("standard", pd.Timestamp(later(start, 30))), "next_date"])
    batch = mine.loc[("batch", pd.Timestamp(start))]
    assert batch["usd_per_unit"] == 1 and batch["output_usd_per_mtok"] == 1.25
    xref = derived["cross_references"]
    api = xref[(xref["subject_id"] == model["model_id"]) & (xref["scheme"] == "api")]
    assert api["identifier"].tolist() == ["demo-chat"]


def test_show_a_price_with_its_source_and_quote(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ai_labs_data.cli import main

    prices = ai_labs_data.load("model_prices", claims="all", root=repo)
    claim = prices[prices["deprecation_reason"].isna()].iloc[0]
    key = "|".join(
        [
            claim["model_id"],
            claim["api_model_id"],
            claim["tier"],
            claim["currency"],
            f"{claim['effective_date']:%Y-%m-%d}",
        ]
    )
    assert main(["show", key, str(repo)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"model_prices: model_id={claim['model_id']} | api_model_id={claim['api_model_id']}")
    assert f"from {claim['source_id']}" in out
    stated = claim["output_per_mtok"] if pd.notna(claim["output_per_mtok"]) else claim["input_per_mtok"]
    assert any(line.strip().startswith("“") and f"{stated:g}" in line for line in out.splitlines())


def test_cheapest_price_in_force_follows_each_series_until_its_next_price() -> None:
    from ai_labs_data.publish.figures import cheapest_output_price

    day = pd.Timestamp
    history = pd.DataFrame(
        {
            "company_id": ["lab"] * 4,
            "country": ["CN"] * 4,
            "tier": ["standard"] * 4,
            "api_model_id": ["big", "small", "small", "big"],
            "effective_date": [day("2025-01-01"), day("2025-02-01"), day("2025-03-01"), day("2025-04-01")],
            # small is cheap from February; its March price (higher) holds until the data ends.
            "next_date": [day("2025-04-01"), day("2025-03-01"), pd.NaT, pd.NaT],
            "output_usd_per_mtok": pd.array([10.0, 2.0, 3.0, 8.0], dtype="Float64"),
        }
    )
    cheapest = cheapest_output_price(history, {"lab": "Lab"})
    assert cheapest["usd"].tolist() == [10.0, 2.0, 3.0, 3.0]
    assert cheapest["date"].tolist() == [day("2025-01-01"), day("2025-02-01"), day("2025-03-01"), day("2025-04-01")]
    assert set(cheapest["name"]) == {"Lab"}
