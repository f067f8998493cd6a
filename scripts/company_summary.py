"""Job company_summary: one row per company (data/derived/company_summary.csv), from the resolved facts and
the valuations and financials_usd tables."""

from ai_labs_data.derive.inputs import Inputs
from ai_labs_data.derive.summary import build_summary, rounds_in_usd


def run(inputs: Inputs) -> dict[str, bytes]:
    companies = inputs.facts("companies").facts
    table = build_summary(
        companies,
        inputs.derived("valuations"),
        inputs.derived("financials_usd"),
        rounds_in_usd(inputs.facts("funding_rounds"), companies, inputs.rates),
        inputs.facts("listings"),
        inputs.facts("model_releases"),
        inputs.rates,
    )
    return inputs.table_file("company_summary", table)


if __name__ == "__main__":
    from ai_labs_data.jobs import main

    main(__file__)
