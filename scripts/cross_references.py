"""Job cross_references: every identifier of a company or model, with its source
(data/derived/cross_references.csv)."""

from ai_labs_data.derive.cross_references import build_cross_references
from ai_labs_data.derive.inputs import Inputs


def run(inputs: Inputs) -> dict[str, bytes]:
    table = build_cross_references(
        inputs.facts("company_identifiers"),
        inputs.facts("model_identifiers"),
        inputs.facts("model_prices"),
        inputs.facts("model_lifecycle"),
        inputs.facts("listings"),
    )
    return inputs.table_file("cross_references", table)


if __name__ == "__main__":
    from ai_labs_data.jobs import main

    main(__file__)
