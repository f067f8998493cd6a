"""Job financials_usd: resolved money figures at the period's average rate (data/derived/financials_usd.csv)."""

from ai_labs_data.derive.financials_usd import build_financials_usd
from ai_labs_data.derive.inputs import Inputs


def run(inputs: Inputs) -> dict[str, bytes]:
    return inputs.table_file("financials_usd", build_financials_usd(inputs.facts("financials"), inputs.rates))


if __name__ == "__main__":
    from ai_labs_data.jobs import main

    main(__file__)
