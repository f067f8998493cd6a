"""ai-labs-data: the companies that build large AI models, their funding, listings, financials,
model releases and market caps, every number traced to a public source.

    >>> import ai_labs_data
    >>> rounds = ai_labs_data.load("funding_rounds")          # preferred claims, typed
    >>> claims = ai_labs_data.load("funding_rounds", claims="all")
"""

from .loaders import DataError, load, load_all, path, schema, tables, to_csv

__version__ = "0.1.0"

__all__ = ["DataError", "__version__", "load", "load_all", "path", "schema", "tables", "to_csv"]
