"""Job figures: docs/figures/*.png, drawn from the derived tables and the resolved facts."""

from ai_labs_data.derive.inputs import Inputs
from ai_labs_data.derive.summary import rounds_in_usd
from ai_labs_data.publish.figures import FIGURES, draw_figures

FACTS = ("companies", "funding_rounds", "market_caps", "model_releases")


def prepare(inputs: Inputs) -> None:
    """Run first, while the derived tables are being made (this job runs apart): the curated facts."""
    for name in FACTS:
        inputs.facts(name)
    _ = inputs.rates  # the exchange rates, read once


def run(inputs: Inputs) -> dict[str, bytes]:
    pkg = inputs.pkg
    footer = (
        f"Source: ai-labs-data {pkg.version}, data cut-off {pkg.data_cutoff}. Each value cites a public source "
        "(data/sources.csv)."
    )
    derived = {name: inputs.derived(name) for name in ("valuations", "company_summary", "price_history")}
    facts = {name: inputs.facts(name).facts for name in ("companies", "market_caps", "model_releases")}
    rounds_usd = rounds_in_usd(inputs.facts("funding_rounds"), inputs.facts("companies").facts, inputs.rates)
    return {f"{FIGURES}/{name}": png for name, png in draw_figures(derived, facts, rounds_usd, footer).items()}


if __name__ == "__main__":
    from ai_labs_data.jobs import main

    main(__file__)
