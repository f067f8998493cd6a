"""The prefetch of CSV parses (what `ai-labs-data validate` starts before its imports) never changes what
is read: a prefetched parse is used only for the very file it parsed."""

from __future__ import annotations

from pathlib import Path

from ai_labs_data import fastcsv
from ai_labs_data.csvio import read_raw
from ai_labs_data.tableschema import TableSchema
from ai_labs_data.validate import validate

from helpers import set_cell


def read(pkg: Path, table: str):
    schema = TableSchema.read(pkg / "schemas" / f"{table}.json")
    return read_raw(pkg / "data" / f"{table}.csv", f"data/{table}.csv", schema), schema


def test_prefetched_parse_equals_a_fresh_one(pkg: Path) -> None:
    fresh, schema = read(pkg, "funding_rounds")
    fastcsv.prefetch([(pkg / "data" / "funding_rounds.csv", schema.names)])
    prefetched, _ = read(pkg, "funding_rounds")
    assert prefetched.frame.equals(fresh.frame)
    assert (prefetched.lines == fresh.lines).all()


def test_file_changed_after_prefetch_is_read_again(pkg: Path) -> None:
    _, schema = read(pkg, "investors")
    fastcsv.prefetch([(pkg / "data" / "investors.csv", schema.names)])
    line, _ = set_cell(pkg, "investors", 0, "name", "A Renamed Investor With A Longer Name")
    raw, _ = read(pkg, "investors")
    assert raw.frame["name"].iat[line - 2] == "A Renamed Investor With A Longer Name"


def test_prefetched_broken_file_is_still_located(pkg: Path) -> None:
    path = pkg / "data" / "companies.csv"
    lines = path.read_bytes().split(b"\n")
    lines[3] += b"\r"
    path.write_bytes(b"\n".join(lines))
    _, schema = read(pkg, "companies")
    fastcsv.prefetch([(path, schema.names)])
    found = {(p.file, p.line, p.rule) for p in validate(pkg, freshness=False).problems}
    assert ("data/companies.csv", 4, "line-ending") in found


def test_quoted_line_break_is_never_parsed_fast(tmp_path: Path) -> None:
    """pyarrow parses without regard to quoted line breaks; the fast path must hand every such file to
    the exact reader, wherever the break falls (also across pyarrow's 8 MB block boundary)."""
    names = ["id", "note"]
    rows = [f"{i},plain text for row {i}\n".encode() for i in range(400_000)]  # about 11 MB
    for at in (0, 1_000, 260_933, len(rows) - 1):  # row 260,933 spans the 8 MB boundary
        broken = [*rows]
        broken[at] = f'{at},"a line\nbreak"\n'.encode()
        path = tmp_path / "t.csv"
        path.write_bytes(b"id,note\n" + b"".join(broken))
        assert fastcsv.plain_table(path, names).table is None, at
    path.write_bytes(b"id,note\n" + b"".join(rows))
    assert fastcsv.plain_table(path, names).table.num_rows == len(rows)


def test_files_read_after_the_prefetch_was_called_off_are_read_whole(pkg: Path) -> None:
    # Reading one file calls off the prefetches not yet begun; each file read later is parsed then,
    # and equals a fresh read whether its prefetch ran, was running, or was called off.
    names = ["sources", "model_releases", "funding_rounds", "companies", "investors", "model_prices"]
    fresh = {name: read(pkg, name) for name in names}
    fastcsv.prefetch([(pkg / "data" / f"{name}.csv", schema.names) for name, (_, schema) in fresh.items()])
    for name in reversed(names):
        raw, _ = read(pkg, name)
        assert raw.frame.equals(fresh[name][0].frame), name
        assert raw.sha256 == fresh[name][0].sha256
    paths = {str((pkg / "data" / f"{name}.csv").resolve()) for name in names}
    assert not [key for key in fastcsv._prefetched if key[0] in paths]  # none left behind in memory


def test_blank_lines_and_carriage_returns_are_never_parsed_fast(tmp_path: Path, monkeypatch) -> None:
    """The layout check scans the bytes window by window: a blank line or a CR is found wherever it
    falls, inside a window or across two."""
    monkeypatch.setattr(fastcsv, "WINDOW", 7)  # windows of 7 bytes: every offset meets a boundary
    names = ["id", "note"]
    rows = [f"{i},n{i}\n".encode() for i in range(12)]
    path = tmp_path / "t.csv"
    path.write_bytes(b"id,note\n" + b"".join(rows))
    assert fastcsv.plain_table(path, names).table.num_rows == len(rows)
    for at in range(len(rows)):
        blank = [*rows]
        blank[at] += b"\n"
        path.write_bytes(b"id,note\n" + b"".join(blank))
        assert fastcsv.plain_table(path, names).table is None, at
        crlf = [*rows]
        crlf[at] = crlf[at][:-1] + b"\r\n"
        path.write_bytes(b"id,note\n" + b"".join(crlf))
        assert fastcsv.plain_table(path, names).table is None, at
