"""Job data_dictionary: docs/data-dictionary.md, every table and field with examples from the data."""

import io

import pandas as pd

from ai_labs_data.derive.inputs import Inputs
from ai_labs_data.publish.dictionary import DICTIONARY, EXAMPLE_TABLE, data_dictionary, worked_example


def run(inputs: Inputs) -> dict[str, bytes]:
    resources = inputs.pkg.resources
    raw = {
        name: pd.read_csv(io.BytesIO(inputs.read(res.path)), dtype="string", keep_default_na=False)
        for name, res in resources.items()
    }
    schemas = {name: inputs.schema(name) for name in resources}
    t = EXAMPLE_TABLE
    example = worked_example(t, inputs.claims(t), inputs.facts(t), schemas[t])
    return {DICTIONARY: data_dictionary(inputs.pkg, raw, schemas, example).encode("utf-8")}


if __name__ == "__main__":
    from ai_labs_data.jobs import main

    main(__file__)
