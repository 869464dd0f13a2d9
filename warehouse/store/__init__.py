"""The warehouse store: Parquet parts, buckets of derived rows and small version files (docs/scale.md)."""
