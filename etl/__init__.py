"""Documents in, facts out: readers, template detection, extraction, metadata and per-report checks.

Pure functions over typed records; nothing here touches DuckDB.
"""
