"""Job release_metadata: CITATION.cff's version and release date kept in step with datapackage.json (the
rest of the hand-written file is kept as it is), and .zenodo.json."""

from ai_labs_data.citation import CFF
from ai_labs_data.derive.inputs import Inputs
from ai_labs_data.publish.release import ZENODO, citation_cff, zenodo


def run(inputs: Inputs) -> dict[str, bytes]:
    files = {ZENODO: zenodo(inputs.pkg).encode("utf-8")}
    cff = inputs.root / CFF
    if cff.is_file():
        files[CFF] = citation_cff(inputs.pkg, cff.read_text(encoding="utf-8")).encode("utf-8")
    return files


if __name__ == "__main__":
    from ai_labs_data.jobs import main

    main(__file__)
