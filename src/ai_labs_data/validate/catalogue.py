"""Every rule a problem can name, in one catalogue: the structural checks of layer 1, the rules across
columns and tables of layer 2 (validate.rules), and freshness, layer 3. `ai-labs-data validate
--list-rules` prints it."""

from __future__ import annotations

from .rules import RULES

# Layer 1: what the Table Schemas and the CSV format say, checked for every cell and file.
STRUCTURE = {
    "encoding": "files are UTF-8 without a byte-order mark",
    "line-ending": "lines end with \\n, not \\r\\n",
    "blank-line": "no blank line inside a table",
    "csv-syntax": "the file parses as CSV (quotes balanced)",
    "line-break": "no cell holds a line break: one record per line",
    "cell-size": "no cell is larger than a sane bound",
    "header": "the header names the schema's fields, in order, once each",
    "row-width": "every record has as many cells as the header",
    "type": "a cell parses as its field's type (integer, number, boolean, date YYYY-MM-DD)",
    "required": "a required field is not empty",
    "enum": "a coded field takes one of its listed values",
    "pattern": "a field matches its pattern (slugs, ISO codes, URLs)",
    "minimum": "a number is not below its field's minimum",
    "maximum": "a number is not above its field's maximum",
    "minLength": "text is not shorter than its field's minimum length",
    "maxLength": "text is not longer than its field's maximum length",
    "primary-key": "no two rows share a primary key",
    "unique": "a unique field has no repeated value",
    "foreign-key": "a reference names an existing row of the referenced table",
    "schema": "a Table Schema can be read and every field's type is known",
    "resource-path": "a resource's path and schema stay inside the package folder",
    "resource-name": "a resource name is a safe table, file and sheet name (a-z, 0-9, _), and no two share one",
    "cutoff": "datapackage.json states data_cutoff as YYYY-MM-DD",
}
FRESHNESS = {
    "freshness": "generated files are what a build of these inputs writes (see data/derived/build-manifest.json)"
}


def catalogue() -> list[tuple[str, str, str]]:
    """(layer, rule, description) for every rule, in the order the layers run."""
    rows = [("structure", name, text) for name, text in STRUCTURE.items()]
    rows += [("rules", name, text) for name, (text, _fn) in RULES.items()]
    rows += [("freshness", name, text) for name, text in FRESHNESS.items()]
    return rows
