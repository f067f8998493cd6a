"""Job rules_table: CONTRIBUTING.md's table of every validation rule, from the rule catalogue (only the
text between its markers is rewritten; the rest of the hand-written file is kept as it is)."""

from ai_labs_data.derive.inputs import Inputs
from ai_labs_data.publish.rules_table import CONTRIBUTING, with_rules_table


def run(inputs: Inputs) -> dict[str, bytes]:
    path = inputs.root / CONTRIBUTING
    if not path.is_file():
        return {}
    return {CONTRIBUTING: with_rules_table(path.read_text(encoding="utf-8")).encode("utf-8")}


if __name__ == "__main__":
    from ai_labs_data.jobs import main

    main(__file__)
