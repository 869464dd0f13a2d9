"""DuckDB's engine for the modules an ingest imports: the C extension `_duckdb` itself.

`import duckdb` runs the package's `__init__` on top of it: its Python relational API (`duckdb._relation`,
4,600 lines), expression classes and a version lookup through importlib.metadata, about 0.1 CPU s — a tenth
of a one-file ingest, which only runs SQL. The classes are the same objects (`duckdb.DuckDBPyConnection`
is `_duckdb.DuckDBPyConnection`, the exceptions too), and a process that imports the package later gets
its methods added to the same connection class. Scanning a Python Arrow table (`con.register`) needs
what the package sets up: `arrow_scans` imports it first, where pyarrow is imported anyway.
`tests/test_lazy_imports.py` checks that a one-file ingest does not import the package.
"""

import _duckdb as duckdb

__all__ = ["arrow_scans", "duckdb"]


def arrow_scans() -> None:
    """Let connections scan Python Arrow objects (the package registers its Arrow sources on import)."""
    import duckdb as package  # noqa: F401
