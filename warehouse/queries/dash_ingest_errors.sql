-- Inputs that did not load (not filtered: they have no agency or place).
SELECT source_file, kind, reason, recorded_at FROM ingest_errors ORDER BY kind, source_file
