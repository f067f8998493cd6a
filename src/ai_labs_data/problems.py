"""A located problem in the package: what the validator reports and the loaders raise."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str  # path relative to the package root, POSIX separators
    line: int | None  # 1-based CSV line (the header is line 1)
    column: int | None  # 1-based field position
    field: str | None
    value: str | None
    rule: str
    message: str

    def location(self) -> str:
        loc = self.file
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    def text(self) -> str:
        what = ""
        if self.field is not None:
            what = f" {self.field}"
            if self.value is not None:
                what += f"={_quote(self.value)}"
        return f"{self.location()}: [{self.rule}]{what}: {self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


def _quote(value: str, limit: int = 60) -> str:
    shown = value if len(value) <= limit else value[: limit - 3] + "..."
    return repr(shown)
