"""ai-labs-data: the companies that build large AI models, their funding, listings, financials,
model releases and market caps, every number traced to a public source.

    >>> import ai_labs_data
    >>> rounds = ai_labs_data.load("funding_rounds")          # one row per round, each field resolved
    >>> where = ai_labs_data.provenance("funding_rounds")     # the source and quote of every value
    >>> claims = ai_labs_data.load("funding_rounds", claims="all")  # every source's claim
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .package import DataError

if TYPE_CHECKING:
    from .loaders import load, load_all, path, provenance, schema, tables, to_csv

_LOADERS = {"load", "load_all", "path", "provenance", "schema", "tables", "to_csv"}


def __getattr__(name: str) -> Any:
    """The loaders and the version, on first use: `ai-labs-data validate` starts reading the CSV files
    before pandas has finished importing, which an eager import here would prevent (importlib.metadata
    alone takes as long as reading a small table)."""
    if name in _LOADERS:
        from . import loaders

        return getattr(loaders, name)
    if name == "__version__":
        return _version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _version() -> str:
    """The installed distribution's version, which the build takes from datapackage.json."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ai-labs-data")
    except PackageNotFoundError:  # running from a source tree that is not installed
        from .package import package

        return package().version


__all__ = ["DataError", "__version__", "load", "load_all", "path", "provenance", "schema", "tables", "to_csv"]
