"""ai-labs-data: the companies that build large AI models, their funding, listings, financials,
model releases and market caps, every number traced to a public source.

    >>> import ai_labs_data
    >>> rounds = ai_labs_data.load("funding_rounds")          # preferred claims, typed
    >>> claims = ai_labs_data.load("funding_rounds", claims="all")
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version

from .loaders import DataError, load, load_all, path, schema, tables, to_csv


def _version() -> str:
    """The installed distribution's version, which the build takes from datapackage.json."""
    try:
        return _dist_version("ai-labs-data")
    except PackageNotFoundError:  # running from a source tree that is not installed
        from .package import package

        return package().version


__version__ = _version()

__all__ = ["DataError", "__version__", "load", "load_all", "path", "schema", "tables", "to_csv"]
