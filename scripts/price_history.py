"""Job price_history: every resolved API price with its period and US dollar value
(data/derived/price_history.csv)."""

from ai_labs_data.derive.inputs import Inputs
from ai_labs_data.derive.prices import build_price_history


def run(inputs: Inputs) -> dict[str, bytes]:
    table = build_price_history(
        inputs.facts("model_prices"),
        inputs.schema("model_prices"),
        inputs.facts("model_releases"),
        inputs.facts("companies"),
        inputs.rates,
    )
    return inputs.table_file("price_history", table)


if __name__ == "__main__":
    from ai_labs_data.jobs import main

    main(__file__)
