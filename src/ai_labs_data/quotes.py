"""Evidence as excerpts, and whether an excerpt states a number.

`evidence` holds one or more verbatim excerpts joined by ' … '. A number recorded in a row must be
written somewhere in its evidence, at any scale: 1030000000 is stated by `1,030,000,000`,
`$1.03 billion`, `10.3亿` or a table cell `1,030` in millions, because all of them write the digits
103. The check is deliberately generous about scale words, which differ by language and by table
header: it catches a value recorded with no words for it at all, or with a slipped digit.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

SEPARATOR = " … "
MAX_EXCERPT = 280

# A number's significant digits: 1.03 billion, 1,030,000,000 and 103 crore all read 103.
_NUMBER = re.compile(r"(?<![0-9.])((?:[0-9]{1,3}(?:[,\uff0c][0-9]{3})+|[0-9]+)(?:\.[0-9]+)?)\s*([KkMm](?![a-z]))?")
# K and M as binary multiples: a context window of "128K" tokens is recorded as 131072 by some sources.
_BINARY = {"k": 2**10, "m": 2**20}
# A decimal comma, as French, German or Italian write 6,8 miliardi.
_DECIMAL_COMMA = re.compile(r"(?<![0-9.,])([0-9]+),([0-9]{1,2})(?![0-9])")


def significant(value: Decimal) -> str:
    """The significant digits of a number, without sign, point or leading and trailing zeros."""
    digits = "".join(map(str, abs(value).normalize().as_tuple().digits))
    return digits.strip("0") or "0"


def numbers_stated(evidence: str) -> set[str]:
    """The significant digits of every number the evidence writes (and of K and M read as 1024 and 1024²)."""
    found: set[str] = set()
    for match in _NUMBER.finditer(evidence):
        try:
            base = Decimal(match.group(1).replace(",", "").replace("\uff0c", ""))
        except InvalidOperation:
            continue
        found.add(significant(base))
        if match.group(2):
            found.add(significant(base * _BINARY[match.group(2).lower()]))
    for match in _DECIMAL_COMMA.finditer(evidence):
        found.add(significant(Decimal(f"{match.group(1)}.{match.group(2)}")))
    return found


def states_number(evidence: str, value: float | int, numbers: set[str] | None = None) -> bool:
    """True if the evidence writes `value` at some scale (a loss is written without its minus sign)."""
    try:
        target = significant(Decimal(str(value)))
    except InvalidOperation:
        return False
    return target in (numbers_stated(evidence) if numbers is None else numbers)


def excerpts(evidence: str) -> list[str]:
    """The verbatim excerpts of an evidence cell."""
    return evidence.split(SEPARATOR)
