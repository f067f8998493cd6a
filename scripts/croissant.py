"""Job croissant: croissant.json, the Croissant description of every table with each file's checksum."""

from ai_labs_data.citation import citation
from ai_labs_data.derive.inputs import Inputs
from ai_labs_data.publish.croissant import CROISSANT, croissant


def run(inputs: Inputs) -> dict[str, bytes]:
    files = {res.path: inputs.read(res.path) for res in inputs.pkg.resources.values()}
    text = croissant(inputs.pkg, files, citation("bibtex", inputs.root))
    return {CROISSANT: text.encode("utf-8")}


if __name__ == "__main__":
    from ai_labs_data.jobs import main

    main(__file__)
