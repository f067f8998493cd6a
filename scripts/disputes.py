"""Job disputes: every (fact, field) on which claims in good standing disagree (data/derived/disputes.csv)."""

from ai_labs_data.derive.disputes import build_disputes
from ai_labs_data.derive.inputs import Inputs


def run(inputs: Inputs) -> dict[str, bytes]:
    schemas = {name: inputs.schema(name) for name in inputs.claim_tables}
    facts = {name: inputs.facts(name) for name in inputs.claim_tables}
    return inputs.table_file("disputes", build_disputes(schemas, facts, inputs.rates))


if __name__ == "__main__":
    from ai_labs_data.jobs import main

    main(__file__)
