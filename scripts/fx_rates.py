"""Job fx_rates: the ECB reference rates of every currency and year the claims use (data/derived/fx_rates.csv)."""

from ai_labs_data.derive.fx import currencies_used, fx_table, years_spanned
from ai_labs_data.derive.inputs import Inputs


def run(inputs: Inputs) -> dict[str, bytes]:
    claims = {name: inputs.claims(name) for name in inputs.curated}
    schemas = {name: inputs.schema(name) for name in inputs.curated}
    table = fx_table(inputs.rates, currencies_used(claims, schemas), years_spanned(claims, schemas))
    return inputs.table_file("fx_rates", table)


if __name__ == "__main__":
    from ai_labs_data.jobs import main

    main(__file__)
