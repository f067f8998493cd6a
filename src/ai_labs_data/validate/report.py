"""Render a validation report as text, JSON or GitHub workflow annotations."""

from __future__ import annotations

import json

from .runner import Report


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def as_text(report: Report) -> str:
    return "\n".join([p.text() for p in report.problems] + [report.summary()])


def as_json(report: Report) -> str:
    return json.dumps(
        {
            "valid": report.valid,
            "summary": report.summary(),
            "rows": report.rows,
            "sources": report.sources,
            "data_cutoff": report.cutoff,
            "problems": [p.as_dict() for p in report.problems],
        },
        indent=2,
        ensure_ascii=False,
    )


def as_github(report: Report) -> str:
    """One `::error` workflow command per problem, so each lands on the pull request's line."""
    out = []
    for p in report.problems:
        props = [f"file={_escape_property(p.file)}"]
        if p.line is not None:
            props.append(f"line={p.line}")
        if p.column is not None:
            props.append(f"col={p.column}")
        props.append(f"title={_escape_property(p.rule)}")
        out.append(f"::error {','.join(props)}::{_escape_data(p.text())}")
    out.append(report.summary())
    return "\n".join(out)


FORMATS = {"text": as_text, "json": as_json, "github": as_github}
