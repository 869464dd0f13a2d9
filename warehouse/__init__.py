"""The DuckDB warehouse: schema, versioned publishing, loading parsed reports, exports and queries.

`warehouse.db.connect` is the only place a DuckDB connection is opened.
"""
