"""croissant.json (MLCommons Croissant 1.0), generated from datapackage.json and the Table Schemas."""

from __future__ import annotations

import hashlib
import json

from ..package import Package
from ..types import TYPES

CROISSANT = "croissant.json"

CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
    "equivalentProperty": "cr:equivalentProperty",
    "samplingRate": "cr:samplingRate",
}


def croissant(pkg: Package, files: dict[str, bytes], citation: str) -> str:
    """The Croissant description; `files` holds the bytes of each resource (freshly built ones included),
    so that the checksums describe exactly what ships."""
    d = pkg.descriptor
    distribution, record_sets = [], []
    for res in pkg.resources.values():
        data = files.get(res.path) or pkg.file(res.path).read_bytes()
        file_id = res.path
        distribution.append(
            {
                "@type": "cr:FileObject",
                "@id": file_id,
                "name": file_id,
                "contentUrl": res.path,
                "encodingFormat": "text/csv",
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
        schema = pkg.schema(res.name)
        # Croissant references one field: single-field foreign keys only.
        references = {fk.fields[0]: fk for fk in schema.foreign_keys if len(fk.fields) == 1}
        fields = []
        for f in schema.fields:
            field = {
                "@type": "cr:Field",
                "@id": f"{res.name}/{f.name}",
                "name": f.name,
                "description": f.description,
                "dataType": TYPES[f.type].croissant,
                "source": {"fileObject": {"@id": file_id}, "extract": {"column": f.name}},
            }
            if f.name in references:
                fk = references[f.name]
                field["references"] = {"field": {"@id": f"{fk.resource}/{fk.reference_fields[0]}"}}
            fields.append(field)
        key = [{"@id": f"{res.name}/{k}"} for k in schema.primary_key]
        description = res.description
        record_sets.append(
            {
                "@type": "cr:RecordSet",
                "@id": res.name,
                "name": res.name,
                "description": description,
                "key": key[0] if len(key) == 1 else key,
                "field": fields,
            }
        )
    doc = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "name": d.get("name", "ai-labs-data"),
        "description": d.get("description", ""),
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "citeAs": citation,
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "version": pkg.version,
        "datePublished": d.get("created", "")[:10],
        "keywords": d.get("keywords", []),
        "creator": {"@type": "sc:Organization", "name": "ai-labs-data contributors"},
        "distribution": distribution,
        "recordSet": record_sets,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
