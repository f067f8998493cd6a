"""Job valuations: every valuation observation with its US dollar value (data/derived/valuations.csv)."""

from ai_labs_data.derive.inputs import Inputs
from ai_labs_data.derive.valuations import build_valuations


def run(inputs: Inputs) -> dict[str, bytes]:
    table = build_valuations(inputs.facts("funding_rounds"), inputs.facts("market_caps"), inputs.rates)
    return inputs.table_file("valuations", table)


if __name__ == "__main__":
    from ai_labs_data.jobs import main

    main(__file__)
